# A client call's timeout is a deadline for the whole call (lua-http's request:go and
# stream:get_body_as_string), not a bound on each read: hostile servers that trickle a
# response head or a body a byte at a time, or send an endless body, cannot hold the call
# past it.  And: a pooled keep-alive connection the server wrote to while it was idle is
# not reused (RFC 9112 §9.3); a redirect to another origin never carries the Cookie, and a
# Location whose authority has a backslash is refused.  CPython; test_client_micropython
# runs the deadline and pool cases on MicroPython.
import asyncio
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

import mhttp.request as request
import mhttp.websocket as websocket
from mhttp import errors

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Hostile:
    # A threaded server whose behaviour is chosen by the request path (each scenario
    # bounded in time); heads: the request heads received, in order.
    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.heads = []
        self.conns = 0
        self.running = True
        threading.Thread(target=self._run, daemon=True).start()

    def stop(self):
        self.running = False
        self.sock.close()

    def _run(self):
        while self.running:
            try:
                c, _ = self.sock.accept()
            except OSError:
                continue
            self.conns += 1
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _trickle(self, c, data, every=0.2, seconds=8):
        end = time.time() + seconds
        while self.running and time.time() < end:
            c.sendall(data)
            time.sleep(every)

    def _serve(self, c):
        c.settimeout(10)
        buf = b""
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    d = c.recv(4096)
                    if not d:
                        return
                    buf += d
                head, buf = buf.split(b"\r\n\r\n", 1)
                self.heads.append(head)
                path = head.split(b" ")[1].decode()
                if path == "/trickle_head":
                    c.sendall(b"HTTP/1.1 200 OK\r\n")
                    return self._trickle(c, b"X")
                if path == "/trickle_body":
                    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
                    return self._trickle(c, b"z")
                if path == "/endless_chunked":
                    c.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                    return self._trickle(c, b"400\r\n" + b"z" * 1024 + b"\r\n", 0.002)
                if path == "/trickle_101":
                    c.sendall(b"HTTP/1.1 101 Switching Protocols\r\n")
                    return self._trickle(c, b"X")
                if path == "/unsolicited":
                    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                    time.sleep(0.3)
                    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nSMUGGL")
                    continue
                if path == "/big":
                    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 300000\r\n\r\n" +
                              b"b" * 300000)
                    continue
                if path == "/close_idle":
                    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                    time.sleep(0.2)
                    c.shutdown(socket.SHUT_WR)
                    continue
                if path.startswith("/redir_to/"):
                    c.sendall(b"HTTP/1.1 302 Found\r\nLocation: " + path[10:].encode() +
                              b"\r\nContent-Length: 0\r\n\r\n")
                    continue
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        except OSError:
            pass
        finally:
            c.close()


@pytest.fixture
def srv():
    s = Hostile()
    request.POOL.close_all()
    yield s
    request.POOL.close_all()
    s.stop()


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 30))


# ---- 1. a timeout bounds the whole call ------------------------------------------------

@pytest.mark.parametrize("face", ["blocking", "async"])
def test_go_timeout_bounds_a_trickled_head(srv, face):
    # a byte of head every 0.2 s: each read succeeds, the head never ends
    r = request.new_from_uri(srv.url + "/trickle_head")
    t = time.time()
    with pytest.raises(errors.Timeout):
        if face == "blocking":
            r.go_blocking(1.5)
        else:
            run(r.go(1.5))
    assert 1.4 < time.time() - t < 3


@pytest.mark.parametrize("path", ["/trickle_body", "/endless_chunked"])
@pytest.mark.parametrize("face", ["blocking", "async"])
def test_get_body_as_string_timeout_bounds_the_body(srv, face, path):
    if face == "blocking":
        h, s = request.new_from_uri(srv.url + path).go_blocking(3)
        t = time.time()
        with pytest.raises(errors.Timeout):
            s.get_body_as_string(1.5)
    else:
        async def main():
            h, s = await request.new_from_uri(srv.url + path).go(3)
            t = time.time()
            with pytest.raises(errors.Timeout):
                await s.get_body_as_string(1.5)
            return t
        t = run(main())
    assert 1.4 < time.time() - t < 3


@pytest.mark.parametrize("helper", ["get_body_chars", "get_body_until", "save_body_to_file"])
def test_body_helpers_timeout_bounds_the_call(srv, helper):
    import io

    async def main():
        h, s = await request.new_from_uri(srv.url + "/trickle_body").go(3)
        t = time.time()
        with pytest.raises(errors.Timeout):
            if helper == "get_body_chars":
                await s.get_body_chars(50000, 1.5)
            elif helper == "get_body_until":
                await s.get_body_until(b"never", timeout=1.5)
            else:
                await s.save_body_to_file(io.BytesIO(), 1.5)
        return time.time() - t
    assert 1.4 < run(main()) < 3


def test_stream_common_left():
    from mhttp.stream_common import left
    from mhttp._io import ticks_ms, ticks_add
    assert left(ticks_ms(), None) is None
    assert left(ticks_add(ticks_ms(), 10), 2) == 2     # no time passed: the timeout itself
    assert 0.5 < left(ticks_add(ticks_ms(), -1000), 2) <= 1.0
    with pytest.raises(errors.Timeout):
        left(ticks_add(ticks_ms(), -2000), 2)
    assert left(ticks_add(ticks_ms(), -2000), 0) == 0   # 0: never wait, still read


def test_timeout_0_reads_a_body_that_has_arrived(srv):
    # timeout 0 means "never wait", not "already over": a body already in the socket is
    # read whole (reviewer: get_body_as_string(0) raised Timeout once a millisecond had
    # passed, with the whole body there).
    req = request.new_from_uri("http://127.0.0.1:%d/big" % srv.port)
    h, st = req.go_blocking(5)
    assert h.get(b":status") == b"200"
    time.sleep(0.5)
    assert len(st.get_body_as_string(0)) == 300000


@pytest.mark.parametrize("blocking", [True, False])
def test_ws_connect_timeout_bounds_a_trickled_101(srv, blocking):
    ws = websocket.new_from_uri("ws://127.0.0.1:%d/trickle_101" % srv.port, blocking=blocking)
    t = time.time()
    with pytest.raises(errors.Timeout):
        if blocking:
            ws.connect(1.5)
        else:
            run(ws.connect(1.5))
    assert 1.4 < time.time() - t < 3


@pytest.mark.parametrize("path", ["/trickle_head", "/trickle_body"])
def test_cli_max_time_bounds_the_transfer(srv, path):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.join(ROOT, "lib"),
                                         os.path.join(ROOT, "ports", "cpython")])
    t = time.time()
    p = subprocess.run([sys.executable, "-m", "mhttp", "get", "-m", "1.5", srv.url + path],
                       capture_output=True, env=env, timeout=30)
    assert p.returncode == 28, p.stderr     # curl's: operation timed out
    assert 1.4 < time.time() - t < 4


# ---- 2. a pooled connection the server wrote to (or closed) is not reused -------------

@pytest.mark.parametrize("path", ["/unsolicited", "/close_idle"])
@pytest.mark.parametrize("face", ["blocking", "async"])
def test_idle_connection_written_to_is_not_reused(srv, face, path):
    pool = request.Pool()

    async def one(p):
        r = request.new_from_uri(srv.url + p)
        r.pool = pool
        if face == "blocking":
            h, s = r.go_blocking(3)
            return s.get_body_as_string(3)
        h, s = await r.go(3)
        return await s.get_body_as_string(3)

    async def main():
        out = [await one(path)]
        await asyncio.sleep(0.6)      # the unsolicited response (or FIN) arrives meanwhile
        out.append(await one("/ok"))
        out.append(await one("/ok"))
        return out
    assert run(main()) == [b"ok", b"ok", b"ok"]
    # the first connection was dropped, the second one reused once
    assert srv.conns == 2 and pool.reused == 1
    pool.close_all()


def test_idle_connection_quiet_is_reused(srv):
    pool = request.Pool()
    for _ in range(3):
        r = request.new_from_uri(srv.url + "/ok")
        r.pool = pool
        h, s = r.go_blocking(3)
        assert s.get_body_as_string(3) == b"ok"
        time.sleep(0.1)
    assert srv.conns == 1 and pool.reused == 2
    pool.close_all()


# ---- 3. redirects: credentials stay with their origin --------------------------------

def test_redirect_with_userinfo_to_another_origin_drops_cookie(srv):
    other = Hostile()
    try:
        r = request.new_from_uri(srv.url + "/redir_to/http://x@127.0.0.1:%d/ok" % other.port)
        r.headers.upsert(b"cookie", b"session=SECRET")
        r.headers.upsert(b"authorization", b"Bearer OLD")
        h, s = r.go_blocking(3)
        assert h.get(b":status") == b"200" and s.get_body_as_string(3) == b"ok"
        assert b"SECRET" in srv.heads[0]
        head = other.heads[0].lower()
        assert b"cookie" not in head and b"bearer old" not in head
        assert b"authorization: basic ea==" in head    # the userinfo's own credentials
    finally:
        other.stop()


def test_redirect_with_userinfo_same_origin_keeps_cookie(srv):
    r = request.new_from_uri(srv.url + "/redir_to/http://x@127.0.0.1:%d/ok" % srv.port)
    r.headers.upsert(b"cookie", b"session=SECRET")
    h, s = r.go_blocking(3)
    assert s.get_body_as_string(3) == b"ok"
    assert b"session=SECRET" in srv.heads[1]


@pytest.mark.parametrize("loc", ["http://127.0.0.1:%d\\@127.0.0.1:%d/ok",
                                 "http://127.0.0.1:%d\\.127.0.0.1:%d/ok"])
def test_redirect_backslash_in_authority_refused(srv, loc):
    other = Hostile()
    try:
        r = request.new_from_uri(srv.url + "/redir_to/" + loc % (srv.port, other.port))
        r.headers.upsert(b"cookie", b"session=SECRET")
        with pytest.raises(request.RedirectError) as e:
            r.go_blocking(3)
        assert "invalid URI in location header" in str(e.value)
        assert other.heads == [] and len(srv.heads) == 1
    finally:
        other.stop()


# ---- the same on MicroPython (unix port) ----------------------------------------------

MP_SCRIPT = r'''
import sys, time, asyncio
import mhttp.request as request
from mhttp import errors
url = sys.argv[1]
def ms(t0):
    return time.ticks_diff(time.ticks_ms(), t0)
def timed(f):
    t0 = time.ticks_ms()
    try:
        f()
        return "no timeout"
    except errors.Timeout:
        return "timeout %d" % (ms(t0) // 500)    # half-seconds
print("HEAD", timed(lambda: request.new_from_uri(url + "/trickle_head").go_blocking(1.5)))
h, s = request.new_from_uri(url + "/trickle_body").go_blocking(3)
print("BODY", timed(lambda: s.get_body_as_string(1.5)))
print("AHEAD", timed(lambda: asyncio.run(request.new_from_uri(url + "/trickle_head").go(1.5))))
out = []
for p in ("/unsolicited", "/ok", "/ok"):
    h, s = request.new_from_uri(url + p).go_blocking(3)
    out.append(s.get_body_as_string(3))
    time.sleep(0.6)
async def main():
    for p in ("/unsolicited", "/ok"):
        h, s = await request.new_from_uri(url + p).go(3)
        out.append(await s.get_body_as_string(3))
        await asyncio.sleep(0.6)
asyncio.run(main())
print("POOL", out, request.POOL.reused)
'''


def test_deadlines_and_pool_on_micropython(srv, tmp_path):
    from conftest import run_micropython
    path = str(tmp_path / "mp_deadlines.py")
    with open(path, "w") as f:
        f.write(MP_SCRIPT)
    r = run_micropython([path, srv.url], timeout=90)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.decode().split("\n")[:4] == [
        "HEAD timeout 3", "BODY timeout 3", "AHEAD timeout 3",
        # every response its own; one blocking connection reused once (the one the
        # server wrote to dropped), the async one never (its first was written to)
        "POOL [b'ok', b'ok', b'ok', b'ok', b'ok'] 1"]


def test_h2_timeout_0_reads_data_that_has_arrived():
    # HTTP/2, blocking face: get_next_chunk(0) takes DATA already in the socket (reviewer:
    # once timeouts became deadlines, a 0 raised before reading at all)
    import mhttp.server
    from mhttp.headers import Headers
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def onstream(server, stream):
        await stream.get_headers()
        await stream.write_headers(Headers([(":status", "200")]), False)
        for i in range(5):
            await stream.write_chunk(b"x" * 100, False)
            await asyncio.sleep(0.1)
        await stream.write_chunk(b"", True)
    s = mhttp.server.listen(onstream, host="127.0.0.1", port=port)
    loop = asyncio.new_event_loop()
    th = threading.Thread(target=loop.run_until_complete, args=(s.loop(),), daemon=True)
    th.start()
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        r = request.new_from_uri("http://127.0.0.1:%d/" % port)
        r.version = 2
        h, st = r.go_blocking(5)
        assert h.get(b":status") == b"200"
        time.sleep(0.35)                    # some DATA frames are in the socket now
        got = [st.get_next_chunk(0) for _ in range(3)]
        assert got == [b"x" * 100] * 3, got
    finally:
        request.POOL.close_all()
        # the server ends (close() in its own loop), its thread with it: nothing left
        asyncio.run_coroutine_threadsafe(s.close(5), loop).result(10)
        th.join(10)
        assert not th.is_alive()
        loop.close()


def test_stale_check_without_a_select_module(monkeypatch):
    # a runtime without select (some CircuitPython builds): the pool's check says
    # "nothing tells" (reuse), it does not raise out of Pool.get
    from mhttp import _request_more

    class IO:
        sock = socket.socket()
    try:
        monkeypatch.setitem(sys.modules, "select", None)
        assert _request_more._stale(None, IO) is False
    finally:
        IO.sock.close()
