// zlib's deflateInit2 is a macro that passes the header's version and the stream's size:
// a function Swift can call.
#ifndef GATEWAY_CZLIB_SHIM_H
#define GATEWAY_CZLIB_SHIM_H

#include <zlib.h>

/// A raw deflate stream (RFC 1951: no zlib or gzip wrapper, windowBits -15) at `level`.
static inline int czlib_deflate_init_raw(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
}

/// An inflate stream that reads a gzip member (windowBits 31), for tests that decode what was sent.
static inline int czlib_inflate_init_gzip(z_streamp stream) {
    return inflateInit2(stream, 31);
}

/// crc32_combine_gen, whose length type (z_off_t) is a macro.
static inline uLong czlib_crc32_combine_gen(long length) {
    return crc32_combine_gen((z_off_t)length);
}

#endif
