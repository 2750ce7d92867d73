import Foundation

/// A window of `days` whole UTC days ending with today: [start of the first day, start of tomorrow).
public struct AnalyticsWindow: Sendable, Equatable {
    /// Number of days, 1…365.
    public let days: Int
    /// Start of the first day (inclusive).
    public let from: Date
    /// Start of the day after today (exclusive).
    public let to: Date

    /// Valid values of `days`.
    public static let dayRange = 1...365

    /// The window of the last `days` UTC days including the day of `now`.
    public init(days: Int, now: Date = Date()) {
        precondition(Self.dayRange.contains(days), "days out of range")
        let today = (now.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
        self.days = days
        self.from = Date(timeIntervalSince1970: today - Double(days - 1) * 86_400)
        self.to = Date(timeIntervalSince1970: today + 86_400)
    }

    /// The window's days as `yyyy-MM-dd`, oldest first.
    public var dayStrings: [String] {
        (0..<days).map { Self.dayString(from.addingTimeInterval(Double($0) * 86_400)) }
    }

    /// `yyyy-MM-dd` of a date's UTC day.
    public static func dayString(_ date: Date) -> String {
        let days = Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        return String(format: "%04d-%02d-%02d", year, month, day)
    }

    /// Gregorian date of a day number (Howard Hinnant's days-to-civil algorithm).
    static func civilDate(daysSinceEpoch: Int) -> (Int, Int, Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
