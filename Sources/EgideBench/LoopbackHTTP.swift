import App
import Foundation
import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The load generator of `egide bench intake`: HTTP/1.1 over blocking loopback sockets, one thread
/// per client, each request's bytes written ahead of time.
///
/// The bench runs client and server on the same machine, so every processor cycle the client
/// spends is taken from the server it measures. A general-purpose client (AsyncHTTPClient, with its
/// pools, futures and header objects) cost about as much processor time per request as the server
/// spent handling it, which halved the throughput the bench could observe on two cores. This client
/// does what `wrk` does: a persistent keep-alive connection per client, one write and a read of the
/// answer per request, nothing else. Every answer is still parsed and checked.
enum LoopbackHTTP {
    struct Response: Equatable, Sendable {
        var status: Int
        var body: [UInt8]
        /// The server announced it closes the connection after this answer.
        var closes: Bool
        /// `name=value` of each `Set-Cookie` (attributes dropped).
        var cookies: [String] = []
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The bytes of one HTTP/1.1 request, `Content-Length` framed.
    static func request(_ method: String, _ path: String, port: Int, contentType: String? = nil, cookies: [String] = [],
                        body: [UInt8] = []) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        if !cookies.isEmpty { head += "Cookie: \(cookies.joined(separator: "; "))\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        return Array(head.utf8) + body
    }

    /// Collects the bytes read from a connection and cuts them into answers. Only what Vapor sends is
    /// understood: a status line, headers, and a body framed by `Content-Length` (or none); a chunked
    /// answer is refused rather than misread.
    struct ResponseReader {
        private var buffer: [UInt8] = []

        mutating func append(_ bytes: UnsafeRawBufferPointer) { buffer.append(contentsOf: bytes) }

        /// The next complete answer, removed from the buffer; nil while more bytes are needed.
        mutating func next() throws -> Response? {
            guard let headEnd = Self.endOfHead(buffer) else { return nil }
            let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
            let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
            let statusLine = lines.first.map(String.init) ?? ""
            let parts = statusLine.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]), (100...599).contains(status) else {
                throw Failure(description: "not an HTTP/1.1 status line: \(statusLine.prefix(80))")
            }
            var length = 0
            var closes = parts[0] == "HTTP/1.0"
            var cookies: [String] = []
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let name = line[..<colon].lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces).lowercased()
                switch name {
                case "content-length":
                    guard let parsed = Int(value), parsed >= 0 else { throw Failure(description: "bad Content-Length: \(value)") }
                    length = parsed
                case "transfer-encoding" where value != "identity":
                    throw Failure(description: "unsupported Transfer-Encoding: \(value)")
                case "connection":
                    if value.contains("close") { closes = true }
                case "set-cookie":
                    let raw = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    cookies.append(String(raw.prefix { $0 != ";" }))
                default:
                    break
                }
            }
            let bodyStart = headEnd + 4
            guard buffer.count >= bodyStart + length else { return nil }
            let response = Response(status: status, body: Array(buffer[bodyStart..<(bodyStart + length)]), closes: closes, cookies: cookies)
            buffer.removeFirst(bodyStart + length)
            return response
        }

        /// Where the blank line ending the head starts.
        private static func endOfHead(_ bytes: [UInt8]) -> Int? {
            guard bytes.count >= 4 else { return nil }
            for index in 0...(bytes.count - 4)
            where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
                return index
            }
            return nil
        }

        var isEmpty: Bool { buffer.isEmpty }
    }

    /// One keep-alive connection to 127.0.0.1, reopened when the server closes it. A send or a wait
    /// for an answer longer than `timeout` seconds fails (a hung server fails the bench, not hangs it).
    final class Connection {
        let port: Int
        let timeout: Int
        private var descriptor: Int32 = -1
        private var reader = ResponseReader()
        private var scratch = [UInt8](repeating: 0, count: 64 * 1024)

        init(port: Int, timeout: Int = 60) {
            self.port = port
            self.timeout = timeout
        }

        deinit { close() }

        func close() {
            if descriptor >= 0 { _ = Glibc.close(descriptor) }
            descriptor = -1
            reader = ResponseReader()
        }

        /// Sends `request` (bytes from `LoopbackHTTP.request`) and returns the server's answer.
        func send(_ request: [UInt8]) throws -> Response {
            if descriptor < 0 { try open() }
            do {
                try write(request)
                let response = try read()
                if response.closes { close() }
                return response
            } catch {
                close()
                throw error
            }
        }

        private func open() throws {
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard socket >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else {
                let reason = String(cString: strerror(errno))
                _ = Glibc.close(socket)
                throw Failure(description: "connect to 127.0.0.1:\(port): \(reason)")
            }
            var on: Int32 = 1
            _ = setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
            var limit = timeval(tv_sec: timeout, tv_usec: 0)
            _ = setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            _ = setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            descriptor = socket
        }

        private func write(_ bytes: [UInt8]) throws {
            var sent = 0
            while sent < bytes.count {
                let written = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { throw Failure(description: "send: \(String(cString: strerror(errno)))") }
                sent += written
            }
        }

        private func read() throws -> Response {
            while true {
                if let response = try reader.next() { return response }
                let count = scratch.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress!, $0.count, 0) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else {
                    if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                        throw Failure(description: "no answer from 127.0.0.1:\(port) within \(timeout) s")
                    }
                    throw Failure(description: count == 0 ? "the server closed the connection before answering" : "recv: \(String(cString: strerror(errno)))")
                }
                scratch.withUnsafeBytes { reader.append(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            }
        }
    }

    /// Runs `work(client)` for clients 0..<count, each on a thread of its own with a connection of
    /// its own, and returns their results in client order once all have finished; the first error
    /// thrown, if any, is rethrown.
    static func onThreads<T: Sendable>(_ count: Int, port: Int, _ work: @escaping @Sendable (Int, Connection) throws -> T) async throws -> [T] {
        guard count > 0 else { return [] }
        let results = NIOLockedValueBox<[Int: Result<T, any Error>]>([:])
        return try await withCheckedThrowingContinuation { continuation in
            for client in 0..<count {
                let thread = Thread {
                    let connection = Connection(port: port)
                    let result = Result { try work(client, connection) }
                    connection.close()
                    let all = results.withLockedValue { results -> [Int: Result<T, any Error>]? in
                        results[client] = result
                        return results.count == count ? results : nil
                    }
                    guard let all else { return }
                    continuation.resume(with: Result { try (0..<count).map { try all[$0]!.get() } })
                }
                thread.stackSize = 1 << 20
                thread.start()
            }
        }
    }
}
