/// How much of a page fits an answer's byte budget. A page's rows are chosen by count (`limit`), but a client
/// chose their sizes (1 MB messages, 64 KB metadata): the routes first read each candidate row's size, then fetch
/// only the rows that fit, so an answer stays near the budget whatever was stored.
enum AnswerBudget {
    /// JSON field names, ids, numbers and times of one row, beyond its variable-sized text.
    static let rowOverheadBytes = 600

    /// How many of the rows, in order, fit in `budget` bytes given their text sizes: at least one (a single row is
    /// bounded by the ingest limits), and never more than `limit`.
    static func rowsThatFit(sizes: [Int], budget: Int, limit: Int) -> Int {
        var total = 0
        for (position, size) in sizes.prefix(limit).enumerated() {
            let row = size + rowOverheadBytes
            if position > 0 && total + row > budget { return position }
            total += row
        }
        return min(sizes.count, limit)
    }
}
