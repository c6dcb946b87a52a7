# Our HTTP/2 server (tests_host/_h2_app.py) against real clients: nghttp, curl (prior
# knowledge, h2c upgrade, HTTPS with ALPN), h2load; on the CPython fast path, on the
# asyncio-streams path and on the MicroPython unix port.
import os
import re

import pytest

from conftest import require, tls_files
from _h2_util import start_app, run, PY, APP, Proc, free_port

KINDS = ["cpython", "streams", "micropython"]


@pytest.fixture(params=KINDS)
def app(request):
    a = start_app(request.param)
    a.kind = request.param
    yield a
    out = a.stop()
    assert b"Traceback" not in out, out[-2000:]


@pytest.fixture(scope="module")
def bigfile(tmp_path_factory):
    p = str(tmp_path_factory.mktemp("h2") / "big.bin")
    with open(p, "wb") as f:
        f.write(os.urandom(1 << 20))     # 1 MiB: 16x the default 64 KiB window
    return p


def _url(app, path="/"):
    return "http://127.0.0.1:%d%s" % (app.port, path)


def test_curl_prior_knowledge_get_and_head(app):
    curl = require("curl")
    r = run([curl, "-sS", "--http2-prior-knowledge", "-w", "|%{http_version}|%{http_code}",
             _url(app)], 30)
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"Hello, World!|2|200"
    r = run([curl, "-sS", "-I", "--http2-prior-knowledge", _url(app)], 30)
    assert r.stdout.startswith(b"HTTP/2 200"), r.stdout
    assert b"content-length: 13" in r.stdout


def test_curl_h2c_upgrade(app):
    curl = require("curl")
    r = run([curl, "-sS", "-v", "--http2", "-w", "|%{http_version}", _url(app)], 30)
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"Hello, World!|2", r.stdout
    assert b"101" in r.stderr          # switched from HTTP/1.1


def test_curl_http11_still_served(app):
    curl = require("curl")
    r = run([curl, "-sS", "--http1.1", "-w", "|%{http_version}", _url(app)], 30)
    assert r.stdout == b"Hello, World!|1.1"


def test_large_post_echo_flow_control_both_ways(app, bigfile):
    # 1 MiB up and the same 1 MiB back: both sides wait for WINDOW_UPDATEs
    curl = require("curl")
    data = open(bigfile, "rb").read()
    r = run([curl, "-sS", "--http2-prior-knowledge", "--data-binary", "@" + bigfile,
             "-H", "content-type: application/octet-stream", _url(app, "/echo")], 60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == data


def test_nghttp_many_concurrent_streams(app):
    nghttp = require("nghttp")
    urls = [_url(app, "/big?n=%d" % (1000 * i + 1)) for i in range(30)]
    r = run([nghttp, "-n", "-s", "-m", "3"] + urls, 60)
    assert r.returncode == 0, r.stdout + r.stderr
    rows = [ln for ln in r.stdout.decode().splitlines() if re.search(r"\s200\s", ln)]
    assert len(rows) == 90, r.stdout


def test_nghttp_upload_and_trailers(app, bigfile):
    nghttp = require("nghttp")
    r = run([nghttp, "-v", "-d", bigfile, "--trailer", "x-req: hello",
             _url(app, "/trailers")], 60)
    assert r.returncode == 0, r.stdout
    out = r.stdout.decode()
    assert "n=%d x-req=hello" % (1 << 20) in out
    assert re.search(r"recv \(stream_id=\d+\) x-count: %d" % (1 << 20), out), out[-3000:]


def test_nghttp_server_push(app):
    nghttp = require("nghttp")
    r = run([nghttp, "-v", _url(app, "/push")], 30)
    out = r.stdout.decode()
    assert "recv PUSH_PROMISE frame" in out
    assert "pushed body" in out and "push=ok" in out
    # nghttp can refuse push (SETTINGS_ENABLE_PUSH=0): the server then declines cleanly
    r = run([nghttp, "--no-push", _url(app, "/push")], 30)
    assert r.stdout == b"push=refused", r.stdout


def test_h2load_all_succeed(app):
    h2load = require("h2load")
    n = 2000 if app.kind != "micropython" else 600
    r = run([h2load, "-n", str(n), "-c", "4", "-m", "10", _url(app)], 120)
    out = r.stdout.decode()
    assert "requests: %d total, %d started, %d done, %d succeeded, 0 failed, 0 errored, 0 timeout"\
        % (n, n, n, n) in out, out[-800:]
    assert "status codes: %d 2xx" % n in out


def test_curl_https_alpn_h2(certs_dir):
    curl = require("curl")
    ca, cert, key = certs_dir
    port = free_port()
    a = Proc([PY, APP, str(port), "--cert", cert, "--key", key], port)
    try:
        r = run([curl, "-sS", "--cacert", ca, "--http2", "-w", "|%{http_version}",
                 "https://localhost:%d/" % port], 30)
        assert r.stdout == b"Hello, World!|2", r.stderr
        r = run([curl, "-sS", "--cacert", ca, "--http1.1", "-w", "|%{http_version}",
                 "https://localhost:%d/" % port], 30)
        assert r.stdout == b"Hello, World!|1.1", r.stderr
        r = run([curl, "-sS", "--cacert", ca, "--http2", "--data-binary", "x" * 100000,
                 "https://localhost:%d/echo" % port], 30)
        assert r.stdout == b"x" * 100000
    finally:
        a.stop()


@pytest.mark.parametrize("streams", [False, True])
def test_https_alpn_h2_refused_in_http2_when_full(certs_dir, streams):
    # At max_connections, a client that chose h2 by ALPN is refused in HTTP/2 (RFC 9113
    # §3.4: the server's first bytes are a SETTINGS frame), by GOAWAY(last-stream-id 0,
    # REFUSED_STREAM): no request processed, safe to send again.  It was an HTTP/1.1 503
    # text (curl: no status; mhttp's client: FRAME_SIZE_ERROR on "HTT").
    import socket
    import ssl
    curl = require("curl")
    ca, cert, key = certs_dir
    port = free_port()
    a = Proc([PY, APP, str(port), "--cert", cert, "--key", key, "--max-connections", "1"]
             + (["--streams"] if streams else []), port)
    try:
        ctx = ssl.create_default_context(cafile=ca)
        ctx.set_alpn_protocols(["http/1.1"])
        held = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10),
                               server_hostname="localhost")
        held.sendall(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        assert held.recv(500).startswith(b"HTTP/1.1 200")       # its slot held (keep-alive)
        ctx2 = ssl.create_default_context(cafile=ca)
        ctx2.set_alpn_protocols(["h2"])
        c = ctx2.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10),
                             server_hostname="localhost")
        assert c.selected_alpn_protocol() == "h2"
        c.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\4\0\0\0\0\0")
        got = b""
        while len(got) < 26:
            d = c.recv(200)
            if not d:
                break
            got += d
        c.close()
        assert got[:9] == b"\0\0\0\4\0\0\0\0\0", got             # SETTINGS
        assert got[12:18] == b"\7\0\0\0\0\0", got                    # GOAWAY on stream 0
        assert got[18:26] == b"\0\0\0\0\0\0\0\7", got              # last 0, REFUSED_STREAM
        r = run([curl, "-sS", "-v", "--cacert", ca, "--http2", "https://localhost:%d/" % port], 30)
        assert b"GOAWAY, error=7, last_stream=0" in r.stderr, r.stderr
        import mhttp.request as request
        from mhttp.errors import H2StreamError
        rq = request.new_from_uri("https://localhost:%d/" % port)
        rq.cafile = ca
        rq.version = 2
        rq.pool = False
        with pytest.raises(H2StreamError, match="REFUSED_STREAM"):
            rq.go_blocking(10)
        held.close()
    finally:
        a.stop()


@pytest.fixture(scope="module")
def certs_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("h2certs")
    tls_files(d)
    return str(d / "ca.pem"), str(d / "cert.pem"), str(d / "key.pem")


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_cli_serve_speaks_h2c_and_http11(runtime):
    # `python -m mhttp serve` / `tools/micropython -m mhttp serve`: HTTP/1.1 and h2c
    curl = require("curl")
    nghttp = require("nghttp")
    port = free_port()
    exe = [PY] if runtime == "cpython" else [os.path.join(os.path.dirname(APP), "..", "tools",
                                                          "micropython")]
    a = Proc(exe + ["-m", "mhttp", "serve", "--port", str(port)], port)
    try:
        for flag, ver in (("--http2-prior-knowledge", b"2"), ("--http2", b"2"), ("--http1.1", b"1.1")):
            r = run([curl, "-sS", flag, "-w", "|%{http_version}", "http://127.0.0.1:%d/" % port], 30)
            assert r.stdout == b"Hello, World!|" + ver, (flag, r.stdout, r.stderr)
        r = run([nghttp, "-n", "-s", "-m", "20", "http://127.0.0.1:%d/" % port], 30)
        assert r.returncode == 0 and r.stdout.decode().count(" 200 ") == 20, r.stdout
    finally:
        a.stop()
