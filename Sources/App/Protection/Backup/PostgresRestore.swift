import Foundation
import Vapor

extension BackupRestorer {
    /// Pipes the decrypted SQL into `psql -v ON_ERROR_STOP=1 --single-transaction`. Only authenticated
    /// chunks reach psql; if any chunk fails, psql is killed before it reads the end of its input, so
    /// its transaction never commits and the database stays empty.
    /// - Throws: `BackupError` (a chunk that does not authenticate, psql's own error).
    static func restorePostgres(_ app: Application, stream: BackupStream, read: @escaping @Sendable (Int) throws -> [UInt8],
                                url: String) async throws {
        let executable = try PostgresTools.locate("psql")
        let environment = try PostgresTools.environment(for: url)
        // A psql that stops early must turn our next write into an error, not kill the process.
        signal(SIGPIPE, SIG_IGN)
        try await app.threadPool.runIfActive {
            let psql = try ChildProcess(executable, ["--no-psqlrc", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1"],
                                        environment: environment, discardOutput: true)
            do {
                _ = try stream.decrypt(from: read, to: { try SecureFile.writeAll($0, to: psql.stdin, name: "psql's input") })
            } catch {
                psql.kill()
                let (status, errors) = psql.wait()
                psql.closeInput()
                if error is SecureFile.IOError, status != 0, !errors.isEmpty {
                    throw BackupError(description: "psql failed: \(errors) (nothing was restored: the restore runs in one transaction)")
                }
                throw error
            }
            psql.closeInput()
            let (status, errors) = psql.wait()
            guard status == 0 else {
                throw BackupError(description: "psql failed (exit status \(status)): \(errors) (nothing was restored: the restore runs in one transaction)")
            }
        }
    }
}
