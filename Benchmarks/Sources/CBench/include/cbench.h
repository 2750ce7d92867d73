// The C baseline of the benchmark: the same workloads written directly against libpq, as a program that
// knows its query's shape would (binary result format, fields read by position, no per-row allocation).
// It stands for the physical limit of a libpq-based client. Swift calls it; every function blocks.
#ifndef PGCLIENT_BENCH_CBENCH_H
#define PGCLIENT_BENCH_CBENCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// An open libpq connection (opaque to Swift).
typedef struct cbench_connection cbench_connection;

/// What a fetch read: the row count and two checksums.
typedef struct cbench_fetch_summary {
    /// Rows read.
    int64_t rows;
    /// Sum over rows of id + text length + first text byte + round(value * 3): the same on every client.
    int64_t stable_checksum;
    /// A mix of the timestamps and UUIDs (differs between runs: now() and gen_random_uuid()).
    uint64_t volatile_checksum;
} cbench_fetch_summary;

/// Connects with a libpq connection string or URL. Returns NULL on failure, with the message in `error`.
cbench_connection *cbench_connect(const char *conninfo, char *error, size_t error_capacity);

/// Closes the connection.
void cbench_close(cbench_connection *connection);

/// Runs SQL without parameters (DDL, TRUNCATE). Returns 0, or -1 with the message in `error`.
int cbench_exec(cbench_connection *connection, const char *sql, char *error, size_t error_capacity);

/// Fetches `SELECT i::int8, md5(i::text), i::float8 / 3, now() + i * interval '1 second', gen_random_uuid()
/// FROM generate_series(1, $1) i` in binary format and decodes every field into C values.
int cbench_fetch(cbench_connection *connection, int64_t rows, cbench_fetch_summary *summary,
                 char *error, size_t error_capacity);

/// `count` single-row parameterized INSERTs into bench_insert, each awaited before the next (autocommit).
int cbench_single_inserts(cbench_connection *connection, int64_t count, char *error, size_t error_capacity);

/// `count` single-row parameterized INSERTs sent in libpq pipeline mode, one sync point at the end.
int cbench_pipelined_inserts(cbench_connection *connection, int64_t count, char *error, size_t error_capacity);

/// `count` rows inserted by one `INSERT ... SELECT * FROM unnest($1::int8[], $2::text[], $3::float8[])`
/// with binary array parameters.
int cbench_bulk_insert(cbench_connection *connection, int64_t count, char *error, size_t error_capacity);

#ifdef __cplusplus
}
#endif

#endif
