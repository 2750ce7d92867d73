import Foundation

/// Reads sample values out of a Prometheus text exposition.
struct PrometheusText {
    let text: String

    /// The value of the sample written exactly as `series` (name plus `{labels}` as the server orders them), or nil.
    func value(_ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1).split(separator: " ")[0])
        }
        return nil
    }

    /// The names of every sample (`# TYPE` lines name the families).
    var families: Set<String> {
        Set(
            text.split(separator: "\n").compactMap { line -> String? in
                let parts = line.split(separator: " ")
                return parts.count >= 3 && parts[0] == "#" && parts[1] == "TYPE" ? String(parts[2]) : nil
            })
    }
}
