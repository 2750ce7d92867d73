#include "cbench.h"

#include <endian.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

struct cbench_connection {
    PGconn *conn;
};

enum { OID_INT8 = 20, OID_TEXT = 25, OID_FLOAT8 = 701, OID_INT8_ARRAY = 1016, OID_TEXT_ARRAY = 1009,
       OID_FLOAT8_ARRAY = 1022 };

static const char *const FETCH_SQL =
    "SELECT i::int8, md5(i::text), i::float8 / 3, now() + i * interval '1 second', gen_random_uuid() "
    "FROM generate_series(1, $1) i";
static const char *const INSERT_SQL = "INSERT INTO bench_insert (id, name, value) VALUES ($1, $2, $3)";
static const char *const BULK_SQL =
    "INSERT INTO bench_insert (id, name, value) "
    "SELECT * FROM unnest($1::int8[], $2::text[], $3::float8[])";

static void set_error(char *error, size_t capacity, const char *what, const char *message) {
    if (error == NULL || capacity == 0) return;
    snprintf(error, capacity, "%s: %s", what, message ? message : "unknown error");
    // libpq messages end with a newline; drop it.
    size_t length = strlen(error);
    while (length > 0 && (error[length - 1] == '\n' || error[length - 1] == ' ')) error[--length] = '\0';
}

static int fail_result(PGresult *result, PGconn *conn, char *error, size_t capacity, const char *what) {
    const char *message = result ? PQresultErrorMessage(result) : PQerrorMessage(conn);
    if (message == NULL || message[0] == '\0') message = PQerrorMessage(conn);
    set_error(error, capacity, what, message);
    if (result) PQclear(result);
    return -1;
}

cbench_connection *cbench_connect(const char *conninfo, char *error, size_t error_capacity) {
    PGconn *conn = PQconnectdb(conninfo);
    if (conn == NULL) {
        set_error(error, error_capacity, "connect", "out of memory");
        return NULL;
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        set_error(error, error_capacity, "connect", PQerrorMessage(conn));
        PQfinish(conn);
        return NULL;
    }
    cbench_connection *connection = malloc(sizeof *connection);
    if (connection == NULL) {
        PQfinish(conn);
        set_error(error, error_capacity, "connect", "out of memory");
        return NULL;
    }
    connection->conn = conn;
    return connection;
}

void cbench_close(cbench_connection *connection) {
    if (connection == NULL) return;
    PQfinish(connection->conn);
    free(connection);
}

int cbench_exec(cbench_connection *connection, const char *sql, char *error, size_t error_capacity) {
    PGresult *result = PQexec(connection->conn, sql);
    ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        return fail_result(result, connection->conn, error, error_capacity, "exec");
    }
    PQclear(result);
    return 0;
}

// MARK: fetch

/// One decoded row, as a C program would hold it.
typedef struct fetched_row {
    int64_t id;
    char name[64];
    size_t name_length;
    double value;
    double timestamp;  // seconds since 2001-01-01 UTC, as Foundation's Date holds it
    uint8_t uuid[16];
} fetched_row;

/// Decoded rows land here (a ring), so the copies are observable and cannot be optimized away.
enum { RING = 256 };
static fetched_row ring[RING];

static inline int64_t read_int64(const char *bytes) {
    uint64_t raw;
    memcpy(&raw, bytes, 8);
    return (int64_t)be64toh(raw);
}

static inline double read_float8(const char *bytes) {
    uint64_t raw;
    memcpy(&raw, bytes, 8);
    raw = be64toh(raw);
    double value;
    memcpy(&value, &raw, 8);
    return value;
}

int cbench_fetch(cbench_connection *connection, int64_t rows, cbench_fetch_summary *summary,
                 char *error, size_t error_capacity) {
    PGconn *conn = connection->conn;
    uint64_t bound = htobe64((uint64_t)rows);
    const Oid types[1] = {OID_INT8};
    const char *values[1] = {(const char *)&bound};
    const int lengths[1] = {8};
    const int formats[1] = {1};
    PGresult *result = PQexecParams(conn, FETCH_SQL, 1, types, values, lengths, formats, 1);
    if (result == NULL || PQresultStatus(result) != PGRES_TUPLES_OK) {
        return fail_result(result, conn, error, error_capacity, "fetch");
    }
    if (PQnfields(result) != 5 || PQftype(result, 0) != OID_INT8 || PQftype(result, 2) != OID_FLOAT8) {
        return fail_result(result, conn, error, error_capacity, "fetch: unexpected result shape");
    }
    int count = PQntuples(result);
    int64_t stable = 0;
    uint64_t mix = 0;
    for (int index = 0; index < count; index++) {
        fetched_row *row = &ring[index & (RING - 1)];
        for (int column = 0; column < 5; column++) {
            if (PQgetisnull(result, index, column)) {
                return fail_result(result, conn, error, error_capacity, "fetch: unexpected NULL");
            }
        }
        // int8
        if (PQgetlength(result, index, 0) != 8) return fail_result(result, conn, error, error_capacity, "fetch: int8 length");
        row->id = read_int64(PQgetvalue(result, index, 0));
        // text: copied out of libpq's buffer
        int name_length = PQgetlength(result, index, 1);
        if (name_length < 0 || (size_t)name_length >= sizeof row->name) {
            return fail_result(result, conn, error, error_capacity, "fetch: text too long");
        }
        memcpy(row->name, PQgetvalue(result, index, 1), (size_t)name_length);
        row->name[name_length] = '\0';
        row->name_length = (size_t)name_length;
        // float8
        if (PQgetlength(result, index, 2) != 8) return fail_result(result, conn, error, error_capacity, "fetch: float8 length");
        row->value = read_float8(PQgetvalue(result, index, 2));
        // timestamptz: microseconds since 2000-01-01 -> seconds since 2001-01-01
        if (PQgetlength(result, index, 3) != 8) return fail_result(result, conn, error, error_capacity, "fetch: timestamptz length");
        int64_t micros = read_int64(PQgetvalue(result, index, 3));
        row->timestamp = (double)(micros - (int64_t)366 * 86400 * 1000000) / 1000000.0;
        // uuid
        if (PQgetlength(result, index, 4) != 16) return fail_result(result, conn, error, error_capacity, "fetch: uuid length");
        memcpy(row->uuid, PQgetvalue(result, index, 4), 16);

        stable += row->id + (int64_t)row->name_length + (unsigned char)row->name[0] + (int64_t)llround(row->value * 3);
        uint64_t time_bits, uuid_head;
        memcpy(&time_bits, &row->timestamp, 8);
        memcpy(&uuid_head, row->uuid, 8);
        mix ^= time_bits ^ uuid_head;
    }
    PQclear(result);
    summary->rows = count;
    summary->stable_checksum = stable;
    summary->volatile_checksum = mix;
    return 0;
}

// MARK: inserts

/// The parameters of the i-th inserted row: (i, "name-i", i * 0.5), all binary.
typedef struct insert_params {
    uint64_t id;
    uint64_t value;
    char name[32];
    const char *values[3];
    int lengths[3];
} insert_params;

static const Oid INSERT_TYPES[3] = {OID_INT8, OID_TEXT, OID_FLOAT8};
static const int INSERT_FORMATS[3] = {1, 1, 1};

static inline void make_params(insert_params *params, int64_t i) {
    params->id = htobe64((uint64_t)i);
    double value = (double)i * 0.5;
    uint64_t bits;
    memcpy(&bits, &value, 8);
    params->value = htobe64(bits);
    int name_length = snprintf(params->name, sizeof params->name, "name-%" PRId64, i);
    params->values[0] = (const char *)&params->id;
    params->values[1] = params->name;
    params->values[2] = (const char *)&params->value;
    params->lengths[0] = 8;
    params->lengths[1] = name_length;
    params->lengths[2] = 8;
}

int cbench_single_inserts(cbench_connection *connection, int64_t count, char *error, size_t error_capacity) {
    PGconn *conn = connection->conn;
    insert_params params;
    for (int64_t i = 1; i <= count; i++) {
        make_params(&params, i);
        PGresult *result = PQexecParams(conn, INSERT_SQL, 3, INSERT_TYPES, params.values, params.lengths,
                                        INSERT_FORMATS, 1);
        if (result == NULL || PQresultStatus(result) != PGRES_COMMAND_OK) {
            return fail_result(result, conn, error, error_capacity, "insert");
        }
        PQclear(result);
    }
    return 0;
}

/// Pipeline bookkeeping: each query yields its result then NULL; the sync point yields PIPELINE_SYNC.
typedef struct pipeline_reader {
    int64_t expected;
    int64_t completed;
    int have_result;
    int synced;
    int failed;
} pipeline_reader;

/// Takes every result libpq can hand out without blocking. Returns -1 on a failed statement.
static int drain(PGconn *conn, pipeline_reader *reader, char *error, size_t capacity) {
    while (!(reader->synced && reader->completed == reader->expected) && !PQisBusy(conn)) {
        PGresult *result = PQgetResult(conn);
        if (result == NULL) {
            if (!reader->have_result) return 0;  // nothing in flight that has answered yet
            reader->have_result = 0;
            reader->completed++;
            continue;
        }
        ExecStatusType status = PQresultStatus(result);
        if (status == PGRES_PIPELINE_SYNC) {
            reader->synced = 1;
            PQclear(result);
            continue;
        }
        reader->have_result = 1;
        if (status != PGRES_COMMAND_OK) {
            reader->failed = 1;
            return fail_result(result, conn, error, capacity, "pipelined insert");
        }
        PQclear(result);
    }
    return 0;
}

/// Flushes output; while the socket is not writable, reads what the server sent so neither side blocks.
static int flush(PGconn *conn, pipeline_reader *reader, int until_empty, char *error, size_t capacity) {
    for (;;) {
        int pending = PQflush(conn);
        if (pending < 0) return fail_result(NULL, conn, error, capacity, "flush");
        if (pending == 0) return 0;
        struct pollfd descriptor = {.fd = PQsocket(conn), .events = POLLIN | POLLOUT, .revents = 0};
        poll(&descriptor, 1, until_empty ? -1 : 0);
        if (descriptor.revents & (POLLIN | POLLHUP | POLLERR)) {
            if (!PQconsumeInput(conn)) return fail_result(NULL, conn, error, capacity, "read");
            if (drain(conn, reader, error, capacity) != 0) return -1;
        }
        if (!until_empty) return 0;
    }
}

int cbench_pipelined_inserts(cbench_connection *connection, int64_t count, char *error, size_t error_capacity) {
    PGconn *conn = connection->conn;
    if (!PQenterPipelineMode(conn)) return fail_result(NULL, conn, error, error_capacity, "enter pipeline mode");
    PQsetnonblocking(conn, 1);
    pipeline_reader reader = {.expected = count};
    int status = 0;
    insert_params params;
    for (int64_t i = 1; i <= count && status == 0; i++) {
        make_params(&params, i);
        if (!PQsendQueryParams(conn, INSERT_SQL, 3, INSERT_TYPES, params.values, params.lengths, INSERT_FORMATS, 1)) {
            status = fail_result(NULL, conn, error, error_capacity, "send");
            break;
        }
        status = flush(conn, &reader, 0, error, error_capacity);
    }
    if (status == 0 && !PQpipelineSync(conn)) status = fail_result(NULL, conn, error, error_capacity, "sync");
    if (status == 0) status = flush(conn, &reader, 1, error, error_capacity);
    PQsetnonblocking(conn, 0);
    while (status == 0 && !(reader.synced && reader.completed == reader.expected)) {
        if (PQisBusy(conn)) {
            struct pollfd descriptor = {.fd = PQsocket(conn), .events = POLLIN, .revents = 0};
            poll(&descriptor, 1, -1);
            if (!PQconsumeInput(conn)) {
                status = fail_result(NULL, conn, error, error_capacity, "read");
                break;
            }
        }
        status = drain(conn, &reader, error, error_capacity);
    }
    if (status != 0) {
        // Read up to the sync point so the connection can leave pipeline mode.
        PGresult *result;
        for (int guard = 0; guard < 1000000; guard++) {
            result = PQgetResult(conn);
            if (result == NULL) continue;
            int sync = PQresultStatus(result) == PGRES_PIPELINE_SYNC;
            PQclear(result);
            if (sync) break;
        }
    }
    PQexitPipelineMode(conn);
    return status;
}

// MARK: bulk

/// Appends a big-endian 32-bit integer.
static inline char *put32(char *cursor, uint32_t value) {
    value = htobe32(value);
    memcpy(cursor, &value, 4);
    return cursor + 4;
}

static inline char *put64(char *cursor, uint64_t value) {
    value = htobe64(value);
    memcpy(cursor, &value, 8);
    return cursor + 8;
}

/// The 20-byte header of a one-dimensional binary array without NULLs.
static char *put_array_header(char *cursor, uint32_t element_type, int64_t count) {
    cursor = put32(cursor, 1);  // dimensions
    cursor = put32(cursor, 0);  // has NULLs
    cursor = put32(cursor, element_type);
    cursor = put32(cursor, (uint32_t)count);
    return put32(cursor, 1);  // lower bound
}

int cbench_bulk_insert(cbench_connection *connection, int64_t count, char *error, size_t error_capacity) {
    PGconn *conn = connection->conn;
    size_t fixed_size = 20 + (size_t)count * 12;
    size_t text_size = 20 + (size_t)count * (4 + 32);
    char *ids = malloc(fixed_size), *names = malloc(text_size), *values = malloc(fixed_size);
    if (!ids || !names || !values) {
        free(ids), free(names), free(values);
        set_error(error, error_capacity, "bulk insert", "out of memory");
        return -1;
    }
    char *id_cursor = put_array_header(ids, OID_INT8, count);
    char *name_cursor = put_array_header(names, OID_TEXT, count);
    char *value_cursor = put_array_header(values, OID_FLOAT8, count);
    for (int64_t i = 1; i <= count; i++) {
        id_cursor = put32(id_cursor, 8);
        id_cursor = put64(id_cursor, (uint64_t)i);
        int length = snprintf(name_cursor + 4, 32, "name-%" PRId64, i);
        name_cursor = put32(name_cursor, (uint32_t)length) + length;
        double value = (double)i * 0.5;
        uint64_t bits;
        memcpy(&bits, &value, 8);
        value_cursor = put32(value_cursor, 8);
        value_cursor = put64(value_cursor, bits);
    }
    const Oid types[3] = {OID_INT8_ARRAY, OID_TEXT_ARRAY, OID_FLOAT8_ARRAY};
    const char *parameters[3] = {ids, names, values};
    const int lengths[3] = {(int)(id_cursor - ids), (int)(name_cursor - names), (int)(value_cursor - values)};
    const int formats[3] = {1, 1, 1};
    PGresult *result = PQexecParams(conn, BULK_SQL, 3, types, parameters, lengths, formats, 1);
    free(ids), free(names), free(values);
    if (result == NULL || PQresultStatus(result) != PGRES_COMMAND_OK) {
        return fail_result(result, conn, error, error_capacity, "bulk insert");
    }
    if (strtoll(PQcmdTuples(result), NULL, 10) != count) {
        return fail_result(result, conn, error, error_capacity, "bulk insert: wrong row count");
    }
    PQclear(result);
    return 0;
}
