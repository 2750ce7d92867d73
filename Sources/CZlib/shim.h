#ifndef LLMLOG_CZLIB_SHIM_H
#define LLMLOG_CZLIB_SHIM_H
#include <zlib.h>

/// inflateInit2 is a macro Swift cannot import: the gzip-only form (window bits 15 + 16) as a function.
static inline int llmlog_inflate_init_gzip(z_streamp stream) {
    return inflateInit2(stream, 15 + 16);
}
/// deflateInit2 likewise: gzip output at `level` (tests and tools compress request bodies with it).
static inline int llmlog_deflate_init_gzip(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
#endif
