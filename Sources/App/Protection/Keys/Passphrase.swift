import Foundation

/// Reading an operator passphrase: from a file (`--passphrase-file`, for scripts), from the terminal
/// without echo, or as the first line of standard input when it is not a terminal.
enum Passphrase {
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    /// The passphrase from `file` if given, otherwise asked with `prompt`.
    static func read(file: String?, prompt: String) throws -> String {
        if let file {
            guard let data = FileManager.default.contents(atPath: file),
                  let text = String(data: data, encoding: .utf8) else { throw Missing(description: "cannot read the passphrase file \(file)") }
            return text.trimmingCharacters(in: .newlines)
        }
        if isatty(STDIN_FILENO) != 0, let raw = getpass(prompt) {
            return String(cString: raw)
        }
        FileHandle.standardError.write(Data(prompt.utf8))
        guard let line = Swift.readLine(strippingNewline: true) else { throw Missing(description: "no passphrase given on standard input") }
        return line
    }

    /// A new passphrase, asked twice on a terminal; at least 16 characters.
    static func readNew(file: String?) throws -> String {
        let first = try read(file: file, prompt: "New passphrase (16 characters or more): ")
        guard first.count >= 16 else { throw Missing(description: "the passphrase must have at least 16 characters") }
        if file == nil, isatty(STDIN_FILENO) != 0 {
            let second = try read(file: nil, prompt: "Repeat the passphrase: ")
            guard first == second else { throw Missing(description: "the two passphrases differ") }
        }
        return first
    }
}
