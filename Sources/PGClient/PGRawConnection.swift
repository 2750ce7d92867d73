import CLibPQ
import Foundation
import Glibc
import Logging
import Synchronization

/// A libpq connection driven synchronously. Every method that talks to the server blocks, so it is called only
/// from a thread PGClient owns (the pool's executor), and from one such thread at a time (the lease or the
/// `busy` flag of PGConnection guarantees it). Only the cancel state is shared across threads, under its lock.
final class PGRawConnection: @unchecked Sendable {
    /// libpq's connection. Ownership: this object's — created by `connect`, freed by `close()` (`PQfinish`), never
    /// anywhere else. Read and written only by the thread running the current operation. Private: other files reach
    /// it only through `withHandle`, for the span of one call.
    private let handle: OpaquePointer
    let logger: Logger
    private let noticeSink: Unmanaged<PGNoticeSink>
    let cancelState: Mutex<PGCancelState>
    private var closed = false
    /// Set by the pool when it leases an idle connection: the next operation first checks the server is there.
    var checkLivenessFirst = false
    /// The statements prepared on this connection: SQL text and parameter types → statement name.
    private var preparedNames: [PreparedKey: String] = [:]
    /// Most statements one connection keeps prepared.
    static let preparedLimit = 256

    private struct PreparedKey: Hashable {
        let sql: String
        let types: [UInt32]
    }

    private init(handle: OpaquePointer, logger: Logger) {
        self.handle = handle
        self.logger = logger
        self.noticeSink = PGNoticeSink.install(on: handle, logger: logger)
        self.cancelState = Mutex(PGCancelState(handle: PQgetCancel(handle)))
    }

    /// Connects (blocking). On failure the half-made connection is always freed with `PQfinish`.
    static func connect(_ configuration: PGConnectionConfiguration, logger: Logger) throws(PGError) -> PGRawConnection {
        let keywords = configuration.parameters.map { strdup($0.keyword) } + [nil]
        let values = configuration.parameters.map { strdup($0.value) } + [nil]
        defer {
            for keyword in keywords { free(keyword) }
            for value in values { free(value) }
        }
        let handle: OpaquePointer? = keywords.map { UnsafePointer($0) }.withUnsafeBufferPointer { keywordPointers in
            values.map { UnsafePointer($0) }.withUnsafeBufferPointer { valuePointers in
                PQconnectdbParams(keywordPointers.baseAddress, valuePointers.baseAddress, 1)
            }
        }
        guard let handle else {
            throw PGError(kind: .connectionFailed, code: .unableToEstablishConnection, message: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = connectionMessage(handle)
            PQfinish(handle)
            throw PGError(kind: .connectionFailed, code: .unableToEstablishConnection, message: message)
        }
        return PGRawConnection(handle: handle, logger: logger)
    }

    /// libpq's last error text for a connection, trimmed.
    static func connectionMessage(_ handle: OpaquePointer) -> String {
        guard let text = PQerrorMessage(handle) else { return "unknown libpq error" }
        return String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// True while the connection is open and outside any transaction: it can go back to a pool.
    var isReusable: Bool {
        !closed && PQstatus(handle) == CONNECTION_OK && PQtransactionStatus(handle) == PQTRANS_IDLE
            && PQpipelineStatus(handle) == PQ_PIPELINE_OFF
    }

    /// The backend's process id (for `pg_terminate_backend` in tests and operations).
    var backendPID: Int32 { PQbackendPID(handle) }

    /// Checks, without blocking when healthy, that the server is still there; reconnects if it is not.
    /// Called at the start of a lease, before anything is sent, so a reconnect can never repeat work.
    func ensureAlive() throws(PGError) {
        // Readable while idle means an async message (notice, notification) or the server's goodbye and EOF.
        // Consume until the socket is quiet; a closed peer turns the status to CONNECTION_BAD on the way.
        for _ in 0..<8 where PQstatus(handle) == CONNECTION_OK {
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN) | CLIBPQ_POLLRDHUP, revents: 0)
            let ready = poll(&descriptor, 1, 0)
            if ready == 0 { return }
            if ready < 0 || descriptor.revents & (CLIBPQ_POLLRDHUP | Int16(POLLHUP | POLLERR | POLLNVAL)) != 0 { break }
            if PQconsumeInput(handle) == 0 { break }
            _ = PQisBusy(handle)  // parses what arrived: an idle-time error goes to the notice sink
            // The server said goodbye (FATAL while idle): its close may not have reached the socket yet.
            if noticeSink.takeUnretainedValue().fatalReceived.load(ordering: .relaxed) { break }
        }
        logger.info("postgres connection lost while idle; reconnecting")
        cancelState.withLock { state in
            if let cancel = state.handle { PQfreeCancel(cancel) }
            state.handle = nil
        }
        noticeSink.takeUnretainedValue().fatalReceived.store(false, ordering: .relaxed)
        preparedNames.removeAll()  // a new server session has none of them
        PQreset(handle)
        guard PQstatus(handle) == CONNECTION_OK else {
            throw PGError(kind: .connectionFailed, code: .unableToEstablishConnection, message: Self.connectionMessage(handle))
        }
        let cancel = PQgetCancel(handle)
        cancelState.withLock { $0.handle = cancel }
    }

    /// Runs one statement with bound parameters and binary results.
    func execute(_ query: PGQuery, operation: UInt64) throws(PGError) -> PGResult {
        try beginOperation(operation)
        defer { endOperation() }
        let name = try preparedName(for: query, operation: operation)
        let result = query.binds.withLibPQArrays { types, values, lengths, formats in
            if let name {
                PQexecPrepared(handle, name, Int32(query.binds.count), values, lengths, formats, 1)
            } else {
                PQexecParams(handle, query.sql, Int32(query.binds.count), types, values, lengths, formats, 1)
            }
        }
        do {
            return try checked(result, operation: operation)
        } catch {
            throw error.failing(query)
        }
    }

    /// The name of `query`'s prepared statement on this connection, preparing it first if needed (a round trip,
    /// not allowed in pipeline mode); nil for a query that is not `isPrepared` or when the connection keeps
    /// `preparedLimit` statements already.
    func preparedName(for query: PGQuery, operation: UInt64) throws(PGError) -> String? {
        guard query.isPrepared else { return nil }
        let key = PreparedKey(sql: query.sql, types: query.binds.types)
        if let name = preparedNames[key] { return name }
        guard preparedNames.count < Self.preparedLimit else { return nil }
        let name = "pgclient_\(preparedNames.count)"
        let result = query.binds.types.withUnsafeBufferPointer { types in
            PQprepare(handle, name, query.sql, Int32(types.count), types.baseAddress)
        }
        _ = try checked(result, operation: operation)  // freed by PGResult
        preparedNames[key] = name
        return name
    }

    /// Runs SQL text that may hold several statements (simple protocol, no parameters), e.g. a migration.
    func executeScript(_ sql: String, operation: UInt64) throws(PGError) {
        try beginOperation(operation)
        defer { endOperation() }
        _ = try checked(PQexec(handle, sql), operation: operation)
        // PQexec returns the last result; earlier ones were consumed by libpq. Drain anything left over.
        while let extra = PQgetResult(handle) { PQclear(extra) }
    }

    /// Turns a libpq result into a PGResult or a PGError (freeing it in the error case).
    func checked(_ result: OpaquePointer?, operation: UInt64) throws(PGError) -> PGResult {
        guard let result else { throw connectionError() }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY, PGRES_SINGLE_TUPLE:
            return PGResult(handle: result)
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            PQclear(result)
            throw PGError.misuse("COPY must go through copyFrom, not query")
        default:
            let error = serverError(result, operation: operation)
            PQclear(result)
            throw error
        }
    }

    /// The PGError for an error result: the server's fields, or a connection error when it has no SQLSTATE.
    func serverError(_ result: OpaquePointer, operation: UInt64) -> PGError {
        func field(_ code: Int32) -> String? { PQresultErrorField(result, code).map { String(cString: $0) } }
        guard let sqlstate = field(CLIBPQ_DIAG_SQLSTATE) else { return connectionError() }
        let code = PGError.Code(sqlstate)
        let cancelledByUs = code == .queryCanceled && cancelState.withLock { $0.requested(operation) }
        return PGError(
            kind: cancelledByUs ? .cancelled : .server, code: code,
            message: field(CLIBPQ_DIAG_MESSAGE_PRIMARY) ?? "", severity: field(CLIBPQ_DIAG_SEVERITY_NONLOCALIZED),
            detail: field(CLIBPQ_DIAG_MESSAGE_DETAIL), hint: field(CLIBPQ_DIAG_MESSAGE_HINT),
            schema: field(CLIBPQ_DIAG_SCHEMA_NAME), table: field(CLIBPQ_DIAG_TABLE_NAME),
            column: field(CLIBPQ_DIAG_COLUMN_NAME), constraint: field(CLIBPQ_DIAG_CONSTRAINT_NAME))
    }

    /// The error for a failure without a server error result: a lost connection or a client-side failure.
    func connectionError() -> PGError {
        let message = Self.connectionMessage(handle)
        if PQstatus(handle) != CONNECTION_OK { return PGError.connectionClosed(message) }
        return PGError(kind: .client, message: message)
    }

    /// Runs `body` with libpq's connection (for this type's extensions in other files: pipelining, COPY). The pointer
    /// is valid only during `body`, on the thread running the current operation, and must not escape it.
    func withHandle<R, E: Error>(_ body: (OpaquePointer) throws(E) -> R) throws(E) -> R {
        try body(handle)
    }

    /// True when libpq says the connection is broken (it then answers NULL for ever).
    var isBroken: Bool { PQstatus(handle) == CONNECTION_BAD }

    /// Closes the connection (sends Terminate, frees libpq's memory). Idempotent.
    func close() {
        guard !closed else { return }
        closed = true
        cancelState.withLock { state in
            if let cancel = state.handle { PQfreeCancel(cancel) }
            state.handle = nil
        }
        PQfinish(handle)
        noticeSink.release()
    }

    deinit { close() }
}
