import Foundation

/// timestamptz travels as microseconds since 2000-01-01 00:00:00 UTC; Date counts seconds from 2001-01-01.
enum PGTimestamp {
    /// Seconds from 2000-01-01 to 2001-01-01 (2000 is a leap year).
    static let secondsFrom2000To2001: Int64 = 366 * 86_400

    static func microseconds(_ date: Date) -> Int64 {
        let sinceReference = (date.timeIntervalSinceReferenceDate * 1_000_000).rounded()
        return Int64(sinceReference) + secondsFrom2000To2001 * 1_000_000
    }

    static func date(microseconds: Int64) -> Date {
        if microseconds == .max { return .distantFuture }
        if microseconds == .min { return .distantPast }
        return Date(timeIntervalSinceReferenceDate: Double(microseconds - secondsFrom2000To2001 * 1_000_000) / 1_000_000)
    }
}

/// `Date` binds as timestamptz with microsecond precision; it decodes from timestamptz, timestamp (read as UTC)
/// and date (midnight UTC). `infinity` decodes as `Date.distantFuture`, `-infinity` as `Date.distantPast`.
extension Date: PGArrayElement {
    public static var pgType: PGDataType { .timestamptz }
    public static var pgArrayType: PGDataType { .timestamptzArray }
    public func encode(into buffer: inout [UInt8]) { buffer.appendBigEndian(PGTimestamp.microseconds(self)) }
    public static func decode(from value: PGValue) throws(PGDecodingFailure) -> Date {
        guard let bytes = value.bytes else { throw .unexpectedNull }
        guard value.format == .binary else { throw .typeMismatch }
        switch (value.type, bytes.count) {
        case (.timestamptz, 8), (.timestamp, 8):
            return PGTimestamp.date(microseconds: bytes.readBigEndian(Int64.self))
        case (.date, 4):
            let days = bytes.readBigEndian(Int32.self)
            if days == .max { return .distantFuture }
            if days == .min { return .distantPast }
            return PGTimestamp.date(microseconds: Int64(days) * 86_400_000_000)
        case (.timestamptz, _), (.timestamp, _), (.date, _): throw .invalidValue("wrong length \(bytes.count)")
        default: throw .typeMismatch
        }
    }
}

extension Date {
    /// This date as PostgreSQL stores it (timestamptz keeps microseconds): equal to what a round trip returns.
    public var roundedToMicroseconds: Date { PGTimestamp.date(microseconds: PGTimestamp.microseconds(self)) }
}
