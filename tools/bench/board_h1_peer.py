#!/usr/bin/env python3
# Host-side peer for tools/bench/board_h1_client.py (CPython): a threaded HTTP/1.1
# keep-alive server on 127.0.0.1:PORT answering every GET with 200 "Hello, World!".
# Runs until killed, or for at most MAX_SECONDS (default 600).
#
#   .venv/bin/python tools/bench/board_h1_peer.py PORT [MAX_SECONDS]
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY = b"Hello, World!"
RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n"
            % len(BODY)) + BODY


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        # one write per response (no Nagle / delayed-ACK stall between head and body)
        self.wfile.write(RESPONSE)

    def handle(self):
        try:
            super().handle()
        except OSError:
            pass                # the scenario died (MemoryError at a too-small heap)

    def log_message(self, *a):
        pass


def serve(port, max_seconds=600.0):
    srv = ThreadingHTTPServer(("127.0.0.1", port), H)
    srv.daemon_threads = True
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    return srv


if __name__ == "__main__":
    port = int(sys.argv[1])
    limit = float(sys.argv[2]) if len(sys.argv) > 2 else 600.0
    s = serve(port)
    print("listening on http://127.0.0.1:%d" % port, flush=True)
    threading.Event().wait(limit)
    s.shutdown()
