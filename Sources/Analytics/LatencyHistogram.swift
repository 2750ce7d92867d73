import Foundation

/// Processing times as counts in fixed log-scale buckets, so hourly rollups merge by adding counts and
/// percentiles come from the merged counts.
///
/// Bucket 0 holds 0 ms. Bucket i (1 ≤ i < 95) holds [2^((i−1)/4), 2^(i/4)) ms: four buckets per doubling.
/// Bucket 95 holds everything from 2^23.5 ms (about 3.3 hours) up. A percentile is reported as the geometric
/// middle of its bucket, 2^((i−0.5)/4) ms, so for times under 3.3 hours it is within a factor 2^(1/8) of
/// the exact nearest-rank value: at most 9.06 % high or 8.30 % low.
public enum LatencyHistogram {
    /// Number of buckets.
    public static let bucketCount = 96
    /// The relative error bound of a percentile read from the histogram (2^(1/8) − 1).
    public static let relativeErrorBound = 0.0906

    /// The bucket of a processing time in milliseconds.
    public static func bucket(milliseconds: Int64) -> Int {
        if milliseconds <= 0 { return 0 }
        let index = 1 + Int((4 * log2(Double(milliseconds))).rounded(.down))
        return min(index, bucketCount - 1)
    }

    /// The value reported for a bucket.
    public static func representative(bucket: Int) -> Double {
        bucket == 0 ? 0 : pow(2, (Double(bucket) - 0.5) / 4)
    }

    /// Adds `count` values to bucket `bucket` of `counts`, growing it as needed.
    public static func add(_ count: Int64, toBucket bucket: Int, of counts: inout [Int64]) {
        if counts.count <= bucket { counts += [Int64](repeating: 0, count: bucket + 1 - counts.count) }
        counts[bucket].addSaturating(count)
    }

    /// Adds `counts` into `total`, growing it as needed.
    public static func add(_ counts: [Int64], into total: inout [Int64]) {
        if total.count < counts.count { total += [Int64](repeating: 0, count: counts.count - total.count) }
        for (index, count) in counts.enumerated() { total[index].addSaturating(count) }
    }

    /// The nearest-rank percentile (0 < p ≤ 1) of the counted values, or nil when there are none.
    public static func percentile(_ p: Double, of counts: [Int64]) -> Double? {
        let total = counts.reduce(into: Int64(0)) { $0.addSaturating($1) }
        guard total > 0 else { return nil }
        let rank = max(1, Int64((p * Double(total)).rounded(.up)))
        var seen: Int64 = 0
        for (index, count) in counts.enumerated() {
            seen.addSaturating(count)
            if seen >= rank { return representative(bucket: index) }
        }
        return representative(bucket: counts.count - 1)
    }
}

extension Int64 {
    /// Adds `other`, stopping at `Int64.max` (or `.min`) instead of trapping: report figures are sums of rollup rows
    /// that clients filled, and a sum past 2^63 − 1 reads as that bound rather than ending the process.
    public mutating func addSaturating(_ other: Int64) {
        let (sum, overflow) = addingReportingOverflow(other)
        self = overflow ? (other > 0 ? .max : .min) : sum
    }
}
