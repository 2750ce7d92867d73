import Foundation
import Testing

@testable import LLMLogService

/// The dashboard's pieces that need no database: escaping, number formats, the SVG chart, CSRF, CSV.
@Suite struct DashboardUnitTests {
    @Test func escapingLeavesNoMarkup() {
        #expect(HTML.escape(#"<script>alert("x") & 'y'</script>"#) == "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;")
        #expect(HTML.escape("héllo ✓") == "héllo ✓")
        #expect(HTML.query([("q", "a b&c"), ("type", nil), ("status", "")]) == "?q=a%20b%26c")
    }

    @Test func numbersForPeople() {
        #expect(PeopleFormat.count(1_234_567) == "1,234,567")
        #expect(PeopleFormat.count(999) == "999")
        #expect(PeopleFormat.money(Decimal(string: "1234.5")!) == "$1,234.50")
        #expect(PeopleFormat.money(Decimal(string: "0.001275")!) == "$0.0013")
        #expect(PeopleFormat.money(Decimal(0)) == "$0")
        #expect(PeopleFormat.percent(0.875) == "87.5 %")
        #expect(PeopleFormat.percent(nil) == "—")
        #expect(PeopleFormat.duration(milliseconds: 2300) == "2.3 s")
        #expect(PeopleFormat.duration(milliseconds: 850) == "850 ms")
        #expect(PeopleFormat.compact(1_200_000) == "1.2M")
        #expect(PeopleFormat.compact(12_300) == "12.3k")
    }

    @Test func chartTicksAreRound() {
        #expect(SVGBarChart.ticks(maximum: 7.3) == [0, 2, 4, 6, 8])
        #expect(SVGBarChart.ticks(maximum: 0.034) == [0, 0.01, 0.02, 0.03, 0.04])
        #expect(SVGBarChart.ticks(maximum: 1_000_000) == [0, 500_000, 1_000_000])
        #expect(SVGBarChart.ticks(maximum: 950) == [0, 500, 1000])
        #expect(SVGBarChart.ticks(maximum: 0) == [0])
    }

    @Test func chartDrawsBarsWithTitlesOrSaysItIsEmpty() {
        let points = (1...7).map { SVGBarChart.Point(label: "2026-11-0\($0)", value: Double($0), display: "$\($0)") }
        let html = SVGBarChart(title: "Cost <per> day", points: points, tickFormat: { "\($0)" }, emptyText: "nothing").html
        #expect(html.contains("<svg"))
        #expect(html.components(separatedBy: "<rect class=\"bar\"").count - 1 == 7)
        #expect(html.contains("<title>2026-11-03: $3</title>"))
        #expect(html.contains("Cost &lt;per&gt; day") && !html.contains("<per>"))
        let empty = SVGBarChart(
            title: "Cost", points: points.map { .init(label: $0.label, value: 0, display: "$0") }, tickFormat: { "\($0)" },
            emptyText: "No cost in the last 7 days."
        ).html
        #expect(!empty.contains("<svg") && empty.contains("No cost in the last 7 days."))
    }

    @Test func csrfTokensCompare() {
        let token = DashboardCSRF.newToken()
        #expect(token.count >= 43 && token != DashboardCSRF.newToken())
        #expect(DashboardCSRF.matches(token, token))
        #expect(!DashboardCSRF.matches(token + "x", token))
        #expect(!DashboardCSRF.matches(nil, token) && !DashboardCSRF.matches(token, nil) && !DashboardCSRF.matches("", ""))
    }

    @Test func csvQuotesOnlyWhatNeedsIt() {
        #expect(CSVRow.line(["a", nil, "b,c", "say \"hi\"", "two\nlines"]) == "a,,\"b,c\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n")
    }

    @Test func csvFormulasShowAsText() {
        #expect(
            CSVRow.line(["=HYPERLINK(\"http://x\")", "+1", "@SUM(A1)", "-2+3+cmd|' /C calc'!A0", "\tx"])
                == "'=HYPERLINK(\"http://x\")".csvQuoted + ",'+1,'@SUM(A1),'-2+3+cmd|' /C calc'!A0,'\tx\r\n")
        #expect(CSVRow.line(["-5", "-0.25", "a=b", "", "1e-5"]) == "-5,-0.25,a=b,,1e-5\r\n", "numbers and inner signs stay")
    }

    @Test func formBodiesDecode() {
        #expect(FormBody.parse("key=llmlog_ak_x%2By&csrf=a+b&key=second") == ["key": "llmlog_ak_x+y", "csrf": "a b"])
    }

    @Test func sessionLifetimeIsConfigurable() throws {
        #expect(try ServiceConfiguration.fromEnvironment([:]).sessionTTLSeconds == 43_200)
        #expect(try ServiceConfiguration.fromEnvironment(["LLMLOG_SESSION_TTL_SECONDS": "3600"]).sessionTTLSeconds == 3600)
    }
}

extension String {
    /// The field quoted as CSVRow quotes it.
    fileprivate var csvQuoted: String { "\"" + replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}
