# The same client on the MicroPython unix port: `tools/micropython -m mhttp get ...` and a
# small script using mhttp.request (asyncio and blocking faces), against CPython's
# http.server, our own server and TLS with a cafile.
import os

import pytest

from client_servers import (start_http_server, stop_http_server, make_certs, RawServer,
                            start_mhttp_server, stop_process, ROOT)
from conftest import run_micropython


@pytest.fixture(scope="module")
def srv():
    s = start_http_server()
    yield s
    stop_http_server(s)


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return make_certs(str(tmp_path_factory.mktemp("mpcerts")))


def mp_get(*args, heap=None):
    return run_micropython(["-m", "mhttp", "get"] + list(args), timeout=60, heap=heap)


def test_mp_cli_get(srv):
    r = mp_get(srv.url + "/big?n=50000")
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"x" * 50000
    r = mp_get("-i", srv.url + "/hello")
    assert r.stdout.startswith(b"HTTP/1.0 200 OK\r\n") or r.stdout.startswith(b"HTTP/1.1 200 OK\r\n")
    assert r.stdout.endswith(b"\r\n\r\nhello")
    r = mp_get("-L", "-d", "k=v", srv.url + "/redir?code=307&to=/echo")
    assert r.returncode == 0 and r.stdout == b"k=v"
    r = mp_get("--fail", srv.url + "/status?code=500")
    assert r.returncode == 22


def test_mp_cli_output_file(srv, tmp_path):
    out = str(tmp_path / "mp.bin")
    r = mp_get("-#", "-o", out, srv.url + "/big?n=200000")
    assert r.returncode == 0, r.stderr
    assert open(out, "rb").read() == b"x" * 200000
    assert b"100.0% [" in r.stderr


def test_mp_cli_errors(srv):
    r = mp_get("http://127.0.0.1:1/")
    assert r.returncode == 7, (r.stdout, r.stderr)
    raw = RawServer(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n")
    try:
        r = mp_get(raw.url + "/")
        assert r.returncode == 8, (r.stdout, r.stderr)
    finally:
        raw.stop()
    slow = RawServer(b"", hold=5)
    try:
        r = mp_get("-m", "0.5", slow.url + "/")
        assert r.returncode == 28, (r.stdout, r.stderr)
    finally:
        slow.stop()


def test_mp_cli_against_our_servers(tmp_path):
    # (the data goes through a file: this MicroPython build dies with "FATAL: uncaught
    # NLR" on any command-line argument of 256 characters or more)
    data = tmp_path / "z.bin"
    data.write_bytes(b"z" * 5000)
    for mp in (False, True):
        p = start_mhttp_server(micropython=mp)
        try:
            url = "http://127.0.0.1:%d" % p.port
            r = mp_get("-i", url + "/")
            assert r.returncode == 0, r.stderr
            assert r.stdout.endswith(b"Hello, World!")
            r = mp_get("-d", "@" + str(data), url + "/echo")
            assert r.stdout == b"z" * 5000, r.stderr
        finally:
            stop_process(p)


def test_mp_tls_cafile(srv, certs):
    s = start_http_server(certs[1])
    try:
        r = mp_get("--cacert", certs[0], s.url + "/hello")
        assert r.returncode == 0 and r.stdout == b"hello", r.stderr
        r = mp_get(s.url + "/hello")  # no CA file on MicroPython: a clear TLSError
        assert r.returncode == 60, r.stderr
        assert b"no CA file" in r.stderr
        r = mp_get("--cacert", certs[2], s.url + "/hello")  # the wrong CA
        assert r.returncode in (35, 60), r.stderr
        assert r.stdout == b""
        r = mp_get("-k", s.url + "/hello")
        assert r.returncode == 0 and r.stdout == b"hello", r.stderr
    finally:
        stop_http_server(s)


SCRIPT = r'''
import sys
import asyncio
import mhttp.request as request
base = sys.argv[1]
cafile = sys.argv[2] if len(sys.argv) > 2 else None

def mk(path, method=None, body=None):
    r = request.new_from_uri(base + path)
    r.cafile = cafile
    if method:
        r.headers.upsert(":method", method)
    if body is not None:
        r.set_body(body)
    return r

h, s = mk("/hello").go_blocking(10)
print("B1", h.get(":status"), s.get_body_as_string(10))
h, s = mk("/redir?code=303&to=/echo", "POST", b"gone").go_blocking(10)
print("B2", h.get("x-method"), s.get_body_as_string(10))

def gen():
    for i in range(4):
        yield b"c%d" % i
h, s = mk("/echo", "POST", gen()).go_blocking(10)
print("B3", s.get_body_as_string(10))
# MicroPython's sockets, plain or TLS, run SocketIO in poll mode: its reads and writes
# on a socket with a timeout (mhttp._io_plain, CPython's and CircuitPython's) never load
print("PLAIN", "mhttp._io_plain" in sys.modules)

async def main():
    h, s = await mk("/big?n=30000").go(10)
    b = await s.get_body_as_string(10)
    print("A1", h.get(":status"), len(b))
    h, s = await mk("/echo", "PUT", b"p" * 3000).go(10)
    print("A2", h.get("x-expect"), len(await s.get_body_as_string(10)))
    h, s = await mk("/chunked").go(10)
    print("A3", await s.get_body_as_string(10))
asyncio.run(main())
print("REUSED", request.POOL.reused)
'''


def _script_out(url, heap, cafile=None, tmp=None):
    path = os.path.join(tmp, "mp_client.py")
    with open(path, "w") as f:
        f.write(SCRIPT)
    args = [path, url] + ([cafile] if cafile else [])
    r = run_micropython(args, timeout=60, heap=heap)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout.decode()


EXPECTED = ("B1 b'200' b'hello'\nB2 b'GET' b''\nB3 b'c0c1c2c3'\nPLAIN False\n"
            "A1 b'200' 30000\n"
            "A2 b'100-continue' 3000\nA3 b'one,two,three'\n")


def test_mp_script_cleartext(srv, tmp_path):
    c0 = srv.conns
    out = _script_out(srv.url, "512K", tmp=str(tmp_path))
    assert out.startswith(EXPECTED), out
    # blocking and asyncio connections are pooled apart: 2 connections in all
    assert srv.conns - c0 == 2
    assert "REUSED 5" in out  # 3 blocking (B1-B3, a redirect) + 2 asyncio


def test_mp_script_tls(certs, tmp_path):
    s = start_http_server(certs[1])
    try:
        out = _script_out(s.url, "512K", certs[0], tmp=str(tmp_path))
        assert out.startswith(EXPECTED), out
    finally:
        stop_http_server(s)


DROP_SCRIPT = r'''
import sys, os, gc
import mhttp.request as request
base = sys.argv[1]
cafile = sys.argv[2] if len(sys.argv) > 2 else None
fds = lambda: len(os.listdir("/proc/self/fd"))
f0 = fds()
for i in range(40):
    r = request.new_from_uri(base + "/big?n=300000")
    r.cafile = cafile
    h, s = r.go_blocking(10)
    s = h = None
gc.collect()
print("DROPPED", fds() - f0, request.POOL.max_total)
r = request.new_from_uri(base + "/hello")
r.cafile = cafile
h, s = r.go_blocking(10)
print("THEN", s.get_body_as_string(10))
'''


@pytest.mark.parametrize("tls", [False, True])
def test_mp_blocking_dropped_unread_streams_bounded(srv, certs, tls, tmp_path):
    # Response streams dropped before their body is read: the unix port's sockets have
    # no finaliser (CPython's and the boards' close with the garbage collector), so the
    # pool bounds them (mhttp._client_lease): 40 dropped leave at most max_total sockets
    # open (it was all 40), and the next request is served.
    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc")
    s = start_http_server(certs[1]) if tls else srv
    try:
        path = str(tmp_path / "mp_drop.py")
        with open(path, "w") as f:
            f.write(DROP_SCRIPT)
        r = run_micropython([path, s.url] + ([certs[0]] if tls else []), timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr
        out = r.stdout.decode().split()
        assert out[0] == "DROPPED" and 0 <= int(out[1]) <= int(out[2]), out
        assert out[3:] == ["THEN", "b'hello'"], out
    finally:
        if tls:
            stop_http_server(s)
