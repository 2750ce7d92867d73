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

    /// `from` and `to` as `yyyy-MM-dd`.
    public var fromDay: String { Self.dayString(from) }
    public var toDay: String { Self.dayString(to) }

    /// The window's days as `yyyy-MM-dd`, oldest first.
    public var dayStrings: [String] {
        (0..<days).map { Self.dayString(from.addingTimeInterval(Double($0) * 86_400)) }
    }

    /// `yyyy-MM-dd` of a date's UTC day.
    public static func dayString(_ date: Date) -> String {
        let date = UTCCalendar.civil(fromDays: Int64((date.timeIntervalSince1970 / 86_400).rounded(.down)))
        return String(format: "%04d-%02d-%02d", date.year, date.month, date.day)
    }
}
