// loadclient: N Server-Sent Events connections over epoll, measuring what arrives.
//
// Each event's data is expected to carry `"seq":N` and `"ts":MICROS` (CLOCK_REALTIME
// microseconds at publication), as written by origin.c. For every event the client
// records the latency (now - ts) in a log-linear histogram and checks the sequence
// per connection (a jump forward is a gap, a step back or repeat is a duplicate).
//
// The stream is parsed properly: HTTP/1.1 status and headers, chunked transfer coding
// when the server uses it, and SSE framing per the WHATWG rules (lines end with CRLF,
// LF or a lone CR, a CR at the end of one read may pair with an LF at the start of the
// next, an empty line dispatches, several `data:` lines join with LF). Any read may hold
// several events or a fraction of one.
//
// Why C and epoll: the client must absorb well over a million events a second on one
// core so that the server, not the client, is what a benchmark measures. A plain
// level-triggered epoll loop with one reusable read buffer per thread costs one read(2)
// per ready socket and a byte scan per event; nothing is allocated per event.
//
// Slow readers (-S fraction, -s factor, -e rate): a fraction of the connections, spread
// evenly over the indices, read their socket at a throttled byte rate: factor x the expected
// event rate (-e) x the bytes one event takes on the wire (measured). Each has a token bucket
// on bytes; when it runs dry the connection is taken out of epoll until the bucket has
// refilled, and the loop's epoll timeout is shortened to wake up in time. Nothing sleeps, so
// a slow connection never delays the others. A connection slot stays slow or healthy across
// reconnects, and every figure is kept per class, so reconnecting slow readers never touch
// the healthy clients' figures.
//
// Channels (--path-format, --stride): with --path-format '/sub/%d' connection i requests
// /sub/i (across reconnects too), so each connection reads its own channel. With --stride N
// a connection expects every N-th sequence number: the first event it receives fixes its
// phase (seq mod N), the next one expected is the previous + N, and one that lands k strides
// past that counts k gaps (k events of its channel missed). An event out of its phase is
// another channel's: it counts as `misrouted` and is not sequence-checked. Without these
// options nothing changes.
//
// Several servers (--ports P1,P2,...): connection i connects to the (i mod N)-th port, across
// reconnects too, so one process spreads its connections evenly over N servers on the same host
// (a cluster's instances). The JSON then has the figures per port too, under "ports".
//
// Driven windows (--hold): once every client is connected, print "connected" and wait for SIGUSR1
// before the warm-up starts, so that a driver can start several load clients' windows at once.
// --hist adds the window's latency histogram (its non-empty buckets, [upper edge µs, count]) to
// the JSON, overall and per port, so that a driver can merge several processes' percentiles.
//
// Gzip (--gzip): every request says `Accept-Encoding: gzip`; a response with `Content-Encoding:
// gzip` (HTTP/1.1) or whose body starts with gzip's magic bytes (HTTP/2, whose header block is
// not decoded) is inflated by zlib (one inflate state per connection, made once and reset on
// reconnect) between the transfer decoding and the SSE parser. A gzip member that ends (the
// server ended the stream) is checked by zlib against its CRC-32 and length: the JSON counts
// members ended cleanly (`gzip_ends`) and inflate errors (`gzip_errors`, which drop the
// connection).
//
// HTTP/2 (--h2 --streams N): cleartext with prior knowledge (h2c), N streams per TCP connection,
// each stream one client in every figure (gaps, duplicates, latency, disconnects). Stream i is on
// connection i / N. A connection sends the preface, SETTINGS (no push, an initial stream window of
// --h2-window bytes, 16 MiB by default) and a WINDOW_UPDATE that raises the connection's window to
// the same, then one HEADERS frame per stream (END_HEADERS | END_STREAM; HPACK literals without
// indexing, new names, no Huffman). Frames are parsed by their 9-byte header: DATA goes to its
// stream's body (inflate, then SSE), the server's SETTINGS are acknowledged, PING answered, the
// server's header blocks are not decoded (a response is taken as 200 when its block starts with
// the static table's `:status 200`, 0x88). Flow control is given back as a browser's stack does
// (nghttp2, Chrome): at the end of each read, one WINDOW_UPDATE for the connection and one per
// stream whose consumed DATA reached half its window, all in one write. A stream the server ends
// (END_STREAM, RST_STREAM) counts as a disconnect and is opened again on the same connection after
// -R ms; GOAWAY stops new streams, and the connection is dropped (its open streams counted as
// disconnects) and made again once its last stream ended. Not with -S (slow readers).
//
// wire_bytes in the JSON: the bytes read from the sockets during the window (compressed bytes and
// HTTP/2 framing included), and wire_bytes_per_event; body_bytes: the SSE bytes the parser got.
//
// Output: progress lines on stdout ("connected N", "start", "end") so a driver can sample
// the server's CPU exactly over the measurement window, then one JSON object line: the
// figures over all clients, and the same per class under "healthy" and "slow".
//
// Build: gcc -O2 -pthread -o loadclient loadclient.c -lz
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

// ---------------------------------------------------------------- options

static const char *opt_host = "127.0.0.1";
static int opt_port = 8080;
static const char *opt_path = "/";
static int opt_clients = 100;
static double opt_duration = 10.0;   // measurement window, seconds
static double opt_warmup = 2.0;      // after every client is connected, seconds
static double opt_connect_timeout = 60.0;
static int opt_threads = 1;
static int opt_pending = 256;        // connections in flight (connecting or awaiting headers) at once
static int opt_reconnect_ms = 250;   // 0: do not reconnect
static int opt_rcvbuf = 0;           // SO_RCVBUF, 0 = kernel default
static int opt_verbose = 0;          // per-client lines for clients with gaps/dups
static double opt_slow_fraction = 0; // -S: this fraction of the connections read slowly
static double opt_slow_factor = 0.1; // -s: at this fraction of the expected stream rate
static double opt_expected_rate = 0; // -e: the publish rate, events/s on average (for -S)
static const char *opt_path_format = NULL;  // -f/--path-format: the path of connection i, with one %d
static int64_t opt_stride = 1;       // -k/--stride: a connection sees every N-th seq
static int opt_hold = 0;             // --hold: after connecting, wait for SIGUSR1 before the warm-up
static int opt_hist = 0;             // --hist: the latency histogram in the JSON
#define MAX_PORTS 16
static int nports = 0;               // --ports: connection i connects to ports[i % nports]
static int ports[MAX_PORTS];
static int multi = 0;                // --ports given: figures per port
static int opt_gzip = 0;             // --gzip: Accept-Encoding: gzip, inflate gzip'd bodies
static int opt_h2 = 0;               // --h2: HTTP/2 with prior knowledge
static int opt_streams = 1;          // --streams: HTTP/2 streams per TCP connection
static uint32_t opt_h2_window = 16u << 20;  // --h2-window: the windows given to the server

// ---------------------------------------------------------------- time

static inline int64_t now_us_realtime(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
static inline double now_mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

// ---------------------------------------------------------------- histogram
// Exact microseconds below 2048 µs; above, 1024 sub-buckets per power of two (0.1 %).

#define H_LINEAR 2048
#define H_SUB_BITS 10
#define H_SUB (1 << H_SUB_BITS)
#define H_MAXEXP 40
#define H_SIZE (H_LINEAR + (H_MAXEXP - 11 + 1) * H_SUB)

static inline int h_index(int64_t v) {
    if (v < 0) v = 0;
    if (v < H_LINEAR) return (int)v;
    int e = 63 - __builtin_clzll((uint64_t)v);  // v in [2^e, 2^(e+1))
    if (e > H_MAXEXP) e = H_MAXEXP, v = (1LL << (H_MAXEXP + 1)) - 1;
    int sub = (int)((v >> (e - H_SUB_BITS)) & (H_SUB - 1));
    return H_LINEAR + (e - 11) * H_SUB + sub;
}
static inline int64_t h_value(int i) {  // upper edge of bucket i
    if (i < H_LINEAR) return i;
    int e = (i - H_LINEAR) / H_SUB + 11;
    int sub = (i - H_LINEAR) % H_SUB;
    return ((int64_t)(H_SUB + sub + 1) << (e - H_SUB_BITS)) - 1;
}

// ---------------------------------------------------------------- connection

enum { C_IDLE, C_CONNECTING, C_HEADERS, C_BODY, C_WAIT, C_DONE };  // C_DONE: an HTTP/2 stream not opened again
enum { CH_SIZE, CH_EXT, CH_SIZE_LF, CH_DATA, CH_DATA_CR, CH_DATA_LF, CH_TRAILER };

#define LINE_CAP 65536
#define DATA_CAP 4096
#define HDR_CAP 8192

typedef struct conn {
    int fd;
    int state;
    int index;
    int port_ix;        // its server (--ports), 0 without
    double retry_at;
    // HTTP
    int chunked;
    int cs;             // chunk state
    uint64_t chunk_left;
    char *hdr; int hdr_len;
    // SSE
    char *line; int line_len; int line_overflow;
    int skip_lf;
    char *data; int data_len; int has_data;
    // per-connection figures
    int64_t last_seq;
    uint64_t events, gaps, dups, events_window;
    uint64_t unparsed, misrouted;
    uint32_t disconnects, disconnects_window;
    // a slow reader's token bucket (bytes)
    int slow;
    int paused;         // out of epoll until the bucket refills
    double tokens, refilled_at;
    // gzip (--gzip): this stream's body is gzip'd (-1: not known yet, HTTP/2), its member ended
    int gz, gz_done, z_ready;
    z_stream z;
    // HTTP/2 (--h2): its connection, stream id, DATA consumed and not yet given back
    struct h2conn *h2;
    uint32_t h2id, h2_unacked;
} conn;

// An HTTP/2 connection (--h2): one TCP connection carrying the streams streams[0..nstreams).
enum { H_IDLE, H_CONNECTING, H_UP, H_WAIT, H_DONE };
typedef struct h2conn {
    int fd, state, index, port_ix;
    double retry_at;
    conn *streams; int nstreams;
    uint32_t next_id;
    int goaway;
    // frame parser: the 9-byte header, then the payload
    uint8_t fh[9]; int fh_have;
    uint32_t f_left, f_data_left; uint8_t f_type, f_flags; uint32_t f_sid;
    int f_pad_read;     // DATA: its pad length byte was read (or it has none)
    conn *f_stream;
    uint8_t ctl[64]; int ctl_have;  // the first bytes of a non-DATA frame's payload
    uint64_t unacked;   // DATA consumed on the connection, not yet given back
    int got_data;       // in this read
} h2conn;

// The window's figures of one class of connections (healthy or slow).
typedef struct stats {
    uint64_t *hist;
    uint64_t events, bytes, gaps, dups, disconnects, unparsed, misrouted;
    int64_t lat_max; double lat_sum;
    uint64_t disconnects_total;  // warm-up included
} stats;

typedef struct worker {
    int id;
    int epfd;
    conn *conns; int nconns;
    int pending;             // connecting or awaiting headers
    int next_to_start;       // first-connect ordering
    int connected;           // currently streaming
    int ever_connected;
    stats st[2];             // window figures: [0] healthy, [1] slow connections
    uint64_t *port_hist[MAX_PORTS];  // --ports: the window's latency histogram per server
    uint64_t http_errors, connect_errors;
    uint64_t seen_bytes, seen_events;  // since the start, all connections: bytes per event
    conn **slow; int nslow;  // this worker's slow connections
    int64_t read_now;        // realtime µs at the current read
    int measuring;           // the current read is in the window
    uint64_t wire_bytes, body_bytes;  // window: read from sockets, fed to the SSE parser
    uint64_t gzip_ends, gzip_errors, gzip_streams;
    uint64_t h2_goaways, h2_rsts, h2_errors;
    h2conn *h2s; int nh2;    // --h2: this worker's connections
    int next_h2_to_start;
    pthread_t thread;
    char *rbuf;
    unsigned char *zbuf;     // inflated bytes
    unsigned char *wbuf;     // HTTP/2 frames to send
} worker;

static struct sockaddr_in server_addrs[MAX_PORTS];  // one per port (one without --ports)
static char requests[MAX_PORTS][1024];
static int request_lens[MAX_PORTS];
static _Atomic int phase = 0;   // 0 connecting/warmup, 1 measuring, 2 done
static _Atomic int stop_flag = 0;
static worker *workers;

static void on_signal(int sig) { (void)sig; atomic_store(&stop_flag, 1); }
static volatile sig_atomic_t go_flag = 0;  // --hold: SIGUSR1 received
static void on_go(int sig) { (void)sig; go_flag = 1; }

// ---------------------------------------------------------------- SSE parsing

static inline int64_t parse_int_after(const char *s, int len, const char *key, int keylen, int *ok) {
    const char *p = memmem(s, len, key, keylen);
    if (!p) { *ok = 0; return 0; }
    p += keylen;
    const char *end = s + len;
    while (p < end && *p == ' ') p++;
    int neg = 0;
    if (p < end && *p == '-') { neg = 1; p++; }
    if (p >= end || *p < '0' || *p > '9') { *ok = 0; return 0; }
    int64_t v = 0;
    while (p < end && *p >= '0' && *p <= '9') { v = v * 10 + (*p - '0'); p++; }
    return neg ? -v : v;
}

static void dispatch(worker *w, conn *c) {
    if (!c->has_data) { c->data_len = 0; return; }
    int measuring = atomic_load_explicit(&phase, memory_order_relaxed) == 1;
    int ok = 1;
    int64_t seq = parse_int_after(c->data, c->data_len, "\"seq\":", 6, &ok);
    int64_t ts = ok ? parse_int_after(c->data, c->data_len, "\"ts\":", 5, &ok) : 0;
    c->has_data = 0;
    c->data_len = 0;
    c->events++;
    w->seen_events++;
    stats *st = &w->st[c->slow];
    if (!ok) {
        c->unparsed++;
        if (measuring) st->unparsed++;
        return;
    }
    if (c->last_seq >= 0) {
        if (opt_stride > 1 && (seq - c->last_seq) % opt_stride != 0) {
            // Not in this connection's phase: another channel's event. Latency still counts.
            if (measuring) { c->misrouted++; st->misrouted++; }
            goto timing;
        }
        if (seq > c->last_seq + opt_stride) {
            uint64_t missed = (uint64_t)((seq - c->last_seq) / opt_stride - 1);
            if (measuring) { c->gaps += missed; st->gaps += missed; }
        } else if (seq <= c->last_seq) {
            if (measuring) { c->dups++; st->dups++; }
        }
    }
    if (seq > c->last_seq) c->last_seq = seq;
timing:
    if (measuring) {
        int64_t lat = w->read_now - ts;
        if (lat < 0) lat = 0;
        st->hist[h_index(lat)]++;
        if (w->port_hist[c->port_ix]) w->port_hist[c->port_ix][h_index(lat)]++;
        if (lat > st->lat_max) st->lat_max = lat;
        st->lat_sum += (double)lat;
        st->events++;
        c->events_window++;
    }
}

static inline void process_line(worker *w, conn *c, const char *l, int n) {
    if (n == 0) { dispatch(w, c); return; }
    if (l[0] == ':') return;  // comment (heartbeat, ":ok")
    const char *colon = memchr(l, ':', n);
    int nlen = colon ? (int)(colon - l) : n;
    if (nlen == 4 && memcmp(l, "data", 4) == 0) {
        const char *v = colon ? colon + 1 : l + n;
        const char *e = l + n;
        if (v < e && *v == ' ') v++;
        int vlen = (int)(e - v);
        if (c->has_data) {
            if (c->data_len < DATA_CAP) c->data[c->data_len++] = '\n';
        }
        int room = DATA_CAP - c->data_len;
        if (vlen > room) vlen = room;
        memcpy(c->data + c->data_len, v, vlen);
        c->data_len += vlen;
        c->has_data = 1;
    }
    // id, event, retry and unknown fields do not matter to the measurement.
}

// Feeds body bytes (after transfer decoding) to the SSE line splitter.
static void sse_feed(worker *w, conn *c, const char *p, size_t n) {
    const char *end = p + n;
    if (w->measuring) w->body_bytes += n;
    if (c->skip_lf && p < end) {
        if (*p == '\n') p++;
        c->skip_lf = 0;
    }
    while (p < end) {
        const char *q = p;
        // Lines end at LF, CRLF or a lone CR.
        while (q < end && *q != '\n' && *q != '\r') q++;
        if (q == end) {
            size_t add = (size_t)(end - p);
            if (c->line_len + add > LINE_CAP) { add = LINE_CAP - c->line_len; c->line_overflow = 1; }
            memcpy(c->line + c->line_len, p, add);
            c->line_len += (int)add;
            return;
        }
        if (c->line_len) {
            size_t add = (size_t)(q - p);
            if (c->line_len + add > LINE_CAP) { add = LINE_CAP - c->line_len; c->line_overflow = 1; }
            memcpy(c->line + c->line_len, p, add);
            c->line_len += (int)add;
            process_line(w, c, c->line, c->line_len);
            c->line_len = 0;
            c->line_overflow = 0;
        } else {
            process_line(w, c, p, (int)(q - p));
        }
        if (*q == '\r') {
            if (q + 1 < end) { if (q[1] == '\n') q++; }
            else c->skip_lf = 1;
        }
        p = q + 1;
    }
}

#define ZBUF_CAP (1 << 16)

// Inflates gzip'd body bytes into the worker's buffer and feeds them to the SSE parser.
// Returns -1 on an inflate error (a bad stream, or a trailer whose CRC or length is wrong).
static int gzip_feed(worker *w, conn *c, const char *p, size_t n) {
    if (c->gz_done) return 0;  // past the member's end: nothing more is expected
    if (!c->z_ready) {         // once per connection slot; reset for each new stream
        memset(&c->z, 0, sizeof c->z);
        if (inflateInit2(&c->z, 31) != Z_OK) return -1;
        c->z_ready = 1;
    }
    c->z.next_in = (Bytef *)p;
    c->z.avail_in = (uInt)n;
    for (;;) {
        c->z.next_out = w->zbuf;
        c->z.avail_out = ZBUF_CAP;
        int r = inflate(&c->z, Z_SYNC_FLUSH);
        size_t out = ZBUF_CAP - c->z.avail_out;
        if (out) sse_feed(w, c, (const char *)w->zbuf, out);
        if (r == Z_STREAM_END) { c->gz_done = 1; w->gzip_ends++; return 0; }
        if (r != Z_OK && r != Z_BUF_ERROR) {
            w->gzip_errors++;
            if (opt_verbose) fprintf(stderr, "client %d: inflate: %s\n", c->index, c->z.msg ? c->z.msg : "error");
            return -1;
        }
        if (c->z.avail_in == 0 && c->z.avail_out != 0) return 0;  // all taken, nothing held back
        if (r == Z_BUF_ERROR && c->z.avail_out != 0) return 0;
    }
}

// The body after transfer decoding: inflated first when gzip'd.
static inline int decoded_feed(worker *w, conn *c, const char *p, size_t n) {
    if (c->gz > 0) return gzip_feed(w, c, p, n);
    sse_feed(w, c, p, n);
    return 0;
}

static inline int hexval(char ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

// Returns -1 on a malformed chunked body or its end (a zero-size chunk).
static int body_feed(worker *w, conn *c, const char *p, size_t n) {
    if (!c->chunked) return decoded_feed(w, c, p, n);
    const char *end = p + n;
    while (p < end) {
        switch (c->cs) {
        case CH_SIZE: {
            int h = hexval(*p);
            if (h >= 0) { c->chunk_left = c->chunk_left * 16 + (uint64_t)h; p++; }
            else if (*p == ';' || *p == ' ' || *p == '\t') { c->cs = CH_EXT; p++; }
            else if (*p == '\r') { c->cs = CH_SIZE_LF; p++; }
            else if (*p == '\n') { p++; goto size_done; }
            else return -1;
            break;
        }
        case CH_EXT:
            if (*p == '\r') c->cs = CH_SIZE_LF;
            else if (*p == '\n') { p++; goto size_done; }
            p++;
            break;
        case CH_SIZE_LF:
            if (*p != '\n') return -1;
            p++;
        size_done:
            if (c->chunk_left == 0) return -1;  // last chunk: the stream ended
            c->cs = CH_DATA;
            break;
        case CH_DATA: {
            size_t take = (size_t)(end - p);
            if (take > c->chunk_left) take = (size_t)c->chunk_left;
            if (decoded_feed(w, c, p, take) < 0) return -1;
            p += take;
            c->chunk_left -= take;
            if (c->chunk_left == 0) c->cs = CH_DATA_CR;
            break;
        }
        case CH_DATA_CR:
            if (*p == '\r') { c->cs = CH_DATA_LF; p++; }
            else if (*p == '\n') { c->cs = CH_SIZE; c->chunk_left = 0; p++; }
            else return -1;
            break;
        case CH_DATA_LF:
            if (*p != '\n') return -1;
            c->cs = CH_SIZE; c->chunk_left = 0; p++;
            break;
        default:
            return -1;
        }
    }
    return 0;
}

// ---------------------------------------------------------------- slow readers

// A slow reader reads one slice (20 ms worth of its rate) per read. Its bucket saves up to a
// second's worth: while the loop is busy absorbing a burst for the healthy connections it may
// not come back for a few hundred ms, and a small bucket would lose those tokens (the reader
// would fall under its rate); it catches up in slices, one per loop turn, after the burst.
#define SLOW_SLICE_S 0.02
#define SLOW_SLICES 50

// Bytes per second one slow connection may read: the factor x the expected event rate x the
// bytes an event takes on the wire. The last is measured on this worker's connections (the
// framing differs between servers: ids, chunked coding); 256 until enough events were seen.
static double slow_rate(const worker *w) {
    double per_event = w->seen_events >= 100 ? (double)w->seen_bytes / (double)w->seen_events : 256;
    return opt_slow_factor * opt_expected_rate * per_event;
}

static double slow_slice(double rate) {
    double s = rate * SLOW_SLICE_S;
    return s < 64 ? 64 : s;
}

static void bucket_refill(conn *c, double t, double rate) {
    c->tokens += rate * (t - c->refilled_at);
    double cap = SLOW_SLICES * slow_slice(rate);
    if (c->tokens > cap) c->tokens = cap;
    c->refilled_at = t;
}

// Out of epoll while paused (level-triggered, an unread socket would wake the loop at once);
// only EPOLLHUP and EPOLLERR, which epoll always reports, can still arrive.
static void set_paused(worker *w, conn *c, int paused) {
    c->paused = paused;
    struct epoll_event ev = {.events = paused ? 0 : (EPOLLIN | EPOLLRDHUP), .data.ptr = c};
    epoll_ctl(w->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

// Puts back in epoll the slow connections whose bucket holds a slice again; returns the epoll
// timeout in ms that wakes the loop when the next one will (at most the loop's usual 20 ms).
static int resume_slow(worker *w, double t) {
    if (w->nslow == 0) return 20;
    double rate = slow_rate(w), slice = slow_slice(rate), wait = 0.02;
    for (int i = 0; i < w->nslow; i++) {
        conn *c = w->slow[i];
        if (!c->paused) continue;
        bucket_refill(c, t, rate);
        if (c->tokens >= slice) set_paused(w, c, 0);
        else if ((slice - c->tokens) / rate < wait) wait = (slice - c->tokens) / rate;
    }
    int ms = (int)(wait * 1000) + 1;
    return ms > 20 ? 20 : ms;
}

// ---------------------------------------------------------------- connection lifecycle

static void conn_reset_stream(conn *c) {
    c->chunked = 0; c->cs = CH_SIZE; c->chunk_left = 0;
    c->hdr_len = 0; c->line_len = 0; c->line_overflow = 0; c->skip_lf = 0;
    c->data_len = 0; c->has_data = 0;
    c->last_seq = -1;  // a new connection starts wherever the stream is now
    c->paused = 0;
    c->tokens = 0;     // the first slice is saved up like any other
    c->refilled_at = now_mono();
    c->gz = opt_h2 && opt_gzip ? -1 : 0;  // HTTP/1.1: its headers say; HTTP/2: its first body byte
    c->gz_done = 0;
    if (c->z_ready) inflateReset(&c->z);
    c->h2_unacked = 0;
}

static int conn_start(worker *w, conn *c) {
    conn_reset_stream(c);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) { w->connect_errors++; c->state = C_WAIT; c->retry_at = now_mono() + 1; return -1; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (opt_rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &opt_rcvbuf, sizeof opt_rcvbuf);
    int r = connect(fd, (struct sockaddr *)&server_addrs[c->port_ix], sizeof server_addrs[0]);
    if (r < 0 && errno != EINPROGRESS) {
        close(fd); w->connect_errors++; c->state = C_WAIT; c->retry_at = now_mono() + 1; return -1;
    }
    c->fd = fd;
    c->state = C_CONNECTING;
    w->pending++;
    struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.ptr = c};
    epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev);
    return 0;
}

static void conn_drop(worker *w, conn *c, int count_disconnect) {
    if (c->state == C_CONNECTING || c->state == C_HEADERS) w->pending--;
    if (c->state == C_BODY) w->connected--;
    epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    // RST instead of FIN: no TIME_WAIT left behind, so back-to-back runs do not run out of ports.
    struct linger lg = {1, 0};
    setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(c->fd);
    c->fd = -1;
    c->paused = 0;
    if (count_disconnect) {
        c->disconnects++;
        w->st[c->slow].disconnects_total++;
        if (atomic_load(&phase) == 1) { w->st[c->slow].disconnects++; c->disconnects_window++; }
    }
    if (opt_reconnect_ms > 0 && !atomic_load(&stop_flag)) {
        c->state = C_WAIT;
        c->retry_at = now_mono() + opt_reconnect_ms / 1000.0;
    } else {
        c->state = C_IDLE;
    }
}

static void parse_headers(worker *w, conn *c, size_t hdr_end) {
    // Status line: HTTP/1.x NNN
    c->hdr[hdr_end] = 0;
    int status = 0;
    if (sscanf(c->hdr, "HTTP/%*d.%*d %d", &status) != 1 || status != 200) {
        w->http_errors++;
        if (opt_verbose) fprintf(stderr, "client %d: unexpected response: %.200s\n", c->index, c->hdr);
        conn_drop(w, c, 1);
        return;
    }
    // Transfer-Encoding: chunked (case-insensitive header name and value)
    for (char *l = strstr(c->hdr, "\r\n"); l; l = strstr(l + 2, "\r\n")) {
        if (strncasecmp(l + 2, "transfer-encoding:", 18) == 0) {
            char *v = l + 2 + 18;
            char *e = strstr(v, "\r\n");
            size_t n = e ? (size_t)(e - v) : strlen(v);
            if (memmem(v, n, "chunked", 7)) c->chunked = 1;
        }
        if (opt_gzip && strncasecmp(l + 2, "content-encoding:", 17) == 0) {
            char *v = l + 2 + 17;
            char *e = strstr(v, "\r\n");
            size_t n = e ? (size_t)(e - v) : strlen(v);
            if (memmem(v, n, "gzip", 4)) { c->gz = 1; w->gzip_streams++; }
        }
    }
    c->state = C_BODY;
    w->pending--;
    w->connected++;
    w->ever_connected++;
    c->cs = CH_SIZE;
    c->chunk_left = 0;
}

static void conn_readable(worker *w, conn *c) {
    for (;;) {
        // A slow reader's stream (not its response headers) is read as its bucket allows.
        int throttled = c->slow && c->state == C_BODY;
        size_t want = 1 << 18;
        double rate = 0;
        if (throttled) {
            rate = slow_rate(w);
            bucket_refill(c, now_mono(), rate);
            double slice = slow_slice(rate);
            if (c->tokens < 1) { set_paused(w, c, 1); return; }
            want = (size_t)(c->tokens < slice ? c->tokens : slice);
        }
        ssize_t n = read(c->fd, w->rbuf, want);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) return;
            conn_drop(w, c, 1);
            return;
        }
        if (n == 0) { conn_drop(w, c, 1); return; }
        if (throttled) c->tokens -= (double)n;
        w->read_now = now_us_realtime();
        w->measuring = atomic_load_explicit(&phase, memory_order_relaxed) == 1;
        if (w->measuring) { w->st[c->slow].bytes += (uint64_t)n; w->wire_bytes += (uint64_t)n; }
        const char *p = w->rbuf;
        size_t len = (size_t)n;
        if (c->state == C_HEADERS) {
            size_t take = len;
            if (c->hdr_len + take > HDR_CAP - 1) take = HDR_CAP - 1 - c->hdr_len;
            memcpy(c->hdr + c->hdr_len, p, take);
            int old = c->hdr_len;
            c->hdr_len += (int)take;
            char *e = memmem(c->hdr, c->hdr_len, "\r\n\r\n", 4);
            if (!e) {
                if (c->hdr_len >= HDR_CAP - 1) { w->http_errors++; conn_drop(w, c, 1); return; }
                if ((size_t)n < (1 << 18)) return;
                continue;
            }
            size_t hdr_end = (size_t)(e - c->hdr) + 4;
            size_t body_off = hdr_end - (size_t)old;  // offset of the body in this read
            parse_headers(w, c, hdr_end);
            if (c->state != C_BODY) return;
            p += body_off;
            len -= body_off;
        }
        w->seen_bytes += len;
        if (len && body_feed(w, c, p, len) < 0) { conn_drop(w, c, 1); return; }
        if (throttled) {  // one read per wake-up; out of epoll once less than a slice is left
            if (c->tokens < slow_slice(rate)) set_paused(w, c, 1);
            return;
        }
        if ((size_t)n < (1 << 18)) return;  // drained; level-triggered epoll brings us back
    }
}

static void conn_event(worker *w, conn *c, uint32_t events) {
    if (c->fd < 0) return;
    if (c->paused) {  // a reset or error while out of epoll: what is unread is lost anyway
        if (events & (EPOLLHUP | EPOLLERR)) conn_drop(w, c, 1);
        return;
    }
    if (c->state == C_CONNECTING) {
        int err = 0; socklen_t len = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err) { w->connect_errors++; conn_drop(w, c, 0); return; }
        const char *req = requests[c->port_ix];
        int req_len = request_lens[c->port_ix];
        char own[1280];
        if (opt_path_format) {  // this connection's own path
            char path[512];
            snprintf(path, sizeof path, opt_path_format, c->index);
            req_len = snprintf(own, sizeof own, requests[c->port_ix], path);
            req = own;
        }
        ssize_t s = write(c->fd, req, req_len);  // a request of a few bytes fits a fresh socket buffer
        if (s != req_len) { w->connect_errors++; conn_drop(w, c, 0); return; }
        c->state = C_HEADERS;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
        epoll_ctl(w->epfd, EPOLL_CTL_MOD, c->fd, &ev);
        return;
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) conn_readable(w, c);
}

// ---------------------------------------------------------------- HTTP/2 (--h2)

enum { H2_DATA = 0, H2_HEADERS = 1, H2_RST_STREAM = 3, H2_SETTINGS = 4, H2_PING = 6, H2_GOAWAY = 7,
       H2_WINDOW_UPDATE = 8 };
#define F_END_STREAM 0x1
#define F_ACK 0x1
#define F_END_HEADERS 0x4
#define F_PADDED 0x8
#define F_PRIORITY 0x20
#define H2_DEFAULT_WINDOW 65535
#define WBUF_CAP (1 << 18)

static const char h2_preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

static unsigned char *put32(unsigned char *b, uint32_t v) {
    b[0] = (uint8_t)(v >> 24); b[1] = (uint8_t)(v >> 16); b[2] = (uint8_t)(v >> 8); b[3] = (uint8_t)v;
    return b + 4;
}

static unsigned char *h2_frame(unsigned char *b, uint32_t len, uint8_t type, uint8_t flags, uint32_t sid) {
    b[0] = (uint8_t)(len >> 16); b[1] = (uint8_t)(len >> 8); b[2] = (uint8_t)len; b[3] = type; b[4] = flags;
    return put32(b + 5, sid & 0x7fffffffu);
}

// An HPACK integer with a 7-bit prefix (RFC 7541 §5.1), as a string length without Huffman.
static unsigned char *hpack_len(unsigned char *b, size_t v) {
    if (v < 127) { *b++ = (uint8_t)v; return b; }
    *b++ = 127; v -= 127;
    while (v >= 128) { *b++ = (uint8_t)(v % 128 + 128); v /= 128; }
    *b++ = (uint8_t)v;
    return b;
}

// A literal header field without indexing, new name, no Huffman: 0x00, name, value.
static unsigned char *hpack_literal(unsigned char *b, const char *name, const char *value) {
    size_t nl = strlen(name), vl = strlen(value);
    *b++ = 0x00;
    b = hpack_len(b, nl); memcpy(b, name, nl); b += nl;
    b = hpack_len(b, vl); memcpy(b, value, vl); b += vl;
    return b;
}

// Appends the HEADERS frame that opens stream c (its next id) on h.
static unsigned char *h2_headers(unsigned char *b, h2conn *h, conn *c) {
    char path[512], authority[300];
    if (opt_path_format) snprintf(path, sizeof path, opt_path_format, c->index);
    else snprintf(path, sizeof path, "%s", opt_path);
    snprintf(authority, sizeof authority, "%s:%d", opt_host, ports[h->port_ix]);
    conn_reset_stream(c);
    c->h2id = h->next_id;
    h->next_id += 2;
    c->state = C_HEADERS;
    unsigned char *start = b + 9, *q = start;
    q = hpack_literal(q, ":method", "GET");
    q = hpack_literal(q, ":scheme", "http");
    q = hpack_literal(q, ":path", path);
    q = hpack_literal(q, ":authority", authority);
    q = hpack_literal(q, "accept", "text/event-stream");
    q = hpack_literal(q, "cache-control", "no-cache");
    q = hpack_literal(q, "user-agent", "gateway-loadclient");
    if (opt_gzip) q = hpack_literal(q, "accept-encoding", "gzip");
    h2_frame(b, (uint32_t)(q - start), H2_HEADERS, F_END_HEADERS | F_END_STREAM, c->h2id);
    return q;
}

static int h2_send(worker *w, h2conn *h, const unsigned char *b, size_t len) {
    if (len == 0) return 0;
    ssize_t s = write(h->fd, b, len);  // a few small frames: a socket's buffer takes them
    if (s == (ssize_t)len) return 0;
    w->h2_errors++;
    if (opt_verbose) fprintf(stderr, "h2 connection %d: short write (%zd of %zu)\n", h->index, s, len);
    return -1;
}

// The open stream `sid` of h (waiting for its response or streaming), or NULL.
static conn *h2_stream(h2conn *h, uint32_t sid) {
    for (int i = 0; i < h->nstreams; i++) {
        conn *c = &h->streams[i];
        if (c->h2id == sid && (c->state == C_HEADERS || c->state == C_BODY)) return c;
    }
    return NULL;
}

// A stream ended (by the server, or with its connection): counted like an HTTP/1.1 connection's
// end, and opened again on its connection after -R ms.
static void h2_stream_end(worker *w, conn *c, int count_disconnect) {
    if (c->state == C_BODY) w->connected--;
    if (count_disconnect && (c->state == C_BODY || c->state == C_HEADERS)) {
        c->disconnects++;
        w->st[c->slow].disconnects_total++;
        if (atomic_load(&phase) == 1) { w->st[c->slow].disconnects++; c->disconnects_window++; }
    }
    c->h2id = 0;
    if (opt_reconnect_ms > 0 && !atomic_load(&stop_flag)) {
        c->state = C_WAIT;
        c->retry_at = now_mono() + opt_reconnect_ms / 1000.0;
    } else {
        c->state = C_DONE;
    }
}

static void h2_drop(worker *w, h2conn *h, int count_disconnect) {
    if (h->state == H_CONNECTING) w->pending--;
    epoll_ctl(w->epfd, EPOLL_CTL_DEL, h->fd, NULL);
    struct linger lg = {1, 0};  // RST, as conn_drop: no TIME_WAIT left behind
    setsockopt(h->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(h->fd);
    h->fd = -1;
    for (int i = 0; i < h->nstreams; i++) {
        conn *c = &h->streams[i];
        if (c->state == C_HEADERS || c->state == C_BODY) h2_stream_end(w, c, count_disconnect);
    }
    if (opt_reconnect_ms > 0 && !atomic_load(&stop_flag)) {
        h->state = H_WAIT;
        h->retry_at = now_mono() + opt_reconnect_ms / 1000.0;
    } else {
        h->state = H_DONE;
    }
}

static int h2_start(worker *w, h2conn *h) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) { w->connect_errors++; h->state = H_WAIT; h->retry_at = now_mono() + 1; return -1; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (opt_rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &opt_rcvbuf, sizeof opt_rcvbuf);
    int r = connect(fd, (struct sockaddr *)&server_addrs[h->port_ix], sizeof server_addrs[0]);
    if (r < 0 && errno != EINPROGRESS) {
        close(fd); w->connect_errors++; h->state = H_WAIT; h->retry_at = now_mono() + 1; return -1;
    }
    h->fd = fd;
    h->state = H_CONNECTING;
    h->next_id = 1;
    h->goaway = 0;
    h->fh_have = 0;
    h->unacked = 0;
    w->pending++;
    struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.ptr = h};
    epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev);
    return 0;
}

// Opens, in one write, h's streams that wait to be opened (all of them on a fresh connection).
static int h2_open_due(worker *w, h2conn *h, double t) {
    unsigned char *b = w->wbuf, *q = b;
    for (int i = 0; i < h->nstreams; i++) {
        conn *c = &h->streams[i];
        if (c->state == C_IDLE || (c->state == C_WAIT && c->retry_at <= t)) q = h2_headers(q, h, c);
    }
    if (q > b && h2_send(w, h, b, (size_t)(q - b)) < 0) { h2_drop(w, h, 1); return -1; }
    return 0;
}

// The connection is up: preface, SETTINGS, the connection's window, and every stream's HEADERS.
static void h2_connected(worker *w, h2conn *h) {
    unsigned char *b = w->wbuf, *q = b;
    memcpy(q, h2_preface, sizeof h2_preface - 1);
    q += sizeof h2_preface - 1;
    q = h2_frame(q, 12, H2_SETTINGS, 0, 0);
    *q++ = 0; *q++ = 2; q = put32(q, 0);              // SETTINGS_ENABLE_PUSH 0
    *q++ = 0; *q++ = 4; q = put32(q, opt_h2_window);  // SETTINGS_INITIAL_WINDOW_SIZE
    if (opt_h2_window > H2_DEFAULT_WINDOW) {
        q = h2_frame(q, 4, H2_WINDOW_UPDATE, 0, 0);
        q = put32(q, opt_h2_window - H2_DEFAULT_WINDOW);
    }
    for (int i = 0; i < h->nstreams; i++) {
        conn *c = &h->streams[i];
        if (c->state != C_DONE) q = h2_headers(q, h, c);
    }
    h->state = H_UP;
    w->pending--;
    if (h2_send(w, h, b, (size_t)(q - b)) < 0) { h2_drop(w, h, 1); return; }
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = h};
    epoll_ctl(w->epfd, EPOLL_CTL_MOD, h->fd, &ev);
}

// A stream's DATA: gzip is told by the body's first byte (the header block is not decoded).
static int h2_body(worker *w, conn *c, const uint8_t *p, size_t n) {
    if (c->gz < 0) {
        c->gz = p[0] == 0x1f;
        if (c->gz) w->gzip_streams++;
    }
    return decoded_feed(w, c, (const char *)p, n);
}

static int h2_rst(worker *w, h2conn *h, uint32_t sid) {
    unsigned char b[13];
    put32(h2_frame(b, 4, H2_RST_STREAM, 0, sid), 8);  // CANCEL
    return h2_send(w, h, b, sizeof b);
}

// A frame's payload has been read: act on it. Returns -1 when the connection must be dropped.
static int h2_frame_done(worker *w, h2conn *h) {
    switch (h->f_type) {
    case H2_DATA:
        if ((h->f_flags & F_END_STREAM) && h->f_stream && h->f_stream->h2id == h->f_sid) h2_stream_end(w, h->f_stream, 1);
        break;
    case H2_HEADERS: {
        conn *c = h2_stream(h, h->f_sid);
        if (!c) break;
        if (c->state == C_HEADERS) {
            int off = (h->f_flags & F_PADDED ? 1 : 0) + (h->f_flags & F_PRIORITY ? 5 : 0);
            if (h->ctl_have > off && h->ctl[off] == 0x88) {  // :status 200, indexed (static table 8)
                c->state = C_BODY;
                w->connected++;
                w->ever_connected++;
            } else {
                w->http_errors++;
                if (opt_verbose) fprintf(stderr, "client %d: response header block does not start with :status 200 (0x%02x)\n",
                                         c->index, h->ctl_have > off ? h->ctl[off] : 0);
                int ended = h->f_flags & F_END_STREAM;
                h2_stream_end(w, c, 1);
                if (!ended && h2_rst(w, h, h->f_sid) < 0) return -1;
                break;
            }
        }
        if (h->f_flags & F_END_STREAM) h2_stream_end(w, c, 1);  // trailers: the stream ended
        break;
    }
    case H2_RST_STREAM: {
        conn *c = h2_stream(h, h->f_sid);
        if (c) { w->h2_rsts++; h2_stream_end(w, c, 1); }
        break;
    }
    case H2_SETTINGS:
        if (!(h->f_flags & F_ACK)) {
            unsigned char b[9];
            h2_frame(b, 0, H2_SETTINGS, F_ACK, 0);
            if (h2_send(w, h, b, sizeof b) < 0) return -1;
        }
        break;
    case H2_PING:
        if (!(h->f_flags & F_ACK) && h->ctl_have >= 8) {
            unsigned char b[17];
            memcpy(h2_frame(b, 8, H2_PING, F_ACK, 0), h->ctl, 8);
            if (h2_send(w, h, b, sizeof b) < 0) return -1;
        }
        break;
    case H2_GOAWAY: {
        // No new streams; those above the last id the server names were not processed.
        h->goaway = 1;
        w->h2_goaways++;
        uint32_t last = h->ctl_have >= 4 ? (((uint32_t)h->ctl[0] & 0x7f) << 24 | (uint32_t)h->ctl[1] << 16 |
                                            (uint32_t)h->ctl[2] << 8 | h->ctl[3]) : 0;
        for (int i = 0; i < h->nstreams; i++) {
            conn *c = &h->streams[i];
            if ((c->state == C_HEADERS || c->state == C_BODY) && c->h2id > last) h2_stream_end(w, c, 1);
        }
        break;
    }
    default:  // WINDOW_UPDATE, PRIORITY, CONTINUATION (header blocks are not decoded), unknown
        break;
    }
    return 0;
}

// Splits a read into frames by their 9-byte headers; DATA goes to its stream as it arrives.
static int h2_parse(worker *w, h2conn *h, const uint8_t *p, size_t n) {
    const uint8_t *end = p + n;
    while (p < end) {
        if (h->fh_have < 9) {
            size_t take = 9 - (size_t)h->fh_have;
            if (take > (size_t)(end - p)) take = (size_t)(end - p);
            memcpy(h->fh + h->fh_have, p, take);
            h->fh_have += (int)take;
            p += take;
            if (h->fh_have < 9) break;
            uint32_t len = (uint32_t)h->fh[0] << 16 | (uint32_t)h->fh[1] << 8 | h->fh[2];
            h->f_type = h->fh[3];
            h->f_flags = h->fh[4];
            h->f_sid = ((uint32_t)h->fh[5] & 0x7f) << 24 | (uint32_t)h->fh[6] << 16 | (uint32_t)h->fh[7] << 8 | h->fh[8];
            h->f_left = len;
            h->ctl_have = 0;
            h->f_stream = NULL;
            if (h->f_type == H2_DATA) {
                // Flow control counts the whole payload, padding included.
                h->unacked += len;
                h->got_data = 1;
                h->f_stream = h2_stream(h, h->f_sid);
                if (h->f_stream) h->f_stream->h2_unacked += len;
                h->f_pad_read = !(h->f_flags & F_PADDED);
                h->f_data_left = h->f_pad_read ? len : 0;
            }
        }
        if (h->f_left > 0 && p < end) {
            size_t take = (size_t)(end - p);
            if (take > h->f_left) take = h->f_left;
            if (h->f_type == H2_DATA) {
                size_t used = 0;
                if (!h->f_pad_read) {
                    uint32_t pad = p[0];
                    if (pad > h->f_left - 1) return -1;
                    h->f_pad_read = 1;
                    h->f_data_left = h->f_left - 1 - pad;
                    used = 1;
                }
                size_t d = take - used;
                if (d > h->f_data_left) d = h->f_data_left;
                conn *c = h->f_stream;
                if (d && c && c->state == C_BODY && c->h2id == h->f_sid && h2_body(w, c, p + used, d) < 0) {
                    h2_stream_end(w, c, 1);  // a bad gzip stream: cancel it, open it again
                    if (h2_rst(w, h, h->f_sid) < 0) return -1;
                }
                h->f_data_left -= (uint32_t)d;
            } else if (h->ctl_have < (int)sizeof h->ctl) {
                size_t k = sizeof h->ctl - (size_t)h->ctl_have;
                if (k > take) k = take;
                memcpy(h->ctl + h->ctl_have, p, k);
                h->ctl_have += (int)k;
            }
            p += take;
            h->f_left -= (uint32_t)take;
        }
        if (h->fh_have == 9 && h->f_left == 0) {
            h->fh_have = 0;
            if (h2_frame_done(w, h) < 0) return -1;
        }
    }
    return 0;
}

// Gives the server back the window its DATA used, as nghttp2 and browsers do: once half a
// window has been consumed, for the connection and per stream, in one write per read.
static int h2_give_back(worker *w, h2conn *h) {
    if (!h->got_data) return 0;
    h->got_data = 0;
    uint32_t half = opt_h2_window / 2;
    unsigned char *b = w->wbuf, *q = b;
    if (h->unacked >= half) {
        q = put32(h2_frame(q, 4, H2_WINDOW_UPDATE, 0, 0), (uint32_t)h->unacked);
        h->unacked = 0;
    }
    for (int i = 0; i < h->nstreams; i++) {
        conn *c = &h->streams[i];
        if (c->state == C_BODY && c->h2_unacked >= half) {
            q = put32(h2_frame(q, 4, H2_WINDOW_UPDATE, 0, c->h2id), c->h2_unacked);
            c->h2_unacked = 0;
        }
    }
    return h2_send(w, h, b, (size_t)(q - b));
}

static int h2_any_open(const h2conn *h) {
    for (int i = 0; i < h->nstreams; i++)
        if (h->streams[i].state == C_HEADERS || h->streams[i].state == C_BODY) return 1;
    return 0;
}

static void h2_readable(worker *w, h2conn *h) {
    for (;;) {
        ssize_t n = read(h->fd, w->rbuf, 1 << 18);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) return;
            h2_drop(w, h, 1);
            return;
        }
        if (n == 0) { h2_drop(w, h, 1); return; }
        w->read_now = now_us_realtime();
        w->measuring = atomic_load_explicit(&phase, memory_order_relaxed) == 1;
        if (w->measuring) { w->st[0].bytes += (uint64_t)n; w->wire_bytes += (uint64_t)n; }
        if (h2_parse(w, h, (const uint8_t *)w->rbuf, (size_t)n) < 0 || h2_give_back(w, h) < 0) {
            w->h2_errors++;
            h2_drop(w, h, 1);
            return;
        }
        if (h->goaway && !h2_any_open(h)) { h2_drop(w, h, 0); return; }  // made again after -R ms
        if ((size_t)n < (1 << 18)) return;
    }
}

static void h2_event(worker *w, h2conn *h, uint32_t events) {
    if (h->fd < 0) return;
    if (h->state == H_CONNECTING) {
        int err = 0; socklen_t len = sizeof err;
        getsockopt(h->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err) { w->connect_errors++; h2_drop(w, h, 0); return; }
        h2_connected(w, h);
        return;
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) h2_readable(w, h);
}

static void h2_scan(worker *w, double t, int limit) {
    for (int i = 0; i < w->nh2 && w->pending < limit; i++) {
        h2conn *h = &w->h2s[i];
        if ((h->state == H_IDLE && i >= w->next_h2_to_start) || (h->state == H_WAIT && h->retry_at <= t)) {
            if (h->state == H_IDLE) w->next_h2_to_start = i + 1;
            h2_start(w, h);
        }
    }
    for (int i = 0; i < w->nh2; i++) {
        h2conn *h = &w->h2s[i];
        if (h->state == H_UP && !h->goaway) h2_open_due(w, h, t);
    }
}

static void *worker_main(void *arg) {
    worker *w = arg;
    struct epoll_event evs[512];
    double last_scan = 0;
    while (!atomic_load(&stop_flag) && atomic_load(&phase) != 2) {
        double t = now_mono();
        if (t - last_scan > 0.02) {
            last_scan = t;
            // start first connections and due reconnects, at most opt_pending in flight
            int limit = opt_pending / opt_threads; if (limit < 1) limit = 1;
            if (opt_h2) h2_scan(w, t, limit);
            else for (int i = 0; i < w->nconns && w->pending < limit; i++) {
                conn *c = &w->conns[i];
                if ((c->state == C_IDLE && i >= w->next_to_start) || (c->state == C_WAIT && c->retry_at <= t)) {
                    if (c->state == C_IDLE) w->next_to_start = i + 1;
                    conn_start(w, c);
                }
            }
        }
        int n = epoll_wait(w->epfd, evs, 512, resume_slow(w, t));
        for (int i = 0; i < n; i++) {
            if (opt_h2) h2_event(w, evs[i].data.ptr, evs[i].events);
            else conn_event(w, evs[i].data.ptr, evs[i].events);
        }
    }
    return NULL;
}

// ---------------------------------------------------------------- report

// The p50, p90, p99 and p99.9 of a histogram of `ev` events (µs), at most `lmax`.
static void quantiles(const uint64_t *hist, uint64_t ev, int64_t lmax, int64_t qv[4]) {
    double qs[] = {0.5, 0.9, 0.99, 0.999};
    for (int k = 0; k < 4; k++) {
        qv[k] = 0;
        if (ev == 0) continue;
        uint64_t target = (uint64_t)(qs[k] * (double)ev);
        if (target == 0) target = 1;
        uint64_t acc = 0;
        for (int i = 0; i < H_SIZE; i++) { acc += hist[i]; if (acc >= target) { qv[k] = h_value(i); break; } }
        if (qv[k] > lmax) qv[k] = lmax;
    }
}

// Prints a histogram's non-empty buckets as a JSON array of [upper edge µs, count].
static void print_hist(const uint64_t *hist) {
    printf("[");
    int first = 1;
    for (int i = 0; i < H_SIZE; i++) {
        if (!hist[i]) continue;
        printf("%s[%lld,%llu]", first ? "" : ",", (long long)h_value(i), (unsigned long long)hist[i]);
        first = 0;
    }
    printf("]");
}

// Prints the window's figures of one class of connections (0 healthy, 1 slow, -1 all of them)
// as JSON members, without the braces.
static void print_figures(const conn *all, int cls, double window) {
    uint64_t *hist = calloc(H_SIZE, sizeof(uint64_t));
    uint64_t ev = 0, bytes = 0, gaps = 0, dups = 0, disc = 0, tdisc = 0, unparsed = 0, misrouted = 0;
    int64_t lmax = 0; double lsum = 0;
    for (int t = 0; t < opt_threads; t++) {
        for (int k = 0; k < 2; k++) {
            if (cls >= 0 && k != cls) continue;
            const stats *st = &workers[t].st[k];
            for (int i = 0; i < H_SIZE; i++) hist[i] += st->hist[i];
            ev += st->events; bytes += st->bytes; gaps += st->gaps; dups += st->dups; disc += st->disconnects;
            tdisc += st->disconnects_total; unparsed += st->unparsed; misrouted += st->misrouted;
            if (st->lat_max > lmax) lmax = st->lat_max;
            lsum += st->lat_sum;
        }
    }
    int64_t qv[4];
    quantiles(hist, ev, lmax, qv);
    if (cls < 0 && opt_hist) { printf("\"hist\":"); print_hist(hist); printf(","); }
    free(hist);
    int clients = 0, clients_with_gaps = 0, clients_with_dups = 0, clients_silent = 0, clients_cut = 0, clean = 0;
    uint64_t max_gaps = 0, max_dups = 0, min_ev = UINT64_MAX, max_ev = 0;
    for (int i = 0; i < opt_clients; i++) {
        const conn *c = &all[i];
        if (cls >= 0 && c->slow != cls) continue;
        clients++;
        if (c->gaps) clients_with_gaps++;
        if (c->dups) clients_with_dups++;
        if (c->disconnects_window) clients_cut++;
        if (c->gaps > max_gaps) max_gaps = c->gaps;
        if (c->dups > max_dups) max_dups = c->dups;
        if (c->events_window == 0) clients_silent++;
        if (c->events_window && !c->gaps && !c->dups && !c->disconnects_window) clean++;
        if (c->events_window < min_ev) min_ev = c->events_window;
        if (c->events_window > max_ev) max_ev = c->events_window;
        if (cls < 0 && opt_verbose && (c->gaps || c->dups || c->disconnects || c->misrouted))
            fprintf(stderr, "client %d%s: events %llu gaps %llu dups %llu misrouted %llu disconnects %u\n", i,
                    c->slow ? " (slow)" : "", (unsigned long long)c->events_window, (unsigned long long)c->gaps,
                    (unsigned long long)c->dups, (unsigned long long)c->misrouted, c->disconnects);
    }
    printf("\"clients\":%d,\"events\":%llu,\"events_per_s\":%.1f,\"events_per_s_per_client\":%.1f,\"bytes\":%llu,"
           "\"mbytes_per_s\":%.2f,"
           "\"latency_ms\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f,\"mean\":%.3f},"
           "\"gaps\":%llu,\"dups\":%llu,\"clients_with_gaps\":%d,\"clients_with_dups\":%d,\"max_gaps_per_client\":%llu,"
           "\"max_dups_per_client\":%llu,\"min_events_per_client\":%llu,\"max_events_per_client\":%llu,\"silent_clients\":%d,"
           "\"disconnects\":%llu,\"clients_cut_off\":%d,\"clean_clients\":%d,\"disconnects_total\":%llu,\"unparsed\":%llu,\"misrouted\":%llu",
           clients, (unsigned long long)ev, ev / window, clients ? ev / window / clients : 0.0, (unsigned long long)bytes,
           bytes / window / 1e6,
           qv[0] / 1000.0, qv[1] / 1000.0, qv[2] / 1000.0, qv[3] / 1000.0, lmax / 1000.0, ev ? lsum / ev / 1000.0 : 0.0,
           (unsigned long long)gaps, (unsigned long long)dups, clients_with_gaps, clients_with_dups,
           (unsigned long long)max_gaps, (unsigned long long)max_dups, (unsigned long long)(min_ev == UINT64_MAX ? 0 : min_ev),
           (unsigned long long)max_ev, clients_silent, (unsigned long long)disc, clients_cut, clean, (unsigned long long)tdisc,
           (unsigned long long)unparsed, (unsigned long long)misrouted);
}

// Prints, for each port of --ports, its connections' window figures as a JSON array.
static void print_ports(const conn *all) {
    printf("[");
    for (int p = 0; p < nports; p++) {
        uint64_t ev = 0, gaps = 0, dups = 0, disc = 0, lmax = 0;
        int clients = 0, silent = 0, cut = 0, clean = 0;
        for (int i = 0; i < opt_clients; i++) {
            const conn *c = &all[i];
            if (c->port_ix != p) continue;
            clients++;
            if (c->events_window && !c->gaps && !c->dups && !c->disconnects_window) clean++;
            ev += c->events_window; gaps += c->gaps; dups += c->dups; disc += c->disconnects_window;
            if (c->events_window == 0) silent++;
            if (c->disconnects_window) cut++;
        }
        uint64_t *hist = calloc(H_SIZE, sizeof(uint64_t));
        for (int t = 0; t < opt_threads; t++)
            for (int i = 0; i < H_SIZE; i++) hist[i] += workers[t].port_hist[p][i];
        for (int i = H_SIZE - 1; i >= 0; i--) if (hist[i]) { lmax = (uint64_t)h_value(i); break; }
        int64_t qv[4];
        quantiles(hist, ev, (int64_t)lmax, qv);
        printf("%s{\"port\":%d,\"clients\":%d,\"events\":%llu,\"gaps\":%llu,\"dups\":%llu,\"disconnects\":%llu,"
               "\"clients_cut_off\":%d,\"silent_clients\":%d,\"clean_clients\":%d,\"latency_ms\":{\"p50\":%.3f,\"p99\":%.3f}",
               p ? "," : "", ports[p], clients, (unsigned long long)ev, (unsigned long long)gaps, (unsigned long long)dups,
               (unsigned long long)disc, cut, silent, clean, qv[0] / 1000.0, qv[2] / 1000.0);
        if (opt_hist) { printf(",\"hist\":"); print_hist(hist); }
        printf("}");
        free(hist);
    }
    printf("]");
}

// ---------------------------------------------------------------- main

static void usage(void) {
    fprintf(stderr,
        "usage: loadclient [-H host] [-p port] [-u path] [-n clients] [-d seconds] [-w warmup]\n"
        "                  [-t threads] [-P pending] [-R reconnect-ms] [-b rcvbuf] [-T connect-timeout] [-v]\n"
        "                  [-S slow-fraction -e expected-events-per-s [-s slow-factor]]\n"
        "                  [-f|--path-format FORMAT] [-k|--stride N] [--ports P1,P2,...] [--hold] [--hist]\n"
        "                  [--gzip] [--h2 [--streams N] [--h2-window BYTES]]\n"
        "  -S F: this fraction of the connections read at -s (default 0.1) x the stream's expected\n"
        "        byte rate (-e events/s x the measured bytes per event)\n"
        "  -f FORMAT: connection i requests the path FORMAT with its one %%d replaced by i\n"
        "             (e.g. '/sub/%%d'; instead of -u)\n"
        "  -k N: each connection sees every N-th seq (its channel); its first event fixes its phase,\n"
        "        an event out of phase counts as misrouted\n"
        "  --ports P1,P2,...: connection i connects to the (i mod N)-th port (instead of -p); figures per port\n"
        "  --hold: once every client is connected, wait for SIGUSR1 before the warm-up\n"
        "  --hist: the window's latency histogram in the JSON (non-empty buckets [upper edge us, count])\n"
        "  --gzip: send Accept-Encoding: gzip and inflate gzip'd bodies (zlib)\n"
        "  --h2 [--streams N] [--h2-window BYTES]: HTTP/2 cleartext with prior knowledge, N streams per TCP\n"
        "        connection (default 1; -n counts streams), each a client; windows of BYTES (default 16 MiB)\n");
    exit(2);
}

int main(int argc, char **argv) {
    static struct option longopts[] = {
        {"path-format", required_argument, 0, 'f'}, {"stride", required_argument, 0, 'k'},
        {"ports", required_argument, 0, 'x'}, {"hold", no_argument, 0, 'y'}, {"hist", no_argument, 0, 'z'},
        {"gzip", no_argument, 0, 1001}, {"h2", no_argument, 0, 1002}, {"streams", required_argument, 0, 1003},
        {"h2-window", required_argument, 0, 1004}, {0, 0, 0, 0}};
    int streams_given = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "H:p:u:n:d:w:t:P:R:b:T:vS:s:e:f:k:", longopts, NULL)) != -1) {
        switch (ch) {
        case 'H': opt_host = optarg; break;
        case 'p': opt_port = atoi(optarg); break;
        case 'u': opt_path = optarg; break;
        case 'n': opt_clients = atoi(optarg); break;
        case 'd': opt_duration = atof(optarg); break;
        case 'w': opt_warmup = atof(optarg); break;
        case 't': opt_threads = atoi(optarg); break;
        case 'P': opt_pending = atoi(optarg); break;
        case 'R': opt_reconnect_ms = atoi(optarg); break;
        case 'b': opt_rcvbuf = atoi(optarg); break;
        case 'T': opt_connect_timeout = atof(optarg); break;
        case 'v': opt_verbose = 1; break;
        case 'S': opt_slow_fraction = atof(optarg); break;
        case 's': opt_slow_factor = atof(optarg); break;
        case 'e': opt_expected_rate = atof(optarg); break;
        case 'f': opt_path_format = optarg; break;
        case 'k': opt_stride = atoll(optarg); break;
        case 'x':
            nports = 0;
            for (char *tok = strtok(optarg, ","); tok; tok = strtok(NULL, ",")) {
                if (nports == MAX_PORTS) usage();
                ports[nports++] = atoi(tok);
            }
            break;
        case 'y': opt_hold = 1; break;
        case 'z': opt_hist = 1; break;
        case 1001: opt_gzip = 1; break;
        case 1002: opt_h2 = 1; break;
        case 1003: opt_streams = atoi(optarg); streams_given = 1; break;
        case 1004: opt_h2_window = (uint32_t)strtoul(optarg, NULL, 10); break;
        default: usage();
        }
    }
    if (opt_clients < 1 || opt_threads < 1 || opt_threads > opt_clients) usage();
    if (opt_slow_fraction < 0 || opt_slow_fraction > 1) usage();
    if (opt_slow_fraction > 0 && (opt_expected_rate <= 0 || opt_slow_factor <= 0)) usage();
    if (opt_stride < 1) usage();
    if (streams_given && !opt_h2) usage();
    if (opt_h2 && (opt_streams < 1 || opt_streams > 256 || opt_slow_fraction > 0)) usage();
    if (opt_h2 && (opt_h2_window < H2_DEFAULT_WINDOW || opt_h2_window > 0x7fffffffu)) usage();
    int nh2 = opt_h2 ? (opt_clients + opt_streams - 1) / opt_streams : 0;
    if (opt_h2 && opt_threads > nh2) usage();
    if (opt_path_format) {  // exactly one conversion, and it is %d: the format is handed to snprintf
        const char *pct = strchr(opt_path_format, '%');
        if (!pct || pct[1] != 'd' || strchr(pct + 2, '%') || strlen(opt_path_format) > 400) {
            fprintf(stderr, "loadclient: --path-format wants one %%d and no other %%: %s\n", opt_path_format);
            return 2;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGUSR1, on_go);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    if ((rlim_t)opt_clients + 64 > rl.rlim_cur) {
        fprintf(stderr, "loadclient: %d clients need more than the open-file limit %llu\n", opt_clients,
                (unsigned long long)rl.rlim_cur);
        return 2;
    }

    multi = nports > 0;
    if (!multi) { nports = 1; ports[0] = opt_port; }
    for (int p = 0; p < nports; p++) {
        if (ports[p] <= 0 || ports[p] > 65535) usage();
        memset(&server_addrs[p], 0, sizeof server_addrs[p]);
        server_addrs[p].sin_family = AF_INET;
        server_addrs[p].sin_port = htons(ports[p]);
        if (inet_pton(AF_INET, opt_host, &server_addrs[p].sin_addr) != 1) { fprintf(stderr, "bad host %s\n", opt_host); return 2; }
        // With --path-format the request keeps a %s for each connection's path.
        request_lens[p] = snprintf(requests[p], sizeof requests[p],
            "GET %s HTTP/1.1\r\nHost: %s:%d\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\nUser-Agent: gateway-loadclient\r\n%s\r\n",
            opt_path_format ? "%s" : opt_path, opt_host, ports[p], opt_gzip ? "Accept-Encoding: gzip\r\n" : "");
    }

    workers = calloc(opt_threads, sizeof(worker));
    conn *all = calloc(opt_clients, sizeof(conn));
    for (int i = 0; i < opt_clients; i++) {
        all[i].index = i; all[i].port_ix = i % nports; all[i].fd = -1; all[i].state = C_IDLE; all[i].last_seq = -1;
        all[i].hdr = malloc(HDR_CAP); all[i].line = malloc(LINE_CAP); all[i].data = malloc(DATA_CAP + 1);
        // Slow slots spread evenly: i is slow when floor((i + 1) F) steps past floor(i F).
        all[i].slow = (int)((i + 1) * opt_slow_fraction) > (int)(i * opt_slow_fraction);
    }
    // HTTP/2: stream i is on connection i / streams; each worker takes whole connections.
    h2conn *h2all = opt_h2 ? calloc(nh2, sizeof(h2conn)) : NULL;
    for (int k = 0; k < nh2; k++) {
        h2conn *h = &h2all[k];
        h->index = k; h->fd = -1; h->state = H_IDLE; h->port_ix = k % nports;
        h->streams = all + k * opt_streams;
        h->nstreams = opt_clients - k * opt_streams < opt_streams ? opt_clients - k * opt_streams : opt_streams;
        for (int i = 0; i < h->nstreams; i++) { h->streams[i].h2 = h; h->streams[i].port_ix = h->port_ix; }
    }
    int units = opt_h2 ? nh2 : opt_clients;  // what the workers share out: connections
    int per = units / opt_threads, extra = units % opt_threads, off = 0;
    for (int t = 0; t < opt_threads; t++) {
        worker *w = &workers[t];
        w->id = t;
        w->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (opt_h2) {
            w->nh2 = per + (t < extra);
            w->h2s = h2all + off;
            w->conns = w->h2s[0].streams;
            w->nconns = 0;
            for (int k = 0; k < w->nh2; k++) w->nconns += w->h2s[k].nstreams;
        } else {
            w->nconns = per + (t < extra);
            w->conns = all + off;
        }
        off += opt_h2 ? w->nh2 : w->nconns;
        w->zbuf = opt_gzip ? malloc(ZBUF_CAP) : NULL;
        w->wbuf = opt_h2 ? malloc(WBUF_CAP) : NULL;
        for (int k = 0; k < 2; k++) w->st[k].hist = calloc(H_SIZE, sizeof(uint64_t));
        for (int p = 0; p < nports; p++) w->port_hist[p] = multi ? calloc(H_SIZE, sizeof(uint64_t)) : NULL;
        w->slow = calloc(w->nconns, sizeof(conn *));
        for (int i = 0; i < w->nconns; i++) if (w->conns[i].slow) w->slow[w->nslow++] = &w->conns[i];
        w->rbuf = malloc(1 << 18);
        pthread_create(&w->thread, NULL, worker_main, w);
    }

    // Phase control: wait for every client, warm up, measure.
    double t0 = now_mono();
    int all_connected = 0;
    while (!atomic_load(&stop_flag)) {
        int connected = 0;
        for (int t = 0; t < opt_threads; t++) connected += workers[t].connected;
        if (connected >= opt_clients) { all_connected = 1; break; }
        if (now_mono() - t0 > opt_connect_timeout) break;
        usleep(20000);
    }
    double connect_s = now_mono() - t0;
    int connected_now = 0;
    for (int t = 0; t < opt_threads; t++) connected_now += workers[t].connected;
    printf("connected %d %.3f\n", connected_now, connect_s);
    fflush(stdout);
    while (opt_hold && !go_flag && !atomic_load(&stop_flag)) usleep(1000);
    double tw = now_mono();
    while (!atomic_load(&stop_flag) && now_mono() - tw < opt_warmup) usleep(10000);
    atomic_store(&phase, 1);
    double ts = now_mono();
    printf("start\n");
    fflush(stdout);
    while (!atomic_load(&stop_flag) && now_mono() - ts < opt_duration) usleep(5000);
    atomic_store(&phase, 2);
    double window = now_mono() - ts;
    printf("end\n");
    fflush(stdout);
    for (int t = 0; t < opt_threads; t++) pthread_join(workers[t].thread, NULL);

    int connected_end = 0;
    uint64_t herr = 0, cerr = 0;
    double slow_bps = 0;
    for (int t = 0; t < opt_threads; t++) {
        connected_end += workers[t].connected;
        herr += workers[t].http_errors;
        cerr += workers[t].connect_errors;
        if (workers[t].nslow) slow_bps = slow_rate(&workers[t]);
    }
    uint64_t wire = 0, body = 0, wevents = 0, gz_streams = 0, gz_ends = 0, gz_errors = 0, goaways = 0, rsts = 0, h2err = 0;
    for (int t = 0; t < opt_threads; t++) {
        worker *w = &workers[t];
        wire += w->wire_bytes; body += w->body_bytes; wevents += w->st[0].events + w->st[1].events;
        gz_streams += w->gzip_streams; gz_ends += w->gzip_ends; gz_errors += w->gzip_errors;
        goaways += w->h2_goaways; rsts += w->h2_rsts; h2err += w->h2_errors;
    }
    printf("{\"clients\":%d,\"threads\":%d,\"all_connected\":%s,\"connect_s\":%.3f,\"connected_at_end\":%d,"
           "\"window_s\":%.3f,\"http_errors\":%llu,\"connect_errors\":%llu,\"stride\":%lld,",
           opt_clients, opt_threads, all_connected ? "true" : "false", connect_s, connected_end, window,
           (unsigned long long)herr, (unsigned long long)cerr, (long long)opt_stride);
    printf("\"protocol\":\"%s\",\"tcp_connections\":%d,\"streams_per_connection\":%d,\"gzip\":%s,"
           "\"wire_bytes\":%llu,\"wire_bytes_per_event\":%.2f,\"body_bytes\":%llu,\"body_bytes_per_event\":%.2f,"
           "\"gzip_streams\":%llu,\"gzip_ends\":%llu,\"gzip_errors\":%llu,\"h2_goaways\":%llu,\"h2_rsts\":%llu,"
           "\"h2_errors\":%llu,",
           opt_h2 ? "h2c" : "http/1.1", opt_h2 ? nh2 : opt_clients, opt_h2 ? opt_streams : 1, opt_gzip ? "true" : "false",
           (unsigned long long)wire, wevents ? (double)wire / wevents : 0.0, (unsigned long long)body,
           wevents ? (double)body / wevents : 0.0, (unsigned long long)gz_streams, (unsigned long long)gz_ends,
           (unsigned long long)gz_errors, (unsigned long long)goaways, (unsigned long long)rsts, (unsigned long long)h2err);
    print_figures(all, -1, window);
    if (multi) { printf(",\"ports\":"); print_ports(all); }
    printf(",\"healthy\":{");
    print_figures(all, 0, window);
    printf("},\"slow\":{\"factor\":%.3f,\"expected_events_per_s\":%.1f,\"read_bytes_per_s\":%.0f,",
           opt_slow_fraction > 0 ? opt_slow_factor : 0.0, opt_expected_rate, slow_bps);
    print_figures(all, 1, window);
    printf("}}\n");
    fflush(stdout);
    // Close with RST so no TIME_WAIT is left behind (see conn_drop).
    for (int i = 0; i < opt_clients; i++) {
        if (all[i].fd >= 0) {
            struct linger lg = {1, 0};
            setsockopt(all[i].fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
            close(all[i].fd);
        }
    }
    for (int k = 0; k < nh2; k++) {
        if (h2all[k].fd >= 0) {
            struct linger lg = {1, 0};
            setsockopt(h2all[k].fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
            close(h2all[k].fd);
        }
    }
    return 0;
}
