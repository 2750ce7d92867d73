import CLibPQ
import Glibc

extension PGRawConnection {
    /// Sends all queries in libpq's pipeline mode (one round trip for the lot) and returns one result per
    /// query. After a failing query the server skips the rest up to the sync point: they fail as aborted.
    /// Sending is non-blocking and interleaved with reading, so a long pipeline cannot deadlock on full buffers.
    func pipeline(_ queries: [PGQuery], operation: UInt64) throws(PGError) -> [Result<PGResult, PGError>] {
        try withHandle { (handle) throws(PGError) in try pipeline(queries, operation: operation, handle: handle) }
    }

    private func pipeline(_ queries: [PGQuery], operation: UInt64, handle: OpaquePointer) throws(PGError) -> [Result<PGResult, PGError>] {
        try beginOperation(operation)
        defer { endOperation() }
        var names: [String?] = []
        for query in queries { names.append(try preparedName(for: query, operation: operation)) }  // before pipeline mode
        guard PQenterPipelineMode(handle) == 1 else { throw connectionError() }
        PQsetnonblocking(handle, 1)
        var reader = PipelineReader(expected: queries.count)
        defer {
            // Leave the connection as found; if it broke, the pool discards it (status is then not OK).
            PQsetnonblocking(handle, 0)
            PQexitPipelineMode(handle)
        }
        for (query, name) in zip(queries, names) {
            let sent = query.binds.withLibPQArrays { types, values, lengths, formats in
                if let name {
                    PQsendQueryPrepared(handle, name, Int32(query.binds.count), values, lengths, formats, 1)
                } else {
                    PQsendQueryParams(handle, query.sql, Int32(query.binds.count), types, values, lengths, formats, 1)
                }
            }
            guard sent == 1 else { throw connectionError() }
            try flush(draining: &reader, operation: operation, untilEmpty: false, handle: handle)
        }
        guard PQpipelineSync(handle) == 1 else { throw connectionError() }
        try flush(draining: &reader, operation: operation, untilEmpty: true, handle: handle)
        PQsetnonblocking(handle, 0)
        while !reader.isComplete {
            try reader.take(PQgetResult(handle), connection: self, operation: operation)
        }
        return zip(reader.results, queries).map { result, query in result.mapError { $0.failing(query) } }
    }

    /// Pushes buffered output to the server; while the socket is not writable, reads what the server sent
    /// (so it is never blocked writing results to us). With `untilEmpty` false, one non-blocking attempt.
    private func flush(draining reader: inout PipelineReader, operation: UInt64, untilEmpty: Bool, handle: OpaquePointer) throws(PGError) {
        while true {
            let pending = PQflush(handle)
            if pending < 0 { throw connectionError() }
            if pending == 0 { return }
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN | POLLOUT), revents: 0)
            _ = poll(&descriptor, 1, untilEmpty ? -1 : 0)
            if descriptor.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                guard PQconsumeInput(handle) == 1 else { throw connectionError() }
                while !reader.isComplete, PQisBusy(handle) == 0 {
                    try reader.take(PQgetResult(handle), connection: self, operation: operation)
                }
            }
            if !untilEmpty { return }
        }
    }
}

/// Collects pipeline results: each query yields its result(s) then a NULL; the sync point yields PIPELINE_SYNC.
struct PipelineReader {
    let expected: Int
    var results: [Result<PGResult, PGError>] = []
    private var current: Result<PGResult, PGError>?
    private var synced = false

    init(expected: Int) {
        self.expected = expected
        results.reserveCapacity(expected)
    }

    var isComplete: Bool { synced && results.count == expected }

    mutating func take(_ result: OpaquePointer?, connection: PGRawConnection, operation: UInt64) throws(PGError) {
        guard let result else {
            // A broken connection answers NULL for ever: without this the caller would wait for a sync that never comes.
            if connection.isBroken { throw connection.connectionError() }
            if results.count < expected {
                results.append(current ?? .failure(connection.connectionError()))
                current = nil
            }
            return
        }
        switch PQresultStatus(result) {
        case PGRES_PIPELINE_SYNC:
            PQclear(result)
            synced = true
            if results.count < expected { throw connection.connectionError() }
        case PGRES_PIPELINE_ABORTED:
            PQclear(result)
            current = .failure(PGError(kind: .server, message: "not run: an earlier statement in the pipeline failed"))
        case PGRES_FATAL_ERROR, PGRES_NONFATAL_ERROR, PGRES_BAD_RESPONSE:
            current = .failure(connection.serverError(result, operation: operation))
            PQclear(result)
        default:
            current = .success(PGResult(handle: result))
        }
    }
}
