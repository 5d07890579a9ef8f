import Foundation
import Testing
@testable import App

/// End-to-end tests: the client against tests/smtp/smtp_sink.py (aiosmtpd) on 127.0.0.1.
@Suite struct SMTPConnectionTests {
    let sender = try! MailAddress("noreply@egide.test", displayName: "Égide")

    func plain(_ sink: SMTPSink, credentials: SMTPCredentials? = nil) -> SMTPConfiguration {
        SMTPConfiguration(host: "127.0.0.1", port: sink.port, security: .plain, credentials: credentials,
                          ehloName: "client.egide.test", commandTimeout: .seconds(15))
    }

    func tls(_ sink: SMTPSink, _ security: SMTPConfiguration.Security, _ cert: TestCertificate?,
             credentials: SMTPCredentials? = nil, host: String = "localhost") -> SMTPConfiguration {
        SMTPConfiguration(host: host, port: sink.port, security: security, credentials: credentials,
                          ehloName: "client.egide.test",
                          trustRoots: cert.map { .systemAndPEMFile($0.certificatePath) } ?? .system,
                          commandTimeout: .seconds(15))
    }

    func message(to recipient: String, subject: String = "Test", text: String = "Hello.\n") throws -> MailMessage {
        try MailMessage(from: sender, to: MailAddress(recipient), subject: subject, textBody: text)
    }

    /// Runs `body` and returns the `SMTPError` it throws (failing the test if it throws nothing else).
    func smtpError(_ body: () async throws -> Void) async -> SMTPError? {
        do {
            try await body()
            Issue.record("expected an SMTPError, nothing was thrown")
        } catch let error as SMTPError {
            return error
        } catch {
            Issue.record("expected an SMTPError, got \(error)")
        }
        return nil
    }

    @Test func plainSendOfThreeMessagesOverOneConnection() async throws {
        let sink = try await SMTPSink.start()
        let french = "Réservation confirmée : « à bientôt », Chloé ! Votre accès à l’espace sécurisé est prêt"
        let arabic = "تأكيد الحجز — مرحبا بكم في منصة إيجيد"
        let longLine = String(repeating: "0123456789 abcdéfghij=", count: 100)  // 2 300 characters
        let text = "Bonjour,\n.ligne qui commence par un point\n.\n..\n\(longLine)\nFin. \n"
        let messages = [
            try MailMessage(from: sender, to: MailAddress("alice@example.test"), subject: french, textBody: text),
            try MailMessage(from: sender, to: MailAddress("bob@example.test", displayName: "بوب \"Bob\""), subject: arabic,
                            textBody: "مرحبا\n", htmlBody: "<p dir=\"rtl\">مرحبا</p>\n"),
            try MailMessage(from: sender, to: MailAddress("carol@example.test"), subject: "Plain ASCII", textBody: "Third.\n",
                            headers: [MailHeader("List-Unsubscribe", "<mailto:unsubscribe@egide.test>, <https://egide.test/u/abc>"),
                                      MailHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]),
        ]

        let connection = try await SMTPConnection.connect(configuration: plain(sink))
        var receipts: [SMTPReceipt] = []
        for message in messages { receipts.append(try await connection.send(message)) }
        await connection.close()

        let received = try sink.messages()
        try #require(received.count == 3, "sink stderr: \(sink.stderr())")
        #expect(received.map(\.rcptTos) == [["alice@example.test"], ["bob@example.test"], ["carol@example.test"]])
        #expect(received.map(\.mailFrom) == Array(repeating: "noreply@egide.test", count: 3))
        let files = try FileManager.default.contentsOfDirectory(atPath: sink.spool.path).sorted()
        #expect(files == ["1.eml", "2.eml", "3.eml", "log.jsonl"])
        #expect(received.allSatisfy { !$0.tls && !$0.auth && $0.decodeError == nil })

        // Encoded-word subjects and display names, decoded by Python's email package.
        #expect(received[0].subject == french)
        #expect(received[1].subject == arabic)
        #expect(received[1].to?.contains("بوب") == true && received[1].to?.contains("Bob") == true)
        #expect(received[1].to?.hasSuffix("<bob@example.test>") == true)
        #expect(received[0].from?.contains("Égide") == true)

        // Dot-stuffing: lines starting with "." (including "." and ".." alone) arrive intact.
        #expect(received[0].text == text)
        let raw0 = try sink.rawMessage(received[0])
        #expect(raw0.contains("\r\n.ligne qui commence par un point\r\n.\r\n..\r\n"))
        // The 2 300-character line is wrapped by quoted-printable soft breaks.
        #expect(received[0].maxLineLength <= 76)
        #expect(raw0.contains("=\r\n"))
        #expect(raw0.contains("Content-Transfer-Encoding: quoted-printable"))

        #expect(received[1].text == "مرحبا\n")
        #expect(received[1].html == "<p dir=\"rtl\">مرحبا</p>\n")
        let raw2 = try sink.rawMessage(received[2])
        #expect(raw2.contains("\r\nList-Unsubscribe: <mailto:unsubscribe@egide.test>, <https://egide.test/u/abc>\r\n"))
        #expect(raw2.contains("\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"))

        for (receipt, entry) in zip(receipts, received) {
            #expect(receipt.reply.code == 250)
            #expect(try sink.rawMessage(entry).contains("\r\nMessage-ID: \(receipt.messageID)\r\n"))
        }
        #expect(receipts[0].messageID.hasSuffix("@egide.test>"))
    }

    @Test func startTLSWithAuthPlain() async throws {
        let cert = try TestCertificate()
        let sink = try await SMTPSink.start(["--starttls", cert.certificatePath, cert.keyPath,
                                            "--auth", "egide:s3cret!", "--auth-mechanisms", "PLAIN"])
        let credentials = SMTPCredentials(username: "egide", password: "s3cret!")
        let connection = try await SMTPConnection.connect(configuration: tls(sink, .startTLS, cert, credentials: credentials))
        #expect(await connection.isEncrypted)
        #expect(await connection.isAuthenticated)
        #expect(await connection.extensions["AUTH"] == "PLAIN")
        _ = try await connection.send(message(to: "dana@example.test", subject: "Over TLS — chiffré"))
        await connection.close()

        let received = try sink.messages()
        try #require(received.count == 1)
        #expect(received[0].tls && received[0].auth && received[0].authUser == "egide")
        #expect(received[0].subject == "Over TLS — chiffré")
    }

    @Test func authLoginIsUsedWhenPlainIsNotOffered() async throws {
        let cert = try TestCertificate()
        let sink = try await SMTPSink.start(["--starttls", cert.certificatePath, cert.keyPath,
                                            "--auth", "egide:pw", "--auth-mechanisms", "LOGIN"])
        let connection = try await SMTPConnection.connect(
            configuration: tls(sink, .startTLS, cert, credentials: SMTPCredentials(username: "egide", password: "pw")))
        _ = try await connection.send(message(to: "erin@example.test"))
        await connection.close()
        #expect(try sink.messages().map(\.auth) == [true])
    }

    @Test func implicitTLSToAnIPAddressVerifiesTheIPSubjectAltName() async throws {
        let cert = try TestCertificate()
        let sink = try await SMTPSink.start(["--implicit-tls", cert.certificatePath, cert.keyPath, "--auth", "egide:pw"])
        let connection = try await SMTPConnection.connect(
            configuration: tls(sink, .implicitTLS, cert, credentials: SMTPCredentials(username: "egide", password: "pw"),
                               host: "127.0.0.1"))
        _ = try await connection.send(message(to: "frank@example.test"))
        await connection.close()
        #expect(try sink.messages().map(\.tls) == [true])
    }

    @Test func requiredStartTLSFailsWithoutSendingWhenNotOffered() async throws {
        let sink = try await SMTPSink.start(["--auth", "egide:pw"])
        let error = await smtpError {
            _ = try await SMTPConnection.connect(
                configuration: tls(sink, .startTLS, nil, credentials: SMTPCredentials(username: "egide", password: "pw")))
        }
        guard case .startTLSUnavailable? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(try sink.messages().isEmpty)
    }

    @Test func untrustedCertificateIsRejected() async throws {
        let cert = try TestCertificate()
        let sink = try await SMTPSink.start(["--starttls", cert.certificatePath, cert.keyPath])
        let error = await smtpError {
            _ = try await SMTPConnection.connect(configuration: tls(sink, .startTLS, nil))  // system roots only
        }
        guard case .tlsFailed? = error else { Issue.record("got \(String(describing: error))"); return }
    }

    @Test func certificateForAnotherHostnameIsRejected() async throws {
        let cert = try TestCertificate(commonName: "other.test", subjectAltName: "DNS:other.test")
        let sink = try await SMTPSink.start(["--starttls", cert.certificatePath, cert.keyPath])
        let error = await smtpError {
            _ = try await SMTPConnection.connect(configuration: tls(sink, .startTLS, cert))  // trusted, but not "localhost"
        }
        guard case .tlsFailed? = error else { Issue.record("got \(String(describing: error))"); return }
    }

    @Test func wrongPasswordIsAnAuthenticationError() async throws {
        let cert = try TestCertificate()
        let sink = try await SMTPSink.start(["--starttls", cert.certificatePath, cert.keyPath, "--auth", "egide:right"])
        let password = "wrong-Pa55word"
        let error = await smtpError {
            _ = try await SMTPConnection.connect(
                configuration: tls(sink, .startTLS, cert, credentials: SMTPCredentials(username: "egide", password: password)))
        }
        guard case .authenticationFailed(let reply?)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(reply.code == 535)
        #expect(error?.isPermanent == false)
        #expect(!String(describing: error!).contains(password))
        #expect(!String(reflecting: error!).contains(password))
        #expect(try sink.messages().isEmpty)
    }

    @Test func credentialsAreNeverSentInPlainTextToARemoteHost() async throws {
        // Rejected by the configuration check, before any DNS lookup or connection.
        let config = SMTPConfiguration(host: "smtp.example.invalid", port: 25, security: .plain,
                                       credentials: SMTPCredentials(username: "u", password: "p"))
        let error = await smtpError { _ = try await SMTPConnection.connect(configuration: config) }
        guard case .invalidConfiguration? = error else { Issue.record("got \(String(describing: error))"); return }
    }

    @Test func refusedRecipientIsPermanentAndTheConnectionStaysUsable() async throws {
        let sink = try await SMTPSink.start(["--refuse", "nobody"])
        let connection = try await SMTPConnection.connect(configuration: plain(sink))
        let error = await smtpError { _ = try await connection.send(message(to: "nobody@example.test")) }
        guard case .recipientRefused(let recipient, let reply)? = error else {
            Issue.record("got \(String(describing: error))"); return
        }
        #expect(recipient == "nobody@example.test")
        #expect(reply.code == 550 && reply.enhancedStatusCode == "5.1.1")
        #expect(reply.lines == ["5.1.1 mailbox unavailable"])
        #expect(error?.isPermanent == true)

        _ = try await connection.send(message(to: "grace@example.test"))
        await connection.close()
        #expect(try sink.messages().map(\.rcptTos) == [["grace@example.test"]])
    }

    @Test func temporaryFailureIsNotPermanent() async throws {
        let sink = try await SMTPSink.start(["--tempfail", "later"])
        let connection = try await SMTPConnection.connect(configuration: plain(sink))
        let error = await smtpError { _ = try await connection.send(message(to: "later@example.test")) }
        guard case .temporaryFailure(let command, let reply)? = error else {
            Issue.record("got \(String(describing: error))"); return
        }
        #expect(command == "RCPT TO")
        #expect(reply.code == 451 && reply.enhancedStatusCode == "4.3.0")
        #expect(error?.isPermanent == false && error?.isTransient == true)

        _ = try await connection.send(message(to: "heidi@example.test"))
        await connection.close()
        #expect(try sink.messages().map(\.rcptTos) == [["heidi@example.test"]])
    }

    @Test func droppedConnectionIsAConnectionError() async throws {
        let sink = try await SMTPSink.start(["--drop-after", "2"])
        let connection = try await SMTPConnection.connect(configuration: plain(sink))
        _ = try await connection.send(message(to: "one@example.test"))
        _ = try await connection.send(message(to: "two@example.test"))
        let error = await smtpError { _ = try await connection.send(message(to: "three@example.test")) }
        guard case .connectionFailed? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(error?.isPermanent == false && error?.isTransient == true)
        // The connection is not reused after a connection-level failure.
        let again = await smtpError { _ = try await connection.send(message(to: "four@example.test")) }
        guard case .connectionFailed? = again else { Issue.record("got \(String(describing: again))"); return }
        await connection.close()
        #expect(try sink.messages().map(\.rcptTos) == [["one@example.test"], ["two@example.test"]])

        // A new connection to the same (restarted) server works.
        let second = try await SMTPConnection.connect(configuration: plain(sink))
        _ = try await second.send(message(to: "three@example.test"))
        await second.close()
        #expect(try sink.messages().count == 3)
    }

    @Test func headerInjectionIsRejectedBeforeAnythingIsSent() async throws {
        let sink = try await SMTPSink.start()
        let connection = try await SMTPConnection.connect(configuration: plain(sink))

        #expect(throws: MailMessageError.self) {
            try MailMessage(from: sender, to: MailAddress("ivan@example.test"), subject: "Hi\r\nBcc: x@y", textBody: "x")
        }
        #expect(throws: MailMessageError.self) {
            try MailMessage(from: sender, to: MailAddress("ivan@example.test"), subject: "Hi\nBcc: x@y", textBody: "x")
        }
        #expect(throws: MailMessageError.self) { try MailAddress("ivan@example.test\r\nBcc: x@y") }
        #expect(throws: MailMessageError.self) { try MailAddress("ivan@example.test>\r\nRCPT TO:<x@y") }
        #expect(throws: MailMessageError.self) { try MailAddress("ivan@example.test", displayName: "Ivan\r\nBcc: x@y") }
        #expect(throws: MailMessageError.self) {
            try MailMessage(from: sender, to: MailAddress("ivan@example.test"), subject: "Hi", textBody: "x",
                            headers: [MailHeader("List-Unsubscribe", "<mailto:u@egide.test>\r\nBcc: x@y")])
        }
        #expect(throws: MailMessageError.self) {
            try MailMessage(from: sender, to: MailAddress("ivan@example.test"), subject: "Hi", textBody: "x",
                            headers: [MailHeader("Bcc", "x@y")])
        }

        // Nothing reached the server, and the connection is still fine for a valid message.
        #expect(try sink.messages().isEmpty)
        _ = try await connection.send(message(to: "ivan@example.test", subject: "Hi"))
        await connection.close()
        let received = try sink.messages()
        #expect(received.map(\.rcptTos) == [["ivan@example.test"]])
        #expect(try !sink.rawMessage(received[0]).contains("Bcc"))
    }

    @Test func concurrentSendsOnOneConnectionAreSerialized() async throws {
        let sink = try await SMTPSink.start()
        let connection = try await SMTPConnection.connect(configuration: plain(sink))
        let messages = try (1...5).map { try message(to: "user\($0)@example.test") }
        try await withThrowingTaskGroup(of: SMTPReceipt.self) { group in
            for message in messages { group.addTask { try await connection.send(message) } }
            for try await _ in group {}
        }
        await connection.close()
        #expect(Set(try sink.messages().flatMap(\.rcptTos)) == Set((1...5).map { "user\($0)@example.test" }))
    }
}
