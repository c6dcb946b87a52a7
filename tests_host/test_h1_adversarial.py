# Adversarial clients against the live HTTP/1.1 server on every server path: CPython's
# asyncio.Protocol fast path, CPython's asyncio streams path, and the MicroPython unix port
# (tests_host/_adv_server_app.py as a subprocess).  Each test asserts a concrete outcome
# (status, close, counts), that the server's connection count and open file descriptors
# (/proc/PID/fd) come back to their baseline, and that a normal client is served after.
import os
import socket
import struct
import sys
import time

import pytest

from conftest import ROOT, free_port, require_micropython

APP = os.path.join(ROOT, "tests_host", "_adv_server_app.py")
PY = os.path.join(ROOT, ".venv", "bin", "python")
if not os.path.exists(PY):
    PY = sys.executable
RUNTIMES = ["cpython", "cpython-streams", "micropython"]
HELLO = b"Hello, World!"
GET = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"


class Srv:
    def __init__(self, runtime, args=()):
        import subprocess
        self.port = free_port()
        cmd = [require_micropython(), APP] if runtime == "micropython" else [PY, "-u", APP]
        cmd += ["--port", str(self.port)] + list(args)
        if runtime == "cpython-streams":
            cmd.append("--streams")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        deadline = time.time() + 15
        line = b""
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if b"listening on" in line or not line:
                break
        if b"listening on" not in line:
            self.stop()
            raise AssertionError("server did not start: %r" % line)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except Exception:
                self.proc.kill()
                self.proc.wait(5)
        self.proc.stdout.close()

    def fds(self):
        return len(os.listdir("/proc/%d/fd" % self.proc.pid))

    def rss_kib(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def conns(self):
        # (connections held, connections being sniffed, refused) as the server counts them;
        # the /conns request's own connection is one of those held.
        body = get(self.port, b"/conns")[2]
        d = dict(x.split(b"=") for x in body.split())
        return int(d[b"conns"]), int(d[b"pending"]), int(d[b"refused"])

    def settle(self, fds0, timeout=8.0):
        # Waits until only our probe connection is held and the fd count is back to fds0.
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            c = self.conns()
            time.sleep(0.05)
            last = (c, self.fds(), fds0)
            if c[0] == 1 and c[1] == 0 and last[1] <= fds0:
                return last
            time.sleep(0.2)
        raise AssertionError("server did not settle: (conns, pending, refused), fds, "
                             "baseline = %r" % (last,))


@pytest.fixture(params=RUNTIMES)
def runtime(request):
    return request.param


def read_response(s, timeout=5.0):
    # One response with a content-length body from socket s: (status, head, body).
    s.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        d = s.recv(65536)
        if not d:
            raise EOFError("closed before a response head: %r" % data)
        data += d
    i = data.find(b"\r\n\r\n")
    head = data[:i]
    n = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            n = int(v)
    body = data[i + 4:]
    while len(body) < n:
        d = s.recv(65536)
        if not d:
            raise EOFError("closed in a response body")
        body += d
    return int(head.split(b" ")[1]), head, body[:n]


def get(port, path=b"/"):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        s.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        return read_response(s)
    finally:
        s.close()


def served(port):
    st, _, body = get(port)
    return st == 200 and body == HELLO


def rst_close(s):
    # Close with a TCP reset (SO_LINGER 0), as a crashing client would.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def read_until_closed(s, timeout):
    # Everything the server sends until it closes (b"" read or reset); raises on timeout.
    s.settimeout(timeout)
    out = b""
    while True:
        try:
            d = s.recv(65536)
        except ConnectionResetError:
            return out, True
        if not d:
            return out, False
        out += d


# ---------------------------------------------------------------------------------------

def test_connections_dropped_mid_request_body_and_response(runtime):
    s = Srv(runtime)
    try:
        assert served(s.port)
        fds0 = s.settle(s.fds() + 0)[2]
        socks = []
        for i in range(30):
            c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
            k = i % 3
            if k == 0:      # mid-head
                c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Partial: ab")
            elif k == 1:    # mid-body
                c.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"
                          + b"a" * 3000)
            else:           # mid-response: a 4 MB body, read a little of it
                c.sendall(b"GET /big?4000000 HTTP/1.1\r\nHost: x\r\n\r\n")
                c.recv(1000)
            socks.append(c)
        time.sleep(0.3)
        for i, c in enumerate(socks):
            if i % 2:
                rst_close(c)
            else:
                c.close()
        c, fds, _ = s.settle(fds0)
        assert fds <= fds0 and c[0] == 1
        assert served(s.port)
    finally:
        s.stop()


def test_client_that_never_reads_is_cut_off(runtime):
    # write_timeout 1 s: a 200 MB response to a client that reads nothing must not be
    # buffered in the server (RSS bounded) and the connection must be dropped.
    s = Srv(runtime, ["--write-timeout", "1"])
    try:
        assert served(s.port)
        fds0 = s.fds()
        rss0 = s.rss_kib()
        c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        c.sendall(b"GET /big?200000000 HTTP/1.1\r\nHost: x\r\n\r\n")
        t0 = time.time()
        time.sleep(1.0)
        assert served(s.port)          # others are served meanwhile
        deadline = t0 + 8
        while time.time() < deadline and s.conns()[0] > 1:
            time.sleep(0.2)
        dt = time.time() - t0
        assert s.conns()[0] == 1, "never-reading client still connected after %.1fs" % dt
        growth = s.rss_kib() - rss0
        assert growth < 16 * 1024, "server RSS grew by %d KiB" % growth
        # the socket itself is gone too (not kept open to flush its buffer), while the
        # client still has not read a byte
        s.settle(fds0, timeout=4)
        c.settimeout(5)
        assert c.recv(100).startswith(b"HTTP/1.1 200 ")
        rst_close(c)      # (the kernel would go on delivering what it had queued)
        assert served(s.port)
    finally:
        s.stop()


def test_body_larger_than_limit_early_413(runtime):
    # max_body 1024: a 5 MB upload (content-length, then chunked) is answered 413 as soon
    # as the head (or the first over-limit chunk) is read, the connection is closed, and
    # the client that keeps sending still gets to read the 413.
    s = Srv(runtime, ["--max-body", "1024"])
    try:
        fds0 = s.fds()
        for head in (b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n",
                     b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"100000\r\n"):
            c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
            c.sendall(head)
            c.settimeout(0.5)
            got = b""
            sent = 0
            try:
                while sent < 5000000 and b"\r\n\r\n" not in got:
                    c.sendall(b"a" * 65536)
                    sent += 65536
                    try:
                        got += c.recv(65536)
                    except socket.timeout:
                        pass
            except (BrokenPipeError, ConnectionResetError):
                pass
            try:
                more, _ = read_until_closed(c, 5)
                got += more
            except (ConnectionResetError, socket.timeout):
                pass
            c.close()
            assert got.startswith(b"HTTP/1.1 413 "), (head[:40], got[:200], sent)
            assert b"connection: close" in got.lower()
            assert sent < 5000000
        s.settle(fds0)
        assert served(s.port)
    finally:
        s.stop()


def test_1000_pipelined_requests_in_one_write(runtime):
    s = Srv(runtime)
    try:
        fds0 = s.fds()
        c = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        reqs = b"".join(b"GET /?%d HTTP/1.1\r\nHost: x\r\n\r\n" % i for i in range(1000))
        c.sendall(reqs + b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        out, _ = read_until_closed(c, 20)
        c.close()
        one = b"HTTP/1.1 200 OK\r\n"
        assert out.count(one) == 1001, out.count(one)
        assert out.count(HELLO) == 1001 and out.endswith(HELLO)
        s.settle(fds0)
        assert served(s.port)
    finally:
        s.stop()


def test_pipelined_flood_bounded(runtime):
    # 20 MB of pipelined requests while the client reads nothing: the server must not
    # buffer them (RSS bounded); once the client reads, every answer it gets is whole.
    s = Srv(runtime, ["--write-timeout", "2"])
    try:
        fds0 = s.fds()
        rss0 = s.rss_kib()
        c = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        c.setblocking(False)
        one = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
        blob = one * 2000
        sent = 0
        t0 = time.time()
        while sent < 20000000 and time.time() - t0 < 3:
            try:
                sent += c.send(blob)
            except BlockingIOError:
                time.sleep(0.01)
            except OSError:
                break
        growth = s.rss_kib() - rss0
        assert growth < 24 * 1024, "server RSS grew by %d KiB" % growth
        assert sent < 20000000          # backpressure reached the client
        c.setblocking(True)
        out, _ = read_until_closed(c, 15)
        c.close()
        # every answer is whole, but for the one a write timeout may have cut
        n = out.count(b"HTTP/1.1 200 OK\r\n")
        assert n > 0 and 0 <= n - out.count(HELLO) <= 1, (n, out.count(HELLO))
        s.settle(fds0)
        assert served(s.port)
    finally:
        s.stop()


@pytest.mark.parametrize("bomb,status", [
    (b"X-A: b\r\n" * 5000, 431),                       # too many fields, never ends
    (b"X-Big: " + b"a" * 200000, 431),                 # one endless field line
    (b"Cookie: " + b"c=" * 10000 + b"\r\n\r\n", 431),  # one over-long complete line
])
def test_header_bombs(runtime, bomb, status):
    s = Srv(runtime)
    try:
        fds0 = s.fds()
        c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
        try:
            c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n" + bomb)
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            out, _ = read_until_closed(c, 5)
        except ConnectionResetError:
            out = b""
        c.close()
        assert out.startswith(b"HTTP/1.1 %d " % status), out[:100]
        s.settle(fds0)
        assert served(s.port)
    finally:
        s.stop()


def test_slow_trickle_body_served_and_stall_cut(runtime):
    # body_timeout 1 s is per read: a body trickling one byte every 0.2 s is served whole;
    # a body that stops for longer than body_timeout is cut off.
    s = Srv(runtime, ["--body-timeout", "1"])
    try:
        fds0 = s.fds()
        c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
        body = b"0123456789"
        c.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n"
                  b"Connection: close\r\n\r\n")
        for i in range(len(body)):
            time.sleep(0.2)
            c.sendall(body[i:i + 1])
        st, _, got = read_response(c)
        c.close()
        assert st == 200 and got == body
        c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
        c.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n012")
        t0 = time.time()
        out, _ = read_until_closed(c, 6)
        c.close()
        assert 0.5 < time.time() - t0 < 4.5
        s.settle(fds0)
        assert served(s.port)
    finally:
        s.stop()


def test_connection_flood_past_max_connections(runtime):
    # max_connections 4: 40 clients connect and send nothing.  Four are held (they wait
    # for a request), the rest get 503 and are closed at once; when the held ones go,
    # a normal client is served and every count returns to its baseline.
    s = Srv(runtime, ["--max-connections", "4", "--idle-timeout", "30"])
    try:
        fds0 = s.fds()
        socks = [socket.create_connection(("127.0.0.1", s.port), timeout=5) for _ in range(40)]
        # Wait (select, 8 s at most) for every connection the server answers: the ones
        # still in the listen backlog are accepted and refused in turn; the held ones
        # hear nothing.
        import select
        waiting = list(socks)
        refused = 0
        deadline = time.time() + 8
        while len(waiting) > 4 and time.time() < deadline:
            r, _, _ = select.select(waiting, [], [], 0.5)
            for c in r:
                try:
                    d = c.recv(1000)
                except ConnectionResetError:
                    d = b""
                assert d.startswith(b"HTTP/1.1 503 ") or d == b"", d
                waiting.remove(c)
                refused += 1
        held = waiting
        assert len(held) <= 4 and refused >= 36, (len(held), refused)
        for c in socks:
            c.close()
        s.settle(fds0)
        assert served(s.port)
    finally:
        s.stop()
