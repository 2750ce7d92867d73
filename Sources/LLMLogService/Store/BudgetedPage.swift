import PGClient

/// One page of a keyset-ordered read that also fits a byte budget: the written-once "limit + 1" paging of the
/// conversation list and a conversation's messages.
enum BudgetedPage {
    /// Reads `size` (an int8 expression of a row's client-sized text) for up to `limit + 1` rows of `query`, keeps
    /// as many rows as fit `maxAnswerBytes` (`AnswerBudget`; at least one), then reads those rows' `columns` and
    /// decodes them. `more` tells whether rows follow the page. `query(select, limit)` is the ordered statement with
    /// `select` as its select list; run both in one repeatable-read snapshot.
    static func read<Row>(
        _ tx: PGConnection, limit: Int, maxAnswerBytes: Int, size: String, columns: String,
        query: (_ select: String, _ limit: Int) -> PGQuery, decode: (PGRow) throws -> Row
    ) async throws -> (rows: [Row], more: Bool) {
        let sizes = try await tx.query(query(size, limit + 1)).map { try $0.decode(Int.self, column: 0) }
        let take = AnswerBudget.rowsThatFit(sizes: sizes, budget: maxAnswerBytes, limit: limit)
        let rows = take == 0 ? [] : try await tx.query(query(columns, take)).map(decode)
        return (rows, sizes.count > rows.count)
    }
}
