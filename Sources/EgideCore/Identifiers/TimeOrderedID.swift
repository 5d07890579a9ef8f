import Foundation

extension UUID {
    /// A version 7 UUID (RFC 9562 §5.7): the Unix time to the nearest millisecond in the first 48 bits, then
    /// 74 random bits. Rows keyed by such ids are appended at the end of their indexes instead of
    /// landing on a random page of each, so a write touches (and flushes) far fewer pages.
    ///
    /// Used for records written at a high rate (alerts received and their first history entry).
    /// The id reveals when the record was created, to the millisecond: use it only for records
    /// whose creation time is shown to everyone who can see the id anyway.
    public static func timeOrdered(at date: Date, using generator: inout some RandomNumberGenerator) -> UUID {
        let milliseconds = UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded()))
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index))) }
        let high = generator.next() as UInt64, low = generator.next() as UInt64
        for index in 6..<8 { bytes[index] = UInt8(truncatingIfNeeded: high >> (8 * (index - 6))) }
        for index in 8..<16 { bytes[index] = UInt8(truncatingIfNeeded: low >> (8 * (index - 8))) }
        bytes[6] = 0x70 | (bytes[6] & 0x0f)  // version 7
        bytes[8] = 0x80 | (bytes[8] & 0x3f)  // variant 10
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    /// `timeOrdered(at:using:)` with the system's cryptographic generator.
    public static func timeOrdered(at date: Date) -> UUID {
        var generator = SystemRandomNumberGenerator()
        return timeOrdered(at: date, using: &generator)
    }

    /// The creation time of a version 7 UUID, to the millisecond; nil for other versions.
    public var timeOrderedDate: Date? {
        let bytes = withUnsafeBytes(of: uuid) { Array($0) }
        guard bytes[6] >> 4 == 7, bytes[8] >> 6 == 0b10 else { return nil }
        let milliseconds = bytes[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
