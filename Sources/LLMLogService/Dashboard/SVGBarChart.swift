import Foundation

/// A bar chart drawn as inline SVG on the server: a y axis with ticks at round values and its unit, x labels
/// (dates), one bar per point with a `<title>` (hover text). Colours come from classes the stylesheet defines for
/// light and dark schemes; one series, so nothing depends on telling hues apart. A window with nothing in it is
/// said in words instead of drawn.
struct SVGBarChart {
    struct Point {
        /// The x label (a `yyyy-MM-dd`).
        let label: String
        let value: Double
        /// The value as people read it, for the hover title.
        let display: String
    }

    /// What the chart shows, e.g. "Cost per day (USD)"; its accessible name.
    let title: String
    let points: [Point]
    /// Formats a tick value for the axis.
    let tickFormat: (Double) -> String
    /// The sentence shown instead of the chart when every value is 0.
    let emptyText: String

    /// The drawing's own units; it scales to its box (about 1:1 beside a second chart on a desktop screen).
    static let width = 480.0, height = 220.0
    static let left = 56.0, right = 10.0, top = 10.0, bottom = 38.0
    /// The widest bar (a window of one day is one bar, not a block).
    static let maxBarWidth = 36.0

    /// Round tick values from 0 to at least `maximum`: steps of 1, 2 or 5 × 10^n, about `count` of them.
    static func ticks(maximum: Double, count: Int = 4) -> [Double] {
        guard maximum > 0, maximum.isFinite else { return [0] }
        let rough = maximum / Double(max(1, count))
        let power = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough } ?? 10 * power
        let top = (maximum / step).rounded(.up) * step
        return stride(from: 0.0, through: top + step / 2, by: step).map { ($0 / step).rounded() * step }
    }

    /// The HTML: a `<figure>` with the SVG and a caption, or a paragraph saying the window is empty.
    var html: String {
        guard points.contains(where: { $0.value > 0 }) else {
            return "<figure class=\"chart\"><figcaption>\(HTML.escape(title))</figcaption><p class=\"empty\">\(HTML.escape(emptyText))</p></figure>"
        }
        let ticks = Self.ticks(maximum: points.map(\.value).max() ?? 0)
        let maximum = ticks.last ?? 1
        let plotWidth = Self.width - Self.left - Self.right, plotHeight = Self.height - Self.top - Self.bottom
        func y(_ value: Double) -> Double { Self.top + plotHeight * (1 - value / maximum) }
        func n(_ value: Double) -> String { String(format: "%.1f", value) }
        var svg = "<svg class=\"chart-svg\" viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" role=\"img\" aria-label=\"\(HTML.escape(title))\">"
        for tick in ticks {
            svg += "<line class=\"grid\" x1=\"\(n(Self.left))\" x2=\"\(n(Self.width - Self.right))\" y1=\"\(n(y(tick)))\" y2=\"\(n(y(tick)))\"/>"
            svg +=
                "<text class=\"tick\" x=\"\(n(Self.left - 6))\" y=\"\(n(y(tick) + 4))\" text-anchor=\"end\">\(HTML.escape(tickFormat(tick)))</text>"
        }
        let slot = plotWidth / Double(max(1, points.count))
        let barWidth = min(Self.maxBarWidth, max(1, slot * 0.7))
        let labelEvery = max(1, Int((Double(points.count) / 5).rounded(.up)))
        for (index, point) in points.enumerated() {
            let x = Self.left + slot * Double(index) + (slot - barWidth) / 2
            let top = y(point.value)
            let height = max(point.value > 0 ? 1 : 0, Self.top + plotHeight - top)
            svg += "<rect class=\"bar\" x=\"\(n(x))\" y=\"\(n(Self.top + plotHeight - height))\" width=\"\(n(barWidth))\" height=\"\(n(height))\">"
            svg += "<title>\(HTML.escape(point.label)): \(HTML.escape(point.display))</title></rect>"
            if index % labelEvery == 0 || index == points.count - 1 && points.count <= 7 {
                let label = point.label.count == 10 ? String(point.label.dropFirst(5)) : point.label
                svg +=
                    "<text class=\"tick\" x=\"\(n(x + barWidth / 2))\" y=\"\(n(Self.height - Self.bottom + 16))\" text-anchor=\"middle\">\(HTML.escape(label))</text>"
            }
        }
        svg +=
            "<line class=\"axis\" x1=\"\(n(Self.left))\" x2=\"\(n(Self.width - Self.right))\" y1=\"\(n(Self.top + plotHeight))\" y2=\"\(n(Self.top + plotHeight))\"/>"
        svg += "<line class=\"axis\" x1=\"\(n(Self.left))\" x2=\"\(n(Self.left))\" y1=\"\(n(Self.top))\" y2=\"\(n(Self.top + plotHeight))\"/>"
        svg += "<text class=\"tick unit\" x=\"\(n(Self.width - Self.right))\" y=\"\(n(Self.height - 3))\" text-anchor=\"end\">UTC day</text>"
        svg += "</svg>"
        return "<figure class=\"chart\"><figcaption>\(HTML.escape(title))</figcaption>\(svg)</figure>"
    }
}
