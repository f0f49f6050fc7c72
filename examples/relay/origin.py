#!/usr/bin/env python3
"""A tiny SSE origin for the relay example: a numbered event every 500 ms.

    python3 examples/relay/origin.py [PORT]      # default 9100

GET /events streams `id: N`, `event: tick`, `data: {"n": N, ...}`. A client that reconnects
with Last-Event-ID resumes after that number, so nothing is lost while it was away.
"""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

START = time.time()


def current():
    return int((time.time() - START) / 0.5)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path.split("?")[0] != "/events":
            self.send_error(404)
            return
        try:
            n = int(self.headers.get("Last-Event-ID", "")) + 1
        except ValueError:
            n = current()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while True:
                while n <= current():
                    data = json.dumps({"n": n, "at": round(START + n * 0.5, 1)})
                    self.wfile.write(f"id: {n}\nevent: tick\ndata: {data}\n\n".encode())
                    n += 1
                self.wfile.flush()
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format, *args):
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9100
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    # Said once bound, with the port bound (port 0 picks a free one).
    print(f"SSE origin on http://127.0.0.1:{server.server_address[1]}/events", flush=True)
    server.serve_forever()
