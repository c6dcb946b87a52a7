# mhttp.server against real clients (curl, raw sockets) on both runtimes: the server runs
# as a subprocess (`tests_host/_server_app.py`: the `mhttp serve` app plus a few test
# routes) under CPython (the asyncio.Protocol fast path, and the asyncio streams path)
# and under the MicroPython unix port.
import os
import re
import socket
import subprocess
import sys
import time

import pytest

from conftest import ROOT, free_port, require, require_micropython, tls_files, wait_until

sys.path.insert(0, os.path.join(ROOT, "tests_host", "core"))
import h1_corpus  # noqa: E402

APP = os.path.join(ROOT, "tests_host", "_server_app.py")
PY = os.path.join(ROOT, ".venv", "bin", "python")
if not os.path.exists(PY):
    PY = sys.executable

RUNTIMES = ["cpython", "cpython-streams", "micropython"]
HELLO = b"Hello, World!"


class ServerProc:
    def __init__(self, runtime, args=(), heap=None, cli=False):
        # cli=True runs `-m mhttp serve` itself instead of the test app.
        self.port = free_port()
        if runtime == "micropython":
            cmd = [require_micropython()]
            if heap:
                cmd += ["-X", "heapsize=%s" % heap]
            cmd += ["-m", "mhttp", "serve"] if cli else [APP]
        else:
            cmd = [PY, "-u", APP]
        cmd += ["--port", str(self.port)] + list(args)
        if runtime == "cpython-streams":
            cmd.append("--streams")
        self.runtime = runtime
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        line = b""
        deadline = time.time() + 15
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if b"listening on" in line or not line:
                break
        if b"listening on" not in line:
            self.stop()
            raise AssertionError("server did not start: %r %r" % (line, self.output()))

    def output(self):
        try:
            return self.proc.stdout.read() if self.proc.poll() is not None else b""
        except Exception:
            return b""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port


@pytest.fixture(params=RUNTIMES)
def server(request):
    s = ServerProc(request.param)
    yield s
    s.stop()


def curl(*args, timeout=30):
    r = subprocess.run([require("curl"), "-sS", "--max-time", "20"] + list(args),
                       capture_output=True, timeout=timeout)
    return r


def raw(port, data, timeout=5.0, shut=False):
    # Sends data on a new connection and reads until the server closes it (or timeout).
    # Returns (bytes received, closed_by_server).
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
        if shut:
            s.shutdown(socket.SHUT_WR)
        out = b""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                d = s.recv(65536)
            except socket.timeout:
                return out, False
            except ConnectionResetError:
                return out, True
            if not d:
                return out, True
            out += d
        return out, False
    finally:
        s.close()


def responses(data):
    # Splits a byte stream of responses with content-length bodies: [(status, headers, body)].
    out = []
    while data:
        i = data.find(b"\r\n\r\n")
        assert i >= 0, data
        head = data[:i].split(b"\r\n")
        st = int(head[0].split(b" ")[1])
        h = {}
        for line in head[1:]:
            k, _, v = line.partition(b":")
            h[k.strip().lower()] = v.strip()
        data = data[i + 4:]
        if st < 200:
            out.append((st, h, b""))
            continue
        n = int(h.get(b"content-length", b"0"))
        out.append((st, h, data[:n]))
        data = data[n:]
    return out


def get_ok(port):
    out, closed = raw(port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    r = responses(out)
    assert r[0][0] == 200 and r[0][2] == HELLO, out
    return True


# ---------------------------------------------------------------------------------------
# curl: the basics

def test_get_head_404(server):
    r = curl("-i", server.url + "/")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(b"HTTP/1.1 200 OK\r\n")
    assert r.stdout.endswith(b"\r\n\r\n" + HELLO)
    assert re.search(rb"\r\ndate: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\r\n", r.stdout)
    assert b"\r\nserver: mhttp\r\n" in r.stdout
    r = curl("-I", server.url + "/")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(b"HTTP/1.1 200 OK\r\n") and b"content-length: 13\r\n" in r.stdout
    r = curl("-i", server.url + "/nope")
    assert r.stdout.startswith(b"HTTP/1.1 404 Not Found\r\n") and r.stdout.endswith(b"not found\n")


def test_post_1mib_echo(server, tmp_path):
    data = os.urandom(1 << 20)
    f = tmp_path / "body.bin"
    f.write_bytes(data)
    r = curl("-H", "Content-Type: application/x-test", "--data-binary", "@%s" % f,
             "-D", str(tmp_path / "h.txt"), server.url + "/echo")
    assert r.returncode == 0, r.stderr
    assert r.stdout == data
    h = (tmp_path / "h.txt").read_bytes().lower()
    assert b"content-type: application/x-test" in h
    assert b"content-length: 1048576" in h
    assert h.startswith(b"http/1.1 200 ok\r\n")
    # curl sends Expect: 100-continue above 1 MiB (or when told): the 100 comes first
    # (curl waits 1 s for it before sending anyway, and then says "Done waiting for
    # 100-continue": check it came before that, by curl's own account rather than by
    # timing the whole 2 MiB exchange, which a loaded machine can stretch past 1 s)
    r = curl("-v", "-H", "Expect: 100-continue", "--data-binary", "@%s" % f,
             "-D", str(tmp_path / "h.txt"), server.url + "/echo")
    assert r.returncode == 0, r.stderr
    assert r.stdout == data
    h = (tmp_path / "h.txt").read_bytes().lower()
    assert h.startswith(b"http/1.1 100 continue\r\n\r\nhttp/1.1 200 ok\r\n")
    assert b"> Expect: 100-continue" in r.stderr, r.stderr
    assert (b"Done waiting for 100-continue" not in r.stderr
            or server.runtime == "micropython"), r.stderr


def test_chunked_upload_echo(server, tmp_path):
    data = os.urandom(300000)
    f = tmp_path / "body.bin"
    f.write_bytes(data)
    r = curl("-H", "Transfer-Encoding: chunked", "-H", "Content-Type: text/x-chunky",
             "--data-binary", "@%s" % f, "-D", str(tmp_path / "h.txt"), server.url + "/echo")
    assert r.returncode == 0, r.stderr
    assert r.stdout == data
    h = (tmp_path / "h.txt").read_bytes().lower()
    assert b"content-type: text/x-chunky" in h and b"transfer-encoding: chunked" in h


def test_keep_alive_reuses_connection(server):
    r = curl("-v", server.url + "/", server.url + "/nope", server.url + "/stats")
    assert r.returncode == 0, r.stderr
    assert b"Re-using existing connection" in r.stderr
    assert r.stdout.startswith(HELLO + b"not found\n")
    m = re.search(rb"accepted=(\d+) requests=(\d+)", r.stdout)
    assert m and int(m.group(2)) - int(m.group(1)) >= 2


def test_pipelined_three_requests_in_one_write(server):
    req = (b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
           b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: a/b\r\nContent-Length: 5\r\n\r\nhello"
           b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    out, closed = raw(server.port, req)
    assert closed
    r = responses(out)
    assert [x[0] for x in r] == [404, 200, 200]
    assert r[0][2] == b"not found\n" and r[1][2] == b"hello" and r[2][2] == HELLO
    assert r[1][1][b"content-type"] == b"a/b"
    assert r[2][1][b"connection"] == b"close"


def test_expect_100_continue_raw(server):
    s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    try:
        s.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                  b"Expect: 100-continue\r\n\r\n")
        got = s.recv(1000)
        assert got == b"HTTP/1.1 100 Continue\r\n\r\n"
        s.sendall(b"ping")
        out = b""
        while not out.endswith(b"ping"):
            d = s.recv(1000)
            assert d
            out += d
        r = responses(out)
        assert r[0][0] == 200 and r[0][2] == b"ping"
        # the connection is still usable
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        out = b""
        while not out.endswith(HELLO):
            d = s.recv(1000)
            assert d
            out += d
        assert out.startswith(b"HTTP/1.1 200 OK\r\n")
    finally:
        s.close()


def test_http10(server):
    out, closed = raw(server.port, b"GET / HTTP/1.0\r\n\r\n")
    assert closed
    assert out.startswith(b"HTTP/1.1 200 OK\r\n") and out.endswith(HELLO)
    # HTTP/1.0 keep-alive
    s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    try:
        for _ in range(2):
            s.sendall(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            out = b""
            while not out.endswith(HELLO):
                d = s.recv(1000)
                assert d
                out += d
            assert b"connection: keep-alive" in out.lower()
    finally:
        s.close()


# ---------------------------------------------------------------------------------------
# bad input: the corpus, raw

def _bad_corpus_check(port, name, data, status):
    out, closed = raw(port, data, timeout=5)
    if name == "h2_preface":
        # the server speaks HTTP/2 by prior knowledge: its SETTINGS frame comes back
        assert out[3:5] == b"\x04\x00" and out[5:9] == b"\x00" * 4, (name, out[:40])
        return
    assert out.startswith(b"HTTP/1.1 %d " % status), (name, out[:200])
    assert closed, name
    assert b"connection: close" in out.lower(), name
    # a smuggled second request is never answered
    assert out.count(b"HTTP/1.1 ") == 1, (name, out)


def test_bad_request_corpus(server):
    n = 0
    for name, data, status in h1_corpus.BAD_REQUESTS:
        _bad_corpus_check(server.port, name, data, status)
        n += 1
        if n % 25 == 0:
            assert get_ok(server.port)
    assert n == len(h1_corpus.BAD_REQUESTS) and n > 50
    assert get_ok(server.port)
    if server.runtime != "cpython-streams":
        assert server.proc.poll() is None


def test_good_lookalikes_served(server):
    for name, data, _ in h1_corpus.GOOD_LOOKALIKES:
        out, closed = raw(server.port, data, timeout=5, shut=True)
        assert out.startswith(b"HTTP/1.1 200 ") or out.startswith(b"HTTP/1.1 404 "), (name, out[:200])


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_max_body_corpus(runtime):
    s = ServerProc(runtime, ["--max-body", "1024"])
    try:
        for name, data, status in h1_corpus.BAD_REQUESTS_MAX_BODY_1024:
            _bad_corpus_check(s.port, name, data, status)
        assert get_ok(s.port)
    finally:
        s.stop()


# ---------------------------------------------------------------------------------------
# timeouts, errors, close

def _until_closed(port, data):
    # Sends data on a new connection, reads until the server closes it (each read bounded
    # by the socket timeout) -> (bytes received, seconds from the send to the close).
    c = socket.create_connection(("127.0.0.1", port), timeout=6)
    c.sendall(data)
    t0 = time.time()
    out = b""
    while True:
        d = c.recv(10000)
        if not d:
            break
        out += d
    dt = time.time() - t0
    c.close()
    return out, dt


@pytest.mark.parametrize("runtime", ["cpython", "cpython-streams", "micropython"])
def test_slowloris_and_stalled_body_cut_off(runtime):
    s = ServerProc(runtime, ["--header-timeout", "1", "--body-timeout", "1", "--idle-timeout", "2"])
    try:
        # slowloris: one header byte every 0.3 s; must be closed within ~1 s of the first
        c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
        t0 = time.time()
        msg = b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100
        closed = False
        got = b""
        for i in range(len(msg)):
            try:
                c.sendall(msg[i:i + 1])
            except OSError:
                closed = True
                break
            c.settimeout(0.3)
            try:
                d = c.recv(1000)
                got += d
                if not d:
                    closed = True
                    break
            except socket.timeout:
                pass
            except ConnectionResetError:
                closed = True
                break
            if time.time() - t0 > 6:
                break
        c.close()
        assert closed, "slowloris connection still open after %.1fs" % (time.time() - t0)
        assert time.time() - t0 < 3.5
        # stalled body: head complete, 3 of 100 body bytes, then silence
        out, dt = _until_closed(s.port, b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
        assert 0.5 < dt < 4, dt
        # idle keep-alive connection closed after idle_timeout
        out, dt = _until_closed(s.port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert out.endswith(HELLO) and 1.5 < dt < 5, (out, dt)
        assert get_ok(s.port)
    finally:
        s.stop()


def test_handler_exception_500_and_keeps_serving(server):
    out, closed = raw(server.port, b"GET /boom HTTP/1.1\r\nHost: x\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 500 Internal Server Error\r\n"), out
    assert closed and b"connection: close" in out.lower()
    out, closed = raw(server.port, b"GET /boom-late HTTP/1.1\r\nHost: x\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 200 OK\r\n") and out.endswith(b"half") and closed
    assert get_ok(server.port)
    server.stop()
    log = server.proc.stdout.read()
    assert b"onerror onstream ValueError('boom (raised on purpose by the test app)'" in log, log
    assert b"boom after the head" in log


def test_handler_bad_framing_fields_500(server):
    # A handler's two differing Content-Length values (RFC 9110 §8.6: a framing error a
    # sender must not generate) are refused as any invalid value: 500, not sent as given
    # (a proxy framing by the first one saw a complete shorter response); a :status
    # outside 100-599 too (RFC 9110 §15).
    for q in (b"content-length=2&content-length=9", b"content-length=9&content-length=2",
              b"s=999", b"s=600"):
        out, closed = raw(server.port, b"GET /fields?" + q + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        assert out.startswith(b"HTTP/1.1 500 Internal Server Error\r\n"), (q, out)
    # the same value twice goes out as given
    out, closed = raw(server.port, b"GET /fields?content-length=2&content-length=2 HTTP/1.1\r\n"
                      b"Host: x\r\nConnection: close\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 200 OK\r\n") and out.endswith(b"\r\n\r\nab"), out
    assert get_ok(server.port)


def test_http10_close_delimited_response_says_close(server):
    # An HTTP/1.0 request without keep-alive, a handler saying "connection: keep-alive"
    # and no length: the body is close-delimited, so the response says close, not the
    # handler's keep-alive (RFC 9112 §9.3, §6.3 item 8).
    out, closed = raw(server.port, b"GET /fields?connection=keep-alive HTTP/1.0\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 200 OK\r\n") and out.endswith(b"\r\n\r\nab") and closed, out
    head = out.split(b"\r\n\r\n")[0].lower()
    assert b"keep-alive" not in head and b"\r\nconnection: close\r\n" in head + b"\r\n", out


def test_graceful_close_with_in_flight_request(server):
    # an idle keep-alive connection, an in-flight slow request, then /shutdown
    idle = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    idle.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    got = b""
    while not got.endswith(HELLO):
        got += idle.recv(1000)
    slow = socket.create_connection(("127.0.0.1", server.port), timeout=8)
    slow.sendall(b"GET /sleep HTTP/1.1\r\nHost: x\r\n\r\n")
    time.sleep(0.3)
    out, _ = raw(server.port, b"GET /shutdown HTTP/1.1\r\nHost: x\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 200 OK\r\n") and b"closing" in out
    # the idle connection is closed by the server
    idle.settimeout(3)
    assert idle.recv(1000) == b""
    idle.close()
    # new connections are refused
    time.sleep(0.2)
    with pytest.raises(OSError):
        c = socket.create_connection(("127.0.0.1", server.port), timeout=2)
        c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        d = c.recv(1000)
        c.close()
        if not d or d.startswith(b"HTTP/1.1 503"):
            raise OSError("refused")
    # the in-flight request completes, with Connection: close
    out = b""
    while True:
        d = slow.recv(1000)
        if not d:
            break
        out += d
    slow.close()
    r = responses(out)
    assert r[0][0] == 200 and r[0][2] == b"slept\n" and r[0][1].get(b"connection") == b"close"
    assert server.proc.wait(10) == 0
    assert b"server closed" in server.proc.stdout.read()


# ---------------------------------------------------------------------------------------
# HTTPS (trustme certificates)

@pytest.fixture
def certs(tmp_path):
    tls_files(tmp_path)
    return tmp_path


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_https_curl(runtime, certs, tmp_path):
    s = ServerProc(runtime, ["--cert", str(certs / "cert.pem"), "--key", str(certs / "key.pem")])
    try:
        url = "https://127.0.0.1:%d" % s.port
        r = curl("-v", "--cacert", str(certs / "ca.pem"), url + "/", url + "/nope")
        assert r.returncode == 0, r.stderr
        assert r.stdout == HELLO + b"not found\n"
        assert b"SSL certificate verify ok" in r.stderr or b"SSL connection using" in r.stderr
        data = os.urandom(200000)
        (tmp_path / "b").write_bytes(data)
        r = curl("--cacert", str(certs / "ca.pem"), "--data-binary", "@%s" % (tmp_path / "b"), url + "/echo")
        assert r.returncode == 0, r.stderr
        assert r.stdout == data
        # without the CA, curl refuses the certificate
        r = curl(url + "/")
        assert r.returncode == 60
    finally:
        s.stop()


def _fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_https_port_plain_http_requests_closed_not_leaked(runtime, certs):
    # A plain-HTTP request sent to the TLS port (a browser told http:// for https://, a
    # scanner): the connection is closed (MicroPython: after a clear-text 400, as nginx
    # answers), its socket with it: the server's fd count stays flat (MicroPython's
    # SSLSocket.close() after an mbedTLS error used to leave the accepted socket open,
    # one per such request, outside max_connections), and a TLS client is still served.
    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc")
    s = ServerProc(runtime, ["--cert", str(certs / "cert.pem"), "--key", str(certs / "key.pem"),
                             "--max-connections", "4", "--header-timeout", "30",
                             "--idle-timeout", "30"])
    try:
        url = "https://127.0.0.1:%d" % s.port
        assert curl("--cacert", str(certs / "ca.pem"), url + "/").stdout == HELLO
        time.sleep(0.3)
        f0 = _fds(s.proc.pid)
        t0 = time.time()
        for i in range(10):
            got, closed = raw(s.port, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", timeout=10)
            assert closed, got
            if runtime == "micropython":
                assert got.startswith(b"HTTP/1.1 400 ") and got.endswith(
                    b"plain HTTP request sent to an HTTPS port\n"), got
        assert time.time() - t0 < 10    # closed at once, not at a timeout
        # more than max_connections of them, yet a TLS client is served
        assert wait_until(lambda: _fds(s.proc.pid) <= f0, 5), (f0, _fds(s.proc.pid))
        r = curl("--cacert", str(certs / "ca.pem"), url + "/")
        assert r.returncode == 0 and r.stdout == HELLO, r.stderr
    finally:
        s.stop()


@pytest.mark.parametrize("runtime", ["cpython", "cpython-streams"])
def test_https_stalled_handshake_bounded_by_header_timeout(runtime, certs):
    # CPython: a connection to the TLS port that never sends (or never finishes) its
    # ClientHello is closed at ~header_timeout, as a stalled request head (asyncio ran the
    # handshake under its own 60 s ssl_handshake_timeout, a flood of silent connections
    # held that long, each an fd).  (MicroPython runs the handshake in the connection's
    # first read: bounded by idle_timeout as a silent cleartext connection, and counted
    # in max_connections.)
    s = ServerProc(runtime, ["--cert", str(certs / "cert.pem"), "--key", str(certs / "key.pem"),
                             "--header-timeout", "1", "--idle-timeout", "30"])
    try:
        t0 = time.time()
        socks = [socket.create_connection(("127.0.0.1", s.port), timeout=8) for i in range(3)]
        socks[1].sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")   # a partial ClientHello
        for c in socks:
            try:
                assert c.recv(100) == b""
            except ConnectionResetError:
                pass
            c.close()
        assert time.time() - t0 < 6
        url = "https://127.0.0.1:%d" % s.port
        r = curl("--cacert", str(certs / "ca.pem"), url + "/")
        assert r.returncode == 0 and r.stdout == HELLO, r.stderr
    finally:
        s.stop()


# ---------------------------------------------------------------------------------------
# tunnel mode (what WebSocket is built on): 101 Upgrade and CONNECT carry raw bytes

def _tunnel(port, head, expect_status):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        s.sendall(head + b"raw bytes, not http\r\n\r\n")
        got = b""
        while b"RAW BYTES, NOT HTTP\r\n\r\n" not in got:
            d = s.recv(1000)
            assert d, got
            got += d
        assert got.startswith(b"HTTP/1.1 %d " % expect_status), got
        s.sendall(b"GET / HTTP/1.1\r\n\r\n")   # inside the tunnel: just bytes
        want = b"GET / HTTP/1.1\r\n\r\n"
        got2 = b""
        while len(got2) < len(want):
            d = s.recv(1000)
            assert d
            got2 += d
        assert got2 == want
        s.shutdown(socket.SHUT_WR)
        assert s.recv(1000) == b""     # the server ends the tunnel after our EOF
    finally:
        s.close()


def test_upgrade_and_connect_tunnels(server):
    _tunnel(server.port, b"GET /upgrade HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: upgrade\r\n\r\n", 101)
    _tunnel(server.port, b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 200)
    assert get_ok(server.port)


# ---------------------------------------------------------------------------------------
# limits and life cycle

def _listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return True
    except OSError:
        return False


def _connect_refused(port):
    try:
        c = socket.create_connection(("127.0.0.1", port), timeout=2)
    except OSError:
        return True
    try:
        c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        d = c.recv(1000)
        return not d
    except OSError:
        return True
    finally:
        c.close()


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_max_connections_and_pause_resume(runtime):
    s = ServerProc(runtime, ["--max-connections", "2"])
    try:
        held = []
        for _ in range(2):
            c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
            c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            got = b""
            while not got.endswith(HELLO):
                got += c.recv(1000)
            held.append(c)
        out, closed = raw(s.port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert out.startswith(b"HTTP/1.1 503 ") and closed, out
        held.pop().close()
        time.sleep(0.3)
        held[0].sendall(b"GET /pause HTTP/1.1\r\nHost: x\r\n\r\n")
        got = b""
        while not got.endswith(b"pausing\n"):
            got += held[0].recv(1000)
        assert _connect_refused(s.port)
        # connections already open are still served while paused
        held[0].sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        got = b""
        while not got.endswith(HELLO):
            got += held[0].recv(1000)
        held[0].close()
        # the app resumes 1 s after the pause: wait (bounded) for the listener to be back
        # (a fixed 1.6 s left 0.6 s for the timer on a loaded machine)
        assert wait_until(lambda: _listening(s.port), 10, 0.05), "not resumed"
        assert get_ok(s.port)
    finally:
        s.stop()


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_example_server(runtime, tmp_path):
    p = free_port()
    if runtime == "micropython":
        cmd = [require_micropython(), "examples/server.py", str(p)]
    else:
        cmd = [PY, "-u", "examples/server.py", str(p)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert b"listening on" in proc.stdout.readline()
        r = curl("http://127.0.0.1:%d/hello/bob" % p)
        assert r.stdout == b"hello bob\n"
        f = tmp_path / "u"
        f.write_bytes(b"z" * 70000)
        r = curl("--data-binary", "@%s" % f, "http://127.0.0.1:%d/upload" % p)
        assert r.stdout == b"70000 bytes\n"
    finally:
        proc.terminate()
        proc.wait(5)


def test_micropython_bounded_heap_10_keepalive_connections_1000_requests():
    # The unix port with a fixed heap (modules compiled from .py at import; the .mpy
    # figure is lower, see the report in tools/bench): 10 keep-alive connections, 1000
    # requests round-robin, every answer checked, and the server still serves afterwards.
    s = ServerProc("micropython", heap="256K", cli=True)
    try:
        socks = [socket.create_connection(("127.0.0.1", s.port), timeout=5) for _ in range(10)]
        for i in range(1000):
            c = socks[i % 10]
            c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            got = b""
            while not got.endswith(HELLO):
                d = c.recv(4096)
                assert d, "connection %d closed after %d requests" % (i % 10, i)
                got += d
            assert got.startswith(b"HTTP/1.1 200 OK\r\n"), got
        for c in socks:
            c.close()
        assert get_ok(s.port)
        assert s.proc.poll() is None
    finally:
        s.stop()
    assert b"MemoryError" not in s.proc.stdout.read()
