import Vapor

/// `egide doctor [--data-dir DIR]`: prints one line per check; exits 1 if any check fails.
struct DoctorCommand: AsyncCommand {
    struct Signature: CommandSignature {}

    var help: String { "Checks the configuration as the database and filesystem report it; exits non-zero on any failure." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let checks = await Doctor.run(context.application)
        for check in checks { context.console.output(check.line.consoleText()) }
        let failed = checks.filter { $0.status == .fail }.count
        if failed > 0 { throw CommandFailure(message: "egide doctor: \(failed) check(s) failed") }
    }
}
