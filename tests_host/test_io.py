# mhttp._io (StreamIO, SocketIO, run_blocking, Reaper), the ports' open_connection /
# TLS helpers, and the h1 connection drivers used as a client (async and blocking faces)
# against the mhttp server, on CPython and on the MicroPython unix port.
import asyncio
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from conftest import ROOT, require_micropython
from test_server import ServerProc, HELLO

import _mhttp_port as port
from mhttp import _io
from mhttp.errors import Timeout, ConnectionClosed, TLSError, Error, H1Error
from mhttp.h1 import CLIENT
from mhttp.h1_connection import H1Connection
from mhttp.headers import Headers


# -- run_blocking / SocketIO -------------------------------------------------------------

def test_run_blocking_returns_and_refuses_suspension():
    async def f(x):
        return x * 2
    assert _io.run_blocking(f(21)) == 42

    async def g():
        await asyncio.sleep(0)
    e = pytest.raises(Error, _io.run_blocking, g())
    assert "suspended" in str(e.value)

    async def h():
        raise ValueError("x")
    pytest.raises(ValueError, _io.run_blocking, h())


def test_socketio_recv_send_timeout_eof():
    a, b = socket.socketpair()
    io = _io.SocketIO(a, 16)
    _io.run_blocking(io.send([b"abc", memoryview(b"def"), bytearray(b"g")], 1))
    assert b.recv(100) == b"abcdefg"
    b.sendall(b"x" * 40)
    got = bytes(_io.run_blocking(io.recv(1)))
    assert got == b"x" * 16          # bounded by the preallocated buffer
    t0 = time.time()
    _io.run_blocking(io.recv(1))
    _io.run_blocking(io.recv(1))
    pytest.raises(Timeout, _io.run_blocking, io.recv(0.2))
    assert 0.15 < time.time() - t0 < 2
    b.close()
    assert _io.run_blocking(io.recv(1)) == b""
    io.abort()
    pytest.raises(ConnectionClosed, _io.run_blocking, io.recv(1))


def test_socketio_send_to_reset_peer_is_connection_closed():
    a, b = socket.socketpair()
    io = _io.SocketIO(a)
    b.close()
    with pytest.raises(ConnectionClosed):
        for _ in range(50):
            _io.run_blocking(io.send([b"x" * 65536], 1))


# -- StreamIO / Reaper ---------------------------------------------------------------------

def test_streamio_timeouts_wait_for_and_reaper():
    async def main():
        got = []

        async def on_conn(r, w):
            got.append(await r.read(100))
            await asyncio.sleep(1.5)
            w.close()

        srv = await asyncio.start_server(on_conn, "127.0.0.1", 0)
        p = srv.sockets[0].getsockname()[1]
        io = await port.open_connection("127.0.0.1", p, timeout=2)
        await io.send([b"hello"], 1)
        t0 = time.time()
        with pytest.raises(Timeout):
            await io.recv(0.2)                   # asyncio.wait_for path
        assert time.time() - t0 < 1
        reaper = _io.Reaper(0.05)
        reaper.add(io)
        reaper.start()
        t0 = time.time()
        with pytest.raises(Timeout):
            await io.recv(0.3)                   # one timer task for every io
        assert 0.25 < time.time() - t0 < 1
        assert await io.recv(3) == b""           # the peer closed: EOF
        reaper.stop()
        await io.close()
        srv.close()
        assert got == [b"hello"]
    asyncio.run(main())


def test_open_connection_refused_and_tls_errors(tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    with pytest.raises(ConnectionClosed):
        asyncio.run(port.open_connection("127.0.0.1", p, timeout=2))
    with pytest.raises(ConnectionClosed):
        port.open_connection_blocking("127.0.0.1", p, timeout=2)
    with pytest.raises(TLSError):
        port.server_tls_context(str(tmp_path / "missing.pem"), str(tmp_path / "missing.key"))


# -- h1 client driver against the mhttp server (both faces, both server runtimes) --------

async def _client_exchange(io):
    c = H1Connection(io, CLIENT, timeout=5)
    s = c.new_stream()
    await s.write_headers(Headers([(":method", "GET"), (":path", "/"), (":authority", "x"),
                                   (":scheme", "http")]), True)
    h = await s.get_headers()
    assert h.get(":status") == b"200"
    assert await s.get_body_as_string() == HELLO
    s = c.new_stream()                        # keep-alive: same connection
    body = os.urandom(100000)
    await s.write_headers(Headers([(":method", "POST"), (":path", "/echo"), (":authority", "x"),
                                   (":scheme", "http"), ("content-type", "a/b"),
                                   ("content-length", str(len(body)))]), False)
    await s.write_chunk(body[:50000], False)
    await s.write_chunk(body[50000:], True)
    h = await s.get_headers()
    assert h.get(":status") == b"200" and h.get("content-type") == b"a/b"
    first = await s.get_body_chars(10)
    until = await s.get_body_until(body[20:24], True, True)
    rest = await s.get_body_as_string()
    assert first + until + rest == body
    s = c.new_stream()
    await s.write_headers(Headers([(":method", "GET"), (":path", "/nope"), (":authority", "x"),
                                   (":scheme", "http")]), True)
    h = await s.get_headers()
    assert h.get(":status") == b"404"
    chunks = []
    async for ch in s.each_chunk():
        chunks.append(bytes(ch))
    assert b"".join(chunks) == b"not found\n"
    await c.close()


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_h1_client_both_faces_against_server(runtime):
    srv = ServerProc(runtime)
    try:
        asyncio.run(_async_face(srv.port))
        io = port.open_connection_blocking("127.0.0.1", srv.port, timeout=5)
        _io.run_blocking(_client_exchange(io))
    finally:
        srv.stop()


async def _async_face(p):
    io = await port.open_connection("127.0.0.1", p, timeout=5)
    await _client_exchange(io)


def test_h1_client_https_and_alpn(tmp_path):
    import trustme
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    cert.cert_chain_pems[0].write_to_path(str(tmp_path / "c.pem"))
    cert.private_key_pem.write_to_path(str(tmp_path / "k.pem"))
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    srv = ServerProc("cpython", ["--cert", str(tmp_path / "c.pem"), "--key", str(tmp_path / "k.pem")])
    try:
        ctx = port.client_tls_context(cafile=str(tmp_path / "ca.pem"), alpn=[b"http/1.1"])
        io = port.open_connection_blocking("127.0.0.1", srv.port, tls=ctx, timeout=5)
        c = H1Connection(io, CLIENT, timeout=5)
        assert c.checktls() and c.alpn() == b"http/1.1"   # server offers h2, http/1.1
        _io.run_blocking(_client_exchange(io))
        # an unknown CA is refused
        with pytest.raises(TLSError):
            port.open_connection_blocking("127.0.0.1", srv.port, tls=True, timeout=5)
    finally:
        srv.stop()


def test_server_rejects_bad_response_and_client_sees_h1error():
    # a raw server answering garbage: the client driver raises H1Error, never hangs
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)

    def serve():
        c, _ = ls.accept()
        c.recv(1000)
        c.sendall(b"HTTP/1.1 2000 OK\r\n\r\n")
        c.close()
    t = threading.Thread(target=serve)
    t.start()
    io = port.open_connection_blocking("127.0.0.1", ls.getsockname()[1], timeout=5)
    c = H1Connection(io, CLIENT, timeout=5)
    s = c.new_stream()
    _io.run_blocking(s.write_headers(Headers([(":method", "GET"), (":path", "/"), (":authority", "x"),
                                              (":scheme", "http")]), True))
    with pytest.raises(H1Error):
        _io.run_blocking(s.get_headers())
    t.join(5)
    ls.close()


# -- MicroPython: the unix port's I/O glue ---------------------------------------------------

MP_SCRIPT = r'''
import asyncio, socket
import _mhttp_port as port
from mhttp import _io
from mhttp.errors import TLSError, Timeout, ConnectionClosed
from mhttp.h1 import CLIENT
from mhttp.h1_connection import H1Connection
from mhttp.headers import Headers
import sys

# The TLS half (_mhttp_tls) loads only when TLS or ALPN is asked for (board RAM)
print("tls half loaded:", "_mhttp_tls" in sys.modules)

# ALPN is not available: asking for it fails clearly
for f in (lambda: port.client_tls_context(verify=False, alpn=[b"h2"]),):
    try:
        f()
        print("FAIL alpn accepted")
    except TLSError as e:
        assert "ALPN" in str(e), e
        print("ok alpn error")
try:
    port.client_tls_context()
    print("FAIL verify without CA")
except TLSError as e:
    print("ok no CA:", "CA file" in str(e))

async def get(p):
    try:
        await port.open_connection("127.0.0.1", p, alpn=[b"h2"])
        print("FAIL alpn open")
    except TLSError:
        print("ok alpn open")
    io = await port.open_connection("127.0.0.1", p, timeout=5)
    c = H1Connection(io, CLIENT, timeout=5)
    for path in ("/", "/nope"):
        s = c.new_stream()
        await s.write_headers(Headers([(":method", "GET"), (":path", path), (":authority", "x"), (":scheme", "http")]), True)
        h = await s.get_headers()
        b = await s.get_body_as_string()
        print("async", h.get(":status").decode(), bytes(b))
    try:
        await io.recv(0.2)
        print("FAIL no timeout")
    except Timeout:
        print("ok timeout")
    await c.close()

asyncio.run(get(PORT))
io = port.open_connection_blocking("127.0.0.1", PORT, timeout=5)
c = H1Connection(io, CLIENT, timeout=5)
s = c.new_stream()
_io.run_blocking(s.write_headers(Headers([(":method", "POST"), (":path", "/echo"), (":authority", "x"), (":scheme", "http"), ("content-length", "5")]), False))
_io.run_blocking(s.write_chunk(b"hello", True))
h = _io.run_blocking(s.get_headers())
print("blocking", h.get(":status").decode(), bytes(_io.run_blocking(s.get_body_as_string())))
try:
    _io.run_blocking(io.recv(0.2))
    print("FAIL no blocking timeout")
except Timeout:
    print("ok blocking timeout")
'''


def test_micropython_io_glue(tmp_path):
    srv = ServerProc("cpython")
    try:
        f = tmp_path / "mp_io.py"
        f.write_text(MP_SCRIPT.replace("PORT", str(srv.port)))
        r = subprocess.run([require_micropython(), str(f)], cwd=ROOT, capture_output=True, timeout=60)
        out = r.stdout.decode()
        assert r.returncode == 0, out + r.stderr.decode()
        assert out.split("\n")[:-1] == [
            "tls half loaded: False", "ok alpn error", "ok no CA: True", "ok alpn open",
            "async 200 b'Hello, World!'", "async 404 b'not found\\n'", "ok timeout",
            "blocking 200 b'hello'", "ok blocking timeout"], out
    finally:
        srv.stop()
