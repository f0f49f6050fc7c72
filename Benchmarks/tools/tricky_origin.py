# A tricky SSE server: chunked coding, CR / LF / CRLF line ends, multi-line data, comments,
# writes split at random points (down to 1 byte), one deliberate gap and one duplicate.
# With a third argument `gzip`, a request with Accept-Encoding: gzip gets the same stream gzip'd
# (Content-Encoding: gzip): sync-flushed after pieces of random size, then the member's trailer
# (CRC-32, length) and the last chunk; `loadclient --gzip` should count one gzip_end per client.
import random, socket, sys, time, threading, zlib
random.seed(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
port = int(sys.argv[1])
gzip_mode = len(sys.argv) > 3 and sys.argv[3] == "gzip"
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port)); ls.listen(16)
def serve(c):
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    request = c.recv(4096).lower()
    gz = gzip_mode and b"accept-encoding: gzip" in request
    time.sleep(0.5)
    body = b""
    seqs = [s for s in range(1, 301) if s != 50] + [299]  # one gap (50), one duplicate (299)
    ends = [b"\n", b"\r", b"\r\n"]
    for s in seqs:
        e = random.choice(ends)
        ts = int(time.time() * 1e6)
        parts = [b": comment" + e, b"id: %d" % s + e, b"event: tick" + e,
                 b'data: {"seq":%d,' % s + e, b'data:"ts":%d,"pad":"xx"}' % ts + e, b"retry: 1000" + e, e]
        body += b"".join(parts)
    # chunked coding with random chunk sizes, then random write splits
    if gz:
        z = zlib.compressobj(6, zlib.DEFLATED, 31)
        out, i = b"", 0
        while i < len(body):
            n = random.randint(1, 2000)
            out += z.compress(body[i:i+n]) + z.flush(zlib.Z_SYNC_FLUSH)
            i += n
        body = out + z.flush(zlib.Z_FINISH)
    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
              + (b"Content-Encoding: gzip\r\n" if gz else b"") + b"\r\n")
    time.sleep(1)
    enc = b""
    i = 0
    while i < len(body):
        n = random.randint(1, 300)
        enc += b"%x\r\n" % len(body[i:i+n]) + body[i:i+n] + b"\r\n"
        i += n
    if gz:
        enc += b"0\r\n\r\n"
    j = 0
    while j < len(enc):
        n = random.choice([1, 1, 2, 3, 7, 50, 500])
        c.sendall(enc[j:j+n]); j += n
        time.sleep(0.0005)
    time.sleep(3)
    c.close()
while True:
    c, _ = ls.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
