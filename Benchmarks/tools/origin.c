// origin: an upstream that publishes numbered, timestamped events at a fixed rate.
//
// Every event's data is `{"seq":N,"ts":MICROS,"pad":"xxx…"}`, padded to exactly --size
// bytes; MICROS is CLOCK_REALTIME in microseconds when the event was published. The same
// events go out two ways at once:
//
//   * as an SSE stream to every `GET` on --port (what the gateway's `sse` source reads;
//     also the "C floor": a minimal relay that writes each batch once per client);
//   * as HTTP POSTs to nchan's publisher location (--pub HOST:PORT/PATH), pipelined on one
//     persistent connection: requests are written without waiting for responses, and the
//     responses are read and counted as they come. One round trip per event would cap the
//     rate at ~20-40k/s; pipelining keeps 100k+/s on one connection.
//
// Events are produced on a 1 ms timer: each tick publishes every event that is due by the
// schedule (seq / rate seconds after start), so a late tick catches up instead of lowering
// the rate; the worst lag behind the schedule is reported.
//
// --burst N publishes the same average rate in bursts: N events back to back (one tick, one
// timestamp, one write per subscriber, N pipelined POSTs) every N / rate seconds, the first
// as soon as publishing starts.
//
// --channels N spreads the events round-robin over N channels: event s belongs to channel
// s % N, and its data gains `"ch":"<s % N>"` after `ts` (still padded to --size). Then
//   * `GET /events/C` streams only channel C's events (the C floor of a channel benchmark);
//     any other GET still streams every event;
//   * a publisher path with `{ch}` in it (`--pub 127.0.0.1:8081/pub/{ch}`) POSTs each event to
//     its channel's path; without `{ch}` every event goes to the one path.
//
// --pad-random fills each event's pad with new pseudo-random base64 characters (6 bits of entropy
// a byte) instead of `x`s: content that compresses about as badly as text can, where the `x`s
// compress to almost nothing (for measuring gzip'd streams between those two bounds).
//
// --count N publishes N events, then pauses (printing `paused SEQ` on stdout) until SIGUSR1
// publishes N more, and so on: for filling a server in stages.
//
// SIGINT/SIGTERM: stop and print one JSON line of figures on stdout.
//
// Build: gcc -O2 -o origin origin.c
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static int opt_port = 0;
static double opt_rate = 100;
static int opt_size = 200;
static const char *opt_pub = NULL;
static int opt_tick_us = 1000;
static uint64_t opt_burst = 1;            // events per burst; 1: a steady rate
static size_t opt_max_queue = 64u << 20;  // per subscriber, bytes queued before it is cut off
static uint64_t opt_channels = 0;         // 0: no channels
static uint64_t opt_count = 0;            // 0: publish until stopped
static int opt_pad_random = 0;            // --pad-random: random base64 characters as the pad

static volatile sig_atomic_t stop_flag = 0;
static volatile sig_atomic_t go_flag = 1;  // --paused: 0 until SIGUSR1
static void on_signal(int sig) { (void)sig; stop_flag = 1; }
static void on_go(int sig) { (void)sig; go_flag = 1; }

static inline int64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
static inline double now_mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

// ---------------------------------------------------------------- buffers

typedef struct { char *p; size_t len, cap, off; } buf;
static void buf_reserve(buf *b, size_t add) {
    if (b->off && b->off == b->len) b->off = b->len = 0;
    if (b->len + add <= b->cap) return;
    if (b->off) { memmove(b->p, b->p + b->off, b->len - b->off); b->len -= b->off; b->off = 0; }
    if (b->len + add <= b->cap) return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + add) cap *= 2;
    b->p = realloc(b->p, cap);
    b->cap = cap;
}
static void buf_put(buf *b, const void *d, size_t n) { buf_reserve(b, n); memcpy(b->p + b->len, d, n); b->len += n; }
static size_t buf_pending(buf *b) { return b->len - b->off; }

// ---------------------------------------------------------------- connections

enum { K_LISTEN, K_TIMER, K_SUB, K_PUB };

typedef struct client {
    int kind;
    int fd;
    int streaming;      // request read, headers sent
    int64_t chan;       // the channel it streams, or -1 for every event
    buf out;
    char req[1024]; int req_len;
    int want_out;
    struct client *next, *prev;
} client;

static int epfd;
static client *subs = NULL;   // streaming subscribers of every event
static client **chan_subs = NULL;  // --channels: per channel, its streaming subscribers
static int nsubs = 0;
static uint64_t subs_dropped = 0, subs_total = 0;

static client pubc;           // nchan publisher connection
static buf pub_in;
static uint64_t pub_sent = 0, pub_ok = 0, pub_err = 0, pub_max_inflight = 0;
static int pub_connected = 0;
static uint64_t pub_disconnects = 0;
static char pub_host[256], pub_path[512];
static int pub_port;

static void set_out_interest(client *c, int want) {
    if (c->want_out == want) return;
    c->want_out = want;
    struct epoll_event ev = {.events = EPOLLIN | (want ? EPOLLOUT : 0), .data.ptr = c};
    epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

// Closed clients are freed after the current batch of epoll events, which may still name them.
static client *graveyard = NULL;

static void sub_close(client *c) {
    if (c->fd < 0) return;
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->fd = -1;
    if (c->streaming) {
        client **head = c->chan >= 0 ? &chan_subs[c->chan] : &subs;
        if (c->prev) c->prev->next = c->next; else *head = c->next;
        if (c->next) c->next->prev = c->prev;
        nsubs--;
    }
    c->next = graveyard;
    graveyard = c;
}

static void bury(void) {
    while (graveyard) {
        client *c = graveyard;
        graveyard = c->next;
        free(c->out.p);
        free(c);
    }
}

// Writes what is queued; returns -1 if the connection failed.
static int flush_out(client *c) {
    while (buf_pending(&c->out)) {
        ssize_t n = write(c->fd, c->out.p + c->out.off, buf_pending(&c->out));
        if (n < 0) {
            if (errno == EAGAIN) { set_out_interest(c, 1); return 0; }
            if (errno == EINTR) continue;
            return -1;
        }
        c->out.off += (size_t)n;
    }
    c->out.off = c->out.len = 0;
    set_out_interest(c, 0);
    return 0;
}

static const char sse_head[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n:ok\n\n";

static void sub_readable(client *c) {
    char tmp[4096];
    ssize_t n = read(c->fd, tmp, sizeof tmp);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) { sub_close(c); return; }
    if (n < 0 || c->streaming) return;  // bytes after the request are ignored
    size_t take = (size_t)n;
    if (c->req_len + take > sizeof c->req - 1) take = sizeof c->req - 1 - c->req_len;
    memcpy(c->req + c->req_len, tmp, take);
    c->req_len += (int)take;
    c->req[c->req_len] = 0;
    if (!strstr(c->req, "\r\n\r\n")) {
        if (c->req_len >= (int)sizeof c->req - 1) sub_close(c);
        return;
    }
    // `GET /events/C`: channel C only (with --channels); any other request: every event.
    c->chan = -1;
    unsigned long long chn;
    int used = 0;
    if (opt_channels && sscanf(c->req, "GET /events/%llu%n", &chn, &used) == 1 && used > 0 &&
        (c->req[used] == ' ' || c->req[used] == '?')) {
        if (chn >= opt_channels) { sub_close(c); return; }
        c->chan = (int64_t)chn;
    }
    client **head = c->chan >= 0 ? &chan_subs[c->chan] : &subs;
    c->streaming = 1;
    c->next = *head; c->prev = NULL;
    if (*head) (*head)->prev = c;
    *head = c;
    nsubs++;
    subs_total++;
    buf_put(&c->out, sse_head, sizeof sse_head - 1);
    if (flush_out(c) < 0) sub_close(c);
}

// ---------------------------------------------------------------- nchan publisher

static int pub_connect(void) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(pub_port)};
    inet_pton(AF_INET, pub_host, &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) { close(fd); return -1; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    pubc.kind = K_PUB;
    pubc.fd = fd;
    pubc.want_out = 0;
    pubc.out.off = pubc.out.len = 0;
    pub_in.off = pub_in.len = 0;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &pubc};
    epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
    pub_connected = 1;
    return 0;
}

static void pub_lost(void) {
    epoll_ctl(epfd, EPOLL_CTL_DEL, pubc.fd, NULL);
    close(pubc.fd);
    pub_connected = 0;
    pub_disconnects++;
    // Requests in flight are lost; count them as errors and start over on a new connection.
    pub_err += pub_sent - pub_ok - pub_err;
    if (pub_connect() < 0) fprintf(stderr, "origin: cannot reconnect to the publisher\n");
}

// Parses as many complete responses as the input holds (status line, headers, Content-Length body).
static void pub_parse(void) {
    for (;;) {
        char *s = pub_in.p + pub_in.off;
        size_t n = pub_in.len - pub_in.off;
        if (n == 0) break;
        char *e = memmem(s, n, "\r\n\r\n", 4);
        if (!e) break;
        size_t hlen = (size_t)(e - s) + 4;
        int status = 0;
        sscanf(s, "HTTP/%*d.%*d %d", &status);
        size_t clen = 0;
        for (char *l = memmem(s, hlen, "\r\n", 2); l && l < e; l = memmem(l + 2, (size_t)(e - l), "\r\n", 2)) {
            if (strncasecmp(l + 2, "content-length:", 15) == 0) clen = strtoul(l + 17, NULL, 10);
            if (strncasecmp(l + 2, "transfer-encoding:", 18) == 0) {
                fprintf(stderr, "origin: publisher answered with a transfer coding; expected Content-Length\n");
                exit(3);
            }
        }
        if (n < hlen + clen) break;
        if (status >= 200 && status < 300) pub_ok++;
        else {
            if (pub_err < 5) fprintf(stderr, "origin: publisher answered %d: %.*s\n", status, (int)(hlen + clen), s);
            pub_err++;
        }
        pub_in.off += hlen + clen;
    }
    if (pub_in.off == pub_in.len) pub_in.off = pub_in.len = 0;
}

static void pub_readable(void) {
    for (;;) {
        buf_reserve(&pub_in, 65536);
        ssize_t n = read(pubc.fd, pub_in.p + pub_in.len, pub_in.cap - pub_in.len);
        if (n > 0) { pub_in.len += (size_t)n; pub_parse(); continue; }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        pub_lost();
        return;
    }
}

// ---------------------------------------------------------------- publishing

static uint64_t seq = 0;        // last published
static uint64_t base = 0;       // published before the current schedule started (--count)
static double t_start;
static double active_s = 0;     // time spent publishing in earlier stages (--count)
static double max_lag = 0;
static buf batch;               // SSE bytes of the events of one tick
static char *padding;

// When event s (from 1) is due, in seconds after the start.
static double due_at(uint64_t s) {
    if (opt_burst > 1) return (double)((s - 1) / opt_burst * opt_burst) / opt_rate;
    return (double)s / opt_rate;
}

// How many events are due by t seconds after the start.
static uint64_t due_by(double t) {
    if (opt_burst > 1) return ((uint64_t)(t * opt_rate / (double)opt_burst) + 1) * opt_burst;
    return (uint64_t)(t * opt_rate);
}

// Writes one event's SSE bytes to channel `ch`'s own subscribers (--channels).
static void publish_to_channel(uint64_t ch, const char *sse, size_t len) {
    for (client *c = chan_subs[ch], *next; c; c = next) {
        next = c->next;
        if (buf_pending(&c->out) > opt_max_queue) { subs_dropped++; sub_close(c); continue; }
        int had = buf_pending(&c->out) > 0;
        buf_put(&c->out, sse, len);
        if (!had && flush_out(c) < 0) sub_close(c);
    }
}

static void publish_due(void) {
    double t = now_mono();
    uint64_t due = base + due_by(t - t_start);
    if (opt_count && due > base + opt_count) due = base + opt_count;
    if (due <= seq) return;
    double lag = t - t_start - due_at(seq + 1 - base);  // how late the oldest due event is
    if (lag > max_lag) max_lag = lag;
    int64_t ts = now_us();
    batch.len = batch.off = 0;
    char data[160];
    for (uint64_t s = seq + 1; s <= due; s++) {
        size_t event_start = batch.len;
        uint64_t ch = opt_channels ? s % opt_channels : 0;
        int head = opt_channels
            ? snprintf(data, sizeof data, "{\"seq\":%llu,\"ts\":%lld,\"ch\":\"%llu\",\"pad\":\"", (unsigned long long)s,
                       (long long)ts, (unsigned long long)ch)
            : snprintf(data, sizeof data, "{\"seq\":%llu,\"ts\":%lld,\"pad\":\"", (unsigned long long)s, (long long)ts);
        int pad = opt_size - head - 2;
        if (pad < 0) pad = 0;
        int dlen = head + pad + 2;
        if (opt_pad_random) {  // xorshift64: ~6 bits of entropy a byte
            static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/";
            static uint64_t x = 0x9E3779B97F4A7C15ull;
            for (int i = 0; i < pad; i++) {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                padding[i] = alphabet[x >> 58];
            }
        }
        // SSE
        char idl[48];
        int il = snprintf(idl, sizeof idl, "id: %llu\ndata: ", (unsigned long long)s);
        buf_put(&batch, idl, il);
        buf_put(&batch, data, head);
        buf_put(&batch, padding, pad);
        buf_put(&batch, "\"}\n\n", 4);
        if (opt_channels && chan_subs[ch]) publish_to_channel(ch, batch.p + event_start, batch.len - event_start);
        // nchan
        if (pub_connected) {
            char req[640];
            int rl;
            const char *slot = opt_channels ? strstr(pub_path, "{ch}") : NULL;
            if (slot)
                rl = snprintf(req, sizeof req,
                    "POST %.*s%llu%s HTTP/1.1\r\nHost: %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n",
                    (int)(slot - pub_path), pub_path, (unsigned long long)ch, slot + 4, pub_host, dlen);
            else
                rl = snprintf(req, sizeof req,
                    "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n",
                    pub_path, pub_host, dlen);
            buf_put(&pubc.out, req, rl);
            buf_put(&pubc.out, data, head);
            buf_put(&pubc.out, padding, pad);
            buf_put(&pubc.out, "\"}", 2);
            pub_sent++;
        }
    }
    seq = due;
    if (opt_count && seq == base + opt_count) {  // a stage is complete: pause until SIGUSR1
        base = seq;
        go_flag = 0;
        active_s += now_mono() - t_start;
        printf("paused %llu\n", (unsigned long long)seq);
        fflush(stdout);
    }
    if (pub_connected) {
        uint64_t inflight = pub_sent - pub_ok - pub_err;
        if (inflight > pub_max_inflight) pub_max_inflight = inflight;
        if (flush_out(&pubc) < 0) pub_lost();
    }
    for (client *c = subs, *next; c; c = next) {  // subscribers of every event: the whole batch at once
        next = c->next;
        if (buf_pending(&c->out) > opt_max_queue) { subs_dropped++; sub_close(c); continue; }
        int had = buf_pending(&c->out) > 0;
        buf_put(&c->out, batch.p, batch.len);
        if (!had && flush_out(c) < 0) sub_close(c);
    }
}

int main(int argc, char **argv) {
    static struct option longopts[] = {
        {"port", required_argument, 0, 'p'}, {"rate", required_argument, 0, 'r'},
        {"size", required_argument, 0, 's'}, {"pub", required_argument, 0, 'P'},
        {"tick-us", required_argument, 0, 'k'}, {"paused", no_argument, 0, 'z'},
        {"burst", required_argument, 0, 'b'}, {"channels", required_argument, 0, 'c'},
        {"count", required_argument, 0, 'n'}, {"pad-random", no_argument, 0, 'R'}, {0, 0, 0, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "p:r:s:P:k:zb:c:n:", longopts, NULL)) != -1) {
        switch (ch) {
        case 'p': opt_port = atoi(optarg); break;
        case 'r': opt_rate = atof(optarg); break;
        case 's': opt_size = atoi(optarg); break;
        case 'P': opt_pub = optarg; break;
        case 'k': opt_tick_us = atoi(optarg); break;
        case 'z': go_flag = 0; break;
        case 'b': opt_burst = strtoull(optarg, NULL, 10); break;
        case 'c': opt_channels = strtoull(optarg, NULL, 10); break;
        case 'n': opt_count = strtoull(optarg, NULL, 10); break;
        case 'R': opt_pad_random = 1; break;
        default:
            fprintf(stderr, "usage: origin --port P --rate EV_PER_S --size BYTES [--pub HOST:PORT/PATH] [--tick-us US] [--paused]\n"
                            "              [--burst N] [--channels N] [--count N] [--pad-random]\n"
                            "  --paused: serve subscribers but publish nothing until SIGUSR1\n"
                            "  --burst N: the same average rate, as N events back to back every N / rate seconds\n"
                            "  --channels N: event s is on channel s %% N: \"ch\":\"<s %% N>\" in its data; GET /events/C\n"
                            "                streams channel C only; {ch} in the --pub path is replaced by the channel\n"
                            "  --count N: publish N events, print `paused SEQ`, wait for SIGUSR1, publish N more, ...\n"
                            "  --pad-random: pad each event with new random base64 characters instead of x\n");
            return 2;
        }
    }
    if (opt_burst < 1) opt_burst = 1;
    if (opt_channels) chan_subs = calloc(opt_channels, sizeof *chan_subs);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGUSR1, on_go);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    padding = malloc(opt_size + 1);
    memset(padding, 'x', opt_size);

    epfd = epoll_create1(EPOLL_CLOEXEC);
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(opt_port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(lfd, 4096) < 0) {
        perror("origin: bind/listen");
        return 3;
    }
    socklen_t alen = sizeof a;
    getsockname(lfd, (struct sockaddr *)&a, &alen);
    client lcl = {.kind = K_LISTEN, .fd = lfd};
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &lcl};
    epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev);

    if (opt_pub) {
        const char *colon = strchr(opt_pub, ':');
        const char *slash = colon ? strchr(colon, '/') : NULL;
        if (!colon || !slash) { fprintf(stderr, "origin: --pub wants HOST:PORT/PATH\n"); return 2; }
        snprintf(pub_host, sizeof pub_host, "%.*s", (int)(colon - opt_pub), opt_pub);
        pub_port = atoi(colon + 1);
        snprintf(pub_path, sizeof pub_path, "%s", slash);
        if (pub_connect() < 0) { perror("origin: connect to publisher"); return 3; }
    }

    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    struct itimerspec its = {.it_interval = {0, opt_tick_us * 1000L}, .it_value = {0, opt_tick_us * 1000L}};
    timerfd_settime(tfd, 0, &its, NULL);
    client tcl = {.kind = K_TIMER, .fd = tfd};
    ev.events = EPOLLIN; ev.data.ptr = &tcl;
    if (opt_rate > 0) epoll_ctl(epfd, EPOLL_CTL_ADD, tfd, &ev);

    printf("listening %d\n", ntohs(a.sin_port));
    fflush(stdout);
    t_start = now_mono();
    struct epoll_event evs[256];
    while (!stop_flag) {
        int n = epoll_wait(epfd, evs, 256, 100);
        for (int i = 0; i < n; i++) {
            client *c = evs[i].data.ptr;
            switch (c->kind) {
            case K_LISTEN:
                for (;;) {
                    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (fd < 0) break;
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    client *s = calloc(1, sizeof *s);
                    s->kind = K_SUB; s->fd = fd;
                    struct epoll_event e2 = {.events = EPOLLIN, .data.ptr = s};
                    epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e2);
                }
                break;
            case K_TIMER: {
                uint64_t x;
                if (read(tfd, &x, sizeof x) < 0) {}
                if (!go_flag) { t_start = now_mono(); break; }  // the schedule starts at SIGUSR1
                publish_due();
                break;
            }
            case K_SUB:
                if (c->fd < 0) break;
                if (evs[i].events & EPOLLOUT) { if (flush_out(c) < 0) { sub_close(c); break; } }
                if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) sub_readable(c);
                break;
            case K_PUB:
                if (evs[i].events & EPOLLOUT) { if (flush_out(&pubc) < 0) { pub_lost(); break; } }
                if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) pub_readable();
                break;
            }
        }
        bury();
    }
    double elapsed = active_s + (go_flag ? now_mono() - t_start : 0);
    printf("{\"rate\":%.1f,\"burst\":%llu,\"channels\":%llu,\"size\":%d,\"published\":%llu,\"elapsed_s\":%.3f,\"actual_rate\":%.1f,\"max_lag_ms\":%.3f,"
           "\"subscribers\":%d,\"subscribers_total\":%llu,\"subscribers_dropped\":%llu,"
           "\"pub_sent\":%llu,\"pub_ok\":%llu,\"pub_err\":%llu,\"pub_inflight\":%llu,\"pub_max_inflight\":%llu,\"pub_disconnects\":%llu}\n",
           opt_rate, (unsigned long long)opt_burst, (unsigned long long)opt_channels, opt_size, (unsigned long long)seq, elapsed, seq / elapsed, max_lag * 1000, nsubs,
           (unsigned long long)subs_total, (unsigned long long)subs_dropped, (unsigned long long)pub_sent,
           (unsigned long long)pub_ok, (unsigned long long)pub_err, (unsigned long long)(pub_sent - pub_ok - pub_err),
           (unsigned long long)pub_max_inflight, (unsigned long long)pub_disconnects);
    fflush(stdout);
    return 0;
}
