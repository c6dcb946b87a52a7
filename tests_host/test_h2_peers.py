# mhttp.h2 core against real HTTP/2 clients (curl, nghttp, h2load) on 127.0.0.1: a tiny
# blocking socket loop around H2Protocol (the real driver lives elsewhere; this only
# checks the core's wire behaviour).  GET /N answers N bytes of b"x".
import socket
import subprocess
import threading

from conftest import require, free_port
from mhttp.h2 import H2Protocol, EV_HEADERS, EV_WINDOW_UPDATED, EV_STREAM_RESET


class Server:
    def __init__(self, connections):
        self.port = free_port()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", self.port))
        self.sock.listen(8)
        self.sock.settimeout(20)
        self.resets = []
        self.requests = 0
        self.t = threading.Thread(target=self.run, args=(connections,), daemon=True)
        self.t.start()

    def run(self, n):
        for _ in range(n):
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.handle, args=(c,), daemon=True).start()

    def handle(self, conn):
        p = H2Protocol(client=False, auto_ack=True)
        p.initiate_connection()
        conn.sendall(p.data_to_send())
        conn.settimeout(10)
        pending = {}
        for _ in range(100000):
            try:
                d = conn.recv(65536)
            except OSError:
                break
            if not d:
                break
            for ev in p.receive_data(d):
                if ev[0] == EV_HEADERS:
                    self.requests += 1
                    body = b"x" * int(ev[2].get(":path")[1:] or b"0")
                    p.send_headers(ev[1], [(b":status", b"200"),
                                           (b"content-length", b"%d" % len(body))])
                    pending[ev[1]] = body
                elif ev[0] == EV_STREAM_RESET:
                    self.resets.append(ev[1:])
                    pending.pop(ev[1], None)
                if ev[0] in (EV_HEADERS, EV_WINDOW_UPDATED):
                    for sid in list(pending):
                        k = p.send_data(sid, pending[sid], True)
                        pending[sid] = pending[sid][k:]
                        if not pending[sid]:
                            del pending[sid]
            out = p.data_to_send()
            if out:
                conn.sendall(out)
        conn.close()

    def close(self):
        self.sock.close()


def test_curl_nghttp_h2load():
    curl = require("curl")
    nghttp = require("nghttp")
    h2load = require("h2load")
    srv = Server(5)
    try:
        url = "http://127.0.0.1:%d" % srv.port
        r = subprocess.run([curl, "-s", "--http2-prior-knowledge", url + "/200000", "-o",
                            "/dev/null", "-w", "%{http_code} %{size_download} %{http_version}"],
                           capture_output=True, timeout=30)
        assert r.stdout == b"200 200000 2", r
        # 1 MB through flow control (nghttp's 64 KiB stream windows)
        r = subprocess.run([nghttp, "-n", "-s", url + "/1000000"], capture_output=True,
                           timeout=30)
        assert r.returncode == 0 and b" 200 976K /1000000" in r.stdout, r.stdout
        r = subprocess.run([h2load, "-n", "2000", "-c", "2", "-m", "20", url + "/100"],
                           capture_output=True, timeout=60)
        assert b"2000 succeeded, 0 failed" in r.stdout, r.stdout
        # a malformed request (te: gzip) is reset with PROTOCOL_ERROR
        r = subprocess.run([nghttp, "-v", "-n", "-H", "te: gzip", url + "/5"],
                           capture_output=True, timeout=30)
        assert b"recv RST_STREAM" in r.stdout and b"PROTOCOL_ERROR(0x01)" in r.stdout, r.stdout
        assert [r[1:] for r in srv.resets] == [(1, False)], srv.resets
    finally:
        srv.close()
