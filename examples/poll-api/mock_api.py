#!/usr/bin/env python3
"""A tiny ticket API that changes on its own, so the poll example works offline.

    python3 examples/poll-api/mock_api.py [PORT]      # default 9000

GET /api/tickets answers {"data": {"tickets": [...]}}. Every few seconds a ticket is opened,
edited or closed (removed). Responses carry an ETag; a request with a matching If-None-Match
gets 304 Not Modified, as a well-behaved API would.
"""
import json
import random
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
tickets = [
    {"id": 1, "title": "Printer on fire", "status": "open"},
    {"id": 2, "title": "VPN drops every hour", "status": "open"},
]
version = 1
next_id = 3


def churn():
    """Open, edit or close a ticket every 3 seconds."""
    global version, next_id
    titles = ["Cannot log in", "Disk full on build01", "Coffee machine offline", "Typo on pricing page"]
    while True:
        time.sleep(3)
        with lock:
            action = random.choice(["open", "edit", "close"] if tickets else ["open"])
            if action == "open":
                tickets.append({"id": next_id, "title": random.choice(titles), "status": "open"})
                next_id += 1
            elif action == "edit":
                ticket = random.choice(tickets)
                ticket["status"] = "in progress" if ticket["status"] == "open" else "waiting"
            else:
                tickets.pop(random.randrange(len(tickets)))
            version += 1


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.split("?")[0] != "/api/tickets":
            self.send_error(404)
            return
        with lock:
            etag = f'"v{version}"'
            body = json.dumps({"data": {"tickets": tickets}}).encode()
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass  # quiet: the gateway's log is the interesting one


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9000
    threading.Thread(target=churn, daemon=True).start()
    print(f"mock ticket API on http://127.0.0.1:{port}/api/tickets", flush=True)
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
