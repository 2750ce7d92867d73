import Analytics
import Foundation
import Testing

/// The window and percentile arithmetic the analytics rest on, checked against independent computations.
@Suite struct WindowAndHistogramTests {
    static func date(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)!
    }

    @Test func windowsAreWholeUTCDaysEndingToday() {
        let now = Self.date("2024-03-01T23:59:59.999Z")
        let window = AnalyticsWindow(days: 2, now: now)
        #expect(window.from == Self.date("2024-02-29T00:00:00.000Z"))
        #expect(window.to == Self.date("2024-03-02T00:00:00.000Z"))
        #expect(window.dayStrings == ["2024-02-29", "2024-03-01"])
        let one = AnalyticsWindow(days: 1, now: Self.date("2026-01-01T00:00:00.000Z"))
        #expect(one.dayStrings == ["2026-01-01"] && one.to.timeIntervalSince(one.from) == 86_400)
        let year = AnalyticsWindow(days: 365, now: Self.date("2026-11-29T12:00:00.000Z"))
        #expect(year.dayStrings.count == 365 && year.dayStrings.first == "2025-11-30" && year.dayStrings.last == "2026-11-29")
    }

    @Test func dayStringsMatchFoundationsCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let date = Date(timeIntervalSince1970: Double.random(in: -2_000_000_000...5_000_000_000, using: &random))
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            let expected = String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
            #expect(AnalyticsWindow.dayString(date) == expected, "\(date)")
        }
    }

    /// For random samples of processing times, every histogram percentile is within the stated bound of the exact
    /// nearest-rank value, and merging histograms equals the histogram of the merged values.
    @Test func percentilesStayWithinTheStatedBound() {
        var random = SystemRandomNumberGenerator()
        var worstHigh = 1.0, worstLow = 1.0
        for _ in 0..<300 {
            let count = Int.random(in: 1...400, using: &random)
            let values = (0..<count).map { _ in Int64(exp(Double.random(in: 0...log(12_000_000.0), using: &random))) }
            var whole: [Int64] = [], merged: [Int64] = []
            var part: [Int64] = []
            for (index, value) in values.enumerated() {
                let bucket = LatencyHistogram.bucket(milliseconds: value)
                let one = Array(repeating: Int64(0), count: bucket) + [1]
                LatencyHistogram.add(one, into: &whole)
                LatencyHistogram.add(one, into: &part)
                if index % 37 == 0 {
                    LatencyHistogram.add(part, into: &merged)
                    part = []
                }
            }
            LatencyHistogram.add(part, into: &merged)
            #expect(merged == whole)
            let sorted = values.sorted()
            for p in [0.5, 0.9, 0.95, 0.99, 1.0] {
                let exact = Double(sorted[max(1, Int((p * Double(count)).rounded(.up))) - 1])
                let measured = LatencyHistogram.percentile(p, of: whole)!
                if exact == 0 {
                    #expect(measured == 0)
                    continue
                }
                worstHigh = max(worstHigh, measured / exact)
                worstLow = min(worstLow, measured / exact)
            }
        }
        #expect(worstHigh <= 1 + LatencyHistogram.relativeErrorBound)
        #expect(worstLow >= 1 / (1 + LatencyHistogram.relativeErrorBound))
        #expect(LatencyHistogram.percentile(0.5, of: []) == nil)
    }
}
