import Foundation
import NIOCore
import Testing
@testable import App

/// Rendering and validation, without a server.
@Suite struct MailMessageTests {
    let from = try! MailAddress("noreply@egide.test", displayName: "Égide")
    let to = try! MailAddress("alice@example.test")

    @Test(arguments: ["a@b.c", "first.last+tag@sub.example.org", "x_y-z@localhost"])
    func acceptsAddress(_ address: String) throws {
        #expect(try MailAddress(address).address == address)
    }

    @Test(arguments: ["", "a", "a@", "@b.c", "a@b@c", "a b@c.d", "<a@b.c>", "a@b.c\r\n", "a@b.c\n", "é@b.c",
                      "a@.b", "a@b.", "a@b..c", "a,b@c.d", "\"a\"@b.c", "a@b.c>", String(repeating: "x", count: 65) + "@b.c"])
    func refusesAddress(_ address: String) {
        #expect(throws: MailMessageError.self) { try MailAddress(address) }
    }

    @Test func renderedMessageIsSevenBitCRLFWithTheExpectedHeaders() throws {
        let date = Date(timeIntervalSince1970: 1_741_079_100)  // Tue, 04 Mar 2025 09:05:00 UTC
        let message = try MailMessage(from: from, to: to, subject: "Hello", textBody: "Line 1\nLine 2\r\nLine 3",
                                      messageID: "abc123@egide.test", date: date)
        let rendered = message.rendered()
        #expect(rendered.utf8.allSatisfy { $0 < 0x80 })
        #expect(rendered.hasSuffix("\r\n"))
        #expect(!rendered.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(!rendered.replacingOccurrences(of: "\r\n", with: "").contains("\r"))
        #expect(rendered.hasPrefix("From: =?UTF-8?B?w4lnaWRl?= <noreply@egide.test>\r\nTo: alice@example.test\r\nSubject: Hello\r\n"))
        #expect(rendered.contains("\r\nDate: Tue, 04 Mar 2025 09:05:00 +0000\r\n"))
        #expect(rendered.contains("\r\nMessage-ID: <abc123@egide.test>\r\n"))
        #expect(rendered.contains("\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nLine 1\r\nLine 2\r\nLine 3\r\n"))
    }

    @Test func messageIDIsGeneratedOnTheSenderDomainAndValidated() throws {
        let a = try MailMessage(from: from, to: to, subject: "s", textBody: "b")
        let b = try MailMessage(from: from, to: to, subject: "s", textBody: "b")
        #expect(a.messageID.hasPrefix("<") && a.messageID.hasSuffix("@egide.test>"))
        #expect(a.messageID != b.messageID)
        #expect(try MailMessage(from: from, to: to, subject: "s", textBody: "b", messageID: "<x@y>").messageID == "<x@y>")
        #expect(throws: MailMessageError.self) { try MailMessage(from: from, to: to, subject: "s", textBody: "b", messageID: "no-at-sign") }
        #expect(throws: MailMessageError.self) { try MailMessage(from: from, to: to, subject: "s", textBody: "b", messageID: "a@b>\r\nX: y") }
    }

    @Test func longNonASCIISubjectIsFoldedIntoShortEncodedWords() throws {
        let subject = String(repeating: "Réservation confirmée — مرحبا بكم ", count: 8)
        let message = try MailMessage(from: from, to: to, subject: subject, textBody: "b")
        let header = try #require(message.rendered().components(separatedBy: "\r\n\r\n").first)
        let subjectLines = header.components(separatedBy: "\r\n").drop { !$0.hasPrefix("Subject:") }.prefix { $0.hasPrefix("Subject:") || $0.hasPrefix(" ") }
        #expect(subjectLines.count > 1)
        #expect(subjectLines.allSatisfy { $0.utf8.count <= 76 })
        // Decoding the words (whitespace between adjacent encoded-words is dropped) gives the subject back.
        let words = subjectLines.joined().split(separator: " ").filter { $0.hasPrefix("=?UTF-8?B?") }
        #expect(words.allSatisfy { $0.count <= 75 })
        let bytes = words.flatMap { Data(base64Encoded: String($0.dropFirst(10).dropLast(2)))! }
        #expect(String(decoding: bytes, as: UTF8.self) == subject)
    }

    @Test func longASCIIHeaderIsFoldedAtSpacesAndUnfoldsToTheOriginal() throws {
        let value = (1...40).map { "<https://egide.test/unsubscribe/\($0)>" }.joined(separator: ", ")
        let message = try MailMessage(from: from, to: to, subject: "s", textBody: "b", headers: [MailHeader("List-Unsubscribe", value)])
        let rendered = message.rendered()
        let start = try #require(rendered.range(of: "List-Unsubscribe: "))
        let end = try #require(rendered.range(of: "\r\nMIME-Version"))
        let field = rendered[start.upperBound..<end.lowerBound]
        #expect(field.components(separatedBy: "\r\n").count > 1)
        #expect(("List-Unsubscribe: " + field).components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 })
        #expect(field.replacingOccurrences(of: "\r\n", with: "") == value)
    }

    @Test func headerValuesLookingLikeEncodedWordsAreEncoded() throws {
        let message = try MailMessage(from: from, to: to, subject: "=?UTF-8?B?SGk=?=", textBody: "b")
        #expect(!message.rendered().contains("Subject: =?UTF-8?B?SGk=?=\r\n"))
    }

    @Test func unbreakableOverlongHeaderIsRefused() {
        #expect(throws: MailMessageError.self) {
            try MailMessage(from: from, to: to, subject: "s", textBody: "b",
                            headers: [MailHeader("X-Token", String(repeating: "a", count: 1200))])
        }
    }

    @Test func extraHeaderNamesAreChecked() {
        for name in ["", "Bad Name", "Bad:Name", "To", "bcc", "Content-Type", "Reply-To"] {
            #expect(throws: MailMessageError.self, "\(name)") {
                try MailMessage(from: self.from, to: self.to, subject: "s", textBody: "b", headers: [MailHeader(name, "v")])
            }
        }
    }

    @Test func quotedPrintable() {
        #expect(QuotedPrintable.encode("a=b \n") == "a=3Db=20\r\n")
        #expect(QuotedPrintable.encode("été\t") == "=C3=A9t=C3=A9=09")
        #expect(QuotedPrintable.encode("") == "")
        #expect(QuotedPrintable.encode("a\n\nb\r") == "a\r\n\r\nb\r\n")
        let long = String(repeating: "é=x ", count: 300)
        let encoded = QuotedPrintable.encode(long)
        let lines = encoded.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 76 })
        #expect(lines.dropLast().allSatisfy { $0.hasSuffix("=") })
        // No "=XX" escape is split by a soft break.
        #expect(lines.allSatisfy { line in
            let body = line.hasSuffix("=") ? line.dropLast() : Substring(line)
            guard let last = body.lastIndex(of: "=") else { return true }
            return body.distance(from: last, to: body.endIndex) >= 3
        })
    }

    @Test func multipartAlternativeHasBothParts() throws {
        let message = try MailMessage(from: from, to: to, subject: "s", textBody: "texte", htmlBody: "<p>html</p>")
        let rendered = message.rendered()
        let boundary = try #require(rendered.split(separator: "boundary=\"").last?.split(separator: "\"").first)
        #expect(boundary.hasPrefix("=_"))
        #expect(rendered.contains("--\(boundary)\r\nContent-Type: text/plain; charset=utf-8\r\n"))
        #expect(rendered.contains("--\(boundary)\r\nContent-Type: text/html; charset=utf-8\r\n"))
        #expect(rendered.hasSuffix("--\(boundary)--\r\n"))
    }

    @Test func dotStuffing() {
        let payload = SMTPConnection.dotStuffed(".a\r\nb\r\n.\r\n..\r\n", allocator: ByteBufferAllocator())
        #expect(String(buffer: payload) == "..a\r\nb\r\n..\r\n...\r\n.\r\n")
        #expect(String(buffer: SMTPConnection.dotStuffed("x", allocator: ByteBufferAllocator())) == "x\r\n.\r\n")
    }

    @Test func credentialsAreRedacted() {
        let config = SMTPConfiguration(host: "smtp.egide.test", credentials: SMTPCredentials(username: "egide", password: "hunter2-secret"))
        var dumped = ""
        dump(config, to: &dumped)
        for text in [String(describing: config), String(reflecting: config), dumped, "\(config.credentials!)"] {
            #expect(!text.contains("hunter2-secret"))
        }
        #expect(config.port == 587)
    }

    @Test func replyHelpers() {
        #expect(SMTPReply(code: 550, lines: ["5.1.1 mailbox unavailable"]).enhancedStatusCode == "5.1.1")
        #expect(SMTPReply(code: 250, lines: ["2.0.0 OK queued"]).enhancedStatusCode == "2.0.0")
        #expect(SMTPReply(code: 250, lines: ["OK"]).enhancedStatusCode == nil)
        #expect(SMTPReply(code: 250, lines: ["1.2.3 nope"]).enhancedStatusCode == nil)
        #expect(SMTPReply(code: 451, lines: []).isTransientFailure)
    }

    @Test func loopbackDetection() {
        for host in ["localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]"] {
            #expect(SMTPConfiguration(host: host).isLoopbackHost, "\(host)")
        }
        for host in ["example.com", "10.0.0.1", "128.0.0.1", "::2", "localhost.example.com"] {
            #expect(!SMTPConfiguration(host: host).isLoopbackHost, "\(host)")
        }
    }
}
