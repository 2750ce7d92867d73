import Foundation
import PGClient

/// Which conversations a searched list page may hold, found with a plan that suits the words searched for. The
/// planner cannot tell a rare word from a common one here (row-level security keeps a table's statistics away from
/// operators that are not leakproof, `@@` among them), so the list decides by trying: it first probes the newest
/// conversations the page could show, one by one, and stops at a page of matches — a common word is done after
/// about a page of probes; when the probed window runs out first, the word is rare and the GIN index gives every
/// conversation that has it, for the page query to order and cut. Measured on the benchmark's 10M messages: see
/// the README, "Search".
enum SearchCandidates {
    /// Conversations probed before the index is asked instead (at least; twice a page when pages are larger).
    static let probeWindow = 100
    /// Most conversations taken from the index; past it the page probes per conversation after all (exact, slower).
    static let indexCap = 50_000

    /// The search narrowing for a page of `limit` rows (plus one, to know whether more follow) after `cursor`.
    static func find(
        _ tx: PGConnection, tenantId: UUID, filters: ConversationFilters, after cursor: (createdAt: Date, id: UUID)?, query: String,
        limit: Int
    ) async throws -> ConversationListQuery.Search {
        let need = limit + 1
        let scan = max(probeWindow, 2 * need)
        let recent = try await tx.query(
            ConversationListQuery.recentMatches(tenantId: tenantId, filters: filters, after: cursor, query: query, scan: scan, need: need))
        let (scanned, found) = try recent[0].decode((Int, [UUID]).self)
        if found.count >= need || scanned < scan { return .ids(found) }
        let all = try await tx.query(SearchIndexStatements.allMatches(tenantId: tenantId, query: query, cap: indexCap))[0]
            .decode([UUID].self, column: 0)
        return all.count > indexCap ? .query(query) : .ids(all)
    }
}
