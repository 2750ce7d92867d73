import CLibPQ

extension PGRawConnection {
    /// Starts `COPY … FROM STDIN`; the server then waits for data.
    func beginCopy(_ sql: String, operation: UInt64) throws(PGError) {
        try beginOperation(operation)
        defer { endOperation() }
        guard let result = withHandle({ PQexec($0, sql) }) else { throw connectionError() }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COPY_IN else {
            if PQresultStatus(result) == PGRES_FATAL_ERROR { throw serverError(result, operation: operation) }
            throw PGError.misuse("copyFrom needs a COPY … FROM STDIN statement")
        }
    }

    /// Sends one chunk of COPY data (blocking until libpq has queued it).
    func putCopyData(_ bytes: [UInt8], operation: UInt64) throws(PGError) {
        try beginOperation(operation)
        defer { endOperation() }
        let status = withHandle { handle in
            bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { PQputCopyData(handle, $0.baseAddress, Int32($0.count)) }
            }
        }
        guard status == 1 else { throw connectionError() }
    }

    /// Ends the COPY (or aborts it with `failure`) and returns the number of rows copied.
    func endCopy(failure: String?, operation: UInt64) throws(PGError) -> Int {
        try beginOperation(operation)
        defer { endOperation() }
        guard withHandle({ PQputCopyEnd($0, failure) }) == 1 else { throw connectionError() }
        var copied = 0
        var firstError: PGError?
        while let result = withHandle({ PQgetResult($0) }) {
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                copied = Int(String(cString: PQcmdTuples(result))) ?? 0
            } else if firstError == nil {
                firstError = serverError(result, operation: operation)
            }
            PQclear(result)
        }
        if let firstError { throw firstError }
        return copied
    }
}
