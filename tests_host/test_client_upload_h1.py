# The HTTP/1.1 client uploading to a server that answers as it reads (our server's /echo,
# a strict raw echo): go() writes the whole body before it reads the response, so once
# the response fills the TCP buffers such a server stops reading and both sides wait
# (was: Timeout "write timed out" for a 40 MiB POST on CPython's async face, 64 MiB on
# its blocking face, ~4 MiB on MicroPython against a server with small socket buffers;
# curl succeeds).  Now the response is read and held while the body goes, up to the
# request's response_buffer (4 MiB by default on CPython, 16 KiB on a board), and parsed
# from there after (mhttp._h1c_upload); past the bound the Timeout says why.  And a
# server that answers early and closes (a 413 before it read the body) gets its answer
# returned (was: ConnectionClosed, EPIPE or ECONNRESET from the write).  Every face:
# CPython and MicroPython, blocking and asyncio.
import asyncio
import socket
import threading
import time

import pytest

from conftest import keyed, run_on
from _h2_util import start_app, Proc, PY
from mhttp import request, errors

N = 40 << 20


@pytest.fixture(scope="module")
def ours():
    a = start_app("cpython")
    yield a
    out = a.stop()
    assert b"Traceback" not in out, out[-2000:]


def _run(port, rb, timeout, face="async", n=N):
    body = bytes(range(256)) * (n // 256)
    r = request.new_from_uri("http://127.0.0.1:%d/echo" % port)
    r.pool = False
    r.headers.upsert(b":method", b"POST")
    r.set_body(body)
    r.response_buffer = rb
    if face == "blocking":
        h, s = r.go_blocking(timeout)
        assert s.connection.version == 1.1
        return h.get(b":status"), s.get_body_as_string(timeout) == body

    async def main():
        h, s = await r.go(timeout)
        assert s.connection.version == 1.1
        return h.get(b":status"), (await s.get_body_as_string(timeout)) == body
    return asyncio.run(main())


def test_h1_async_upload_to_an_echo_that_answers_as_it_reads(ours):
    assert _run(ours.port, 64 << 20, 20) == (b"200", True)


def test_h1_async_upload_past_response_buffer_times_out_saying_why(ours):
    t0 = time.time()
    with pytest.raises(errors.Timeout) as e:
        _run(ours.port, 1 << 20, 2)
    m = str(e.value)
    assert "write timed out" in m and "response_buffer 1048576" in m, m
    assert "response body is not being read while the request body is sent" in m, m
    assert time.time() - t0 < 6


def test_h1_blocking_upload_to_an_echo_that_answers_as_it_reads(ours):
    # 64 MiB (was: Timeout "write timed out" after the 20 s)
    t0 = time.time()
    assert _run(ours.port, 128 << 20, 20, "blocking", 64 << 20) == (b"200", True)
    assert time.time() - t0 < 20


def test_h1_blocking_upload_past_response_buffer_times_out_saying_why(ours):
    t0 = time.time()
    with pytest.raises(errors.Timeout) as e:
        _run(ours.port, 1 << 20, 2, "blocking")
    m = str(e.value)
    assert "write timed out" in m and "response_buffer 1048576" in m, m
    assert "response body is not being read while the request body is sent" in m, m
    assert time.time() - t0 < 6


class Raw:
    # A raw-socket HTTP/1.1 peer in a thread, its socket buffers small (4 KiB asked: the
    # client's own buffers, a few MiB on loopback, are what an upload fills first).
    #   echo: answers 100 Continue to "expect: 100-continue", then, once the first
    #         body bytes came, 200 with the request's content-length, and echoes what
    #         it reads as it reads it (a blocking write each: it stops reading while
    #         its answer cannot go out);
    #   413:  reads the request head only, answers 413 with connection: close and
    #         closes (with the body unread: the client's next write gets a reset).
    def __init__(self, kind):
        self.kind = kind
        self.ls = socket.socket()
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(8)
        self.port = self.ls.getsockname()[1]
        self.url = "http://127.0.0.1:%d/up" % self.port
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                c, _ = self.ls.accept()
            except OSError:
                return
            threading.Thread(target=self.one, args=(c,), daemon=True).start()

    def one(self, c):
        try:
            c.settimeout(30)
            got = b""
            while b"\r\n\r\n" not in got:
                d = c.recv(65536)
                if not d:
                    return
                got += d
            head, _, rest = got.partition(b"\r\n\r\n")
            if self.kind == "413":
                c.sendall(b"HTTP/1.1 413 Content Too Large\r\ncontent-length: 10\r\n"
                          b"connection: close\r\n\r\ntoo large\n")
                time.sleep(0.1)
                return
            n = 0
            for ln in head.lower().split(b"\r\n")[1:]:
                k, _, v = ln.partition(b":")
                if k.strip() == b"content-length":
                    n = int(v)
            if b"100-continue" in head.lower():
                c.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            if not rest:
                rest = c.recv(65536)
            c.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % n + rest)
            left = n - len(rest)
            while left > 0:
                d = c.recv(min(left, 65536))
                if not d:
                    return
                c.sendall(d)
                left -= len(d)
            time.sleep(0.2)
        except OSError:
            pass
        finally:
            c.close()

    def close(self):
        self.ls.close()


def _cli(runtime, url, n, rb, face, timeout, *more):
    args = ["tests_host/_upload_cli.py", url, str(n), "-" if rb is None else str(rb),
            face, str(timeout), "1.1"] + list(more)
    if runtime == "micropython":
        args = ["-X", "heapsize=96M"] + args
    r = run_on(runtime, args, timeout=90)
    k = keyed(r.stdout.decode())
    assert "RESULT" in k, (r.stdout[-2000:], r.stderr[-2000:])
    return k["RESULT"]


RUNTIMES_FACES = [(rt, f) for rt in ("cpython", "micropython") for f in ("blocking", "async")]


@pytest.mark.parametrize("runtime,face", RUNTIMES_FACES)
def test_h1_upload_to_a_strict_raw_echo(runtime, face):
    # 8 MiB through a peer with small socket buffers (was: "write timed out" past ~4 MiB)
    s = Raw("echo")
    try:
        assert _cli(runtime, s.url, 8 << 20, 16 << 20, face, 15) == "ok"
    finally:
        s.close()


@pytest.mark.parametrize("runtime,face", RUNTIMES_FACES)
def test_h1_upload_to_a_strict_raw_echo_bounded(runtime, face):
    # past response_buffer (MicroPython: its default, 16 KiB; CPython: 256 KiB asked) the
    # upload stops, and the Timeout says why
    s = Raw("echo")
    rb = None if runtime == "micropython" else 256 << 10
    try:
        m = _cli(runtime, s.url, 8 << 20, rb, face, 2)
    finally:
        s.close()
    assert m.startswith("Timeout: write timed out"), m
    assert "response_buffer %d" % (16384 if rb is None else rb) in m, m
    assert "response body is not being read while the request body is sent" in m, m


@pytest.fixture(scope="module")
def serve413():
    # our server with a body limit: a larger content-length is answered 413 at once, the
    # connection closed (the body unread)
    from conftest import free_port
    port = free_port()
    p = Proc([PY, "-m", "mhttp", "serve", "--port", str(port), "--max-body", "1024"], port)
    yield p
    out = p.stop()
    assert b"Traceback" not in (out or b""), out[-2000:]


@pytest.mark.parametrize("peer", ["raw", "ours"])
@pytest.mark.parametrize("runtime,face", RUNTIMES_FACES)
def test_h1_early_413_then_close_is_returned(serve413, peer, runtime, face):
    # 16 MB without "expect: 100-continue" (the body goes out at once, past what the
    # socket buffers take): the server answers 413 without reading it and closes; the
    # write then fails (EPIPE or ECONNRESET), and the 413 it sent is what go() returns
    # (was: ConnectionClosed "connection closed by peer during write (errno 104)")
    s = Raw("413") if peer == "raw" else None
    url = s.url if s else "http://127.0.0.1:%d/echo" % serve413.port
    try:
        m = _cli(runtime, url, 16000000, None, face, 10, "noexpect")
    finally:
        if s:
            s.close()
    assert m.startswith("status 413 body "), m
    assert m.endswith("Content Too Large\\n'") or m.endswith("too large\\n'"), m
