/// Everything that can go wrong while talking to an SMTP server.
///
/// For a mailer the question is usually "record the refusal, or retry later?": `isPermanent` is
/// true only for a refusal of this message/recipient. Everything else is either transient (4xx,
/// lost connection, timeout) or a configuration problem (authentication, TLS, STARTTLS missing)
/// that retrying later — after fixing the configuration — can cure.
///
/// No case ever carries the password: replies are the server's text, and the commands named
/// in `command` are labels such as `"AUTH PLAIN"`, never the command line as sent.
public enum SMTPError: Error, Sendable, Hashable, CustomStringConvertible {
    // (a) Permanent refusal of this message.

    /// A 5xx reply to RCPT TO, DATA or the end of the message data. Retrying will not help.
    case recipientRefused(recipient: String, reply: SMTPReply)

    // (b) Temporary failure.

    /// A 4xx reply to any command (e.g. `451 4.3.0`, greylisting, `421` shutdown). Retry later.
    case temporaryFailure(command: String, reply: SMTPReply)

    // (c) Connection, TLS, timeout and protocol errors.

    /// Could not connect, or the connection was lost / closed by the server.
    case connectionFailed(reason: String)
    /// TLS could not be set up (handshake failure, untrusted certificate, wrong hostname, bad CA file).
    case tlsFailed(reason: String)
    /// `.startTLS` was required but the server's EHLO reply did not offer STARTTLS.
    case startTLSUnavailable
    /// No reply to `command` within the configured timeout; the connection has been closed.
    case timeout(command: String)
    /// The server broke the protocol (malformed reply, unsolicited data, data injected before TLS).
    case protocolError(reason: String)
    /// A reply the client cannot proceed with, e.g. a 5xx to EHLO or MAIL FROM (sender refused).
    case unexpectedReply(command: String, reply: SMTPReply)
    /// The configuration is unusable (e.g. credentials over plain text to a non-loopback host).
    case invalidConfiguration(reason: String)

    /// The message's data was handed over but no final reply came (timeout, connection lost):
    /// the server may have accepted it. A mailer that must never send twice does not retry it.
    case deliveryUncertain(reason: String)

    // (d) Authentication.

    /// The server rejected the credentials, or offers no mechanism the client supports
    /// (PLAIN, LOGIN); `reply` is nil in the latter case.
    case authenticationFailed(reply: SMTPReply?)

    /// True when the message was refused for good (record it, do not retry).
    public var isPermanent: Bool {
        if case .recipientRefused = self { return true }
        return false
    }

    /// True for 4xx replies, lost connections and timeouts: the same message may go through later
    /// without any change.
    public var isTransient: Bool {
        switch self {
        case .temporaryFailure, .connectionFailed, .timeout: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .recipientRefused(let recipient, let reply): "recipient \(recipient) refused: \(reply)"
        case .temporaryFailure(let command, let reply): "temporary failure after \(command): \(reply)"
        case .connectionFailed(let reason): "SMTP connection failed: \(reason)"
        case .tlsFailed(let reason): "TLS failed: \(reason)"
        case .startTLSUnavailable: "the server does not offer STARTTLS, which is required"
        case .timeout(let command): "timed out waiting for the reply to \(command)"
        case .protocolError(let reason): "SMTP protocol error: \(reason)"
        case .unexpectedReply(let command, let reply): "unexpected reply to \(command): \(reply)"
        case .invalidConfiguration(let reason): "invalid SMTP configuration: \(reason)"
        case .deliveryUncertain(let reason): "no final reply after the message data (it may have been delivered): \(reason)"
        case .authenticationFailed(let reply?): "authentication failed: \(reply)"
        case .authenticationFailed(nil): "authentication failed: the server offers neither AUTH PLAIN nor AUTH LOGIN"
        }
    }
}

/// The server's acceptance of one message.
public struct SMTPReceipt: Sendable, Hashable {
    /// The Message-ID header of the message, with angle brackets.
    public let messageID: String
    public let recipient: String
    /// The reply to the end of DATA, which often carries the server's queue id.
    public let reply: SMTPReply

    public init(messageID: String, recipient: String, reply: SMTPReply) {
        self.messageID = messageID
        self.recipient = recipient
        self.reply = reply
    }
}
