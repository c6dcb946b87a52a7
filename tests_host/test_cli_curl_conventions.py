# `python -m mhttp get / serve / ws` against curl's conventions (audit 13b): -v survives
# response fields that are not UTF-8, exit statuses are curl's numbers (6 a name that
# does not resolve, 56 a close mid-body, 2 our own usage problem), `-o -` is stdout,
# `-i -o FILE` puts the head in FILE too, --http1.1 / --http1.0 reach Request.version
# (and so the TLS ALPN offer), `serve` that cannot start says so in one line, and the ws
# command refuses http:// URLs.  CPython and, where marked, the MicroPython unix port.
import os
import socket
import subprocess
import sys

import pytest

from client_servers import (start_http_server, stop_http_server, RawServer, ROOT,
                            start_mhttp_server, stop_process)
from conftest import free_port, tls_files, require_micropython

import mhttp.cli_get as cli_get


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.join(ROOT, "lib"),
                                         os.path.join(ROOT, "ports", "cpython")])
    return env


def mhttp(*args, cwd=ROOT, micropython=False):
    exe = [os.path.join(ROOT, "tools", "micropython")] if micropython else [sys.executable]
    return subprocess.run(exe + ["-m", "mhttp"] + list(args), cwd=cwd, env=_env(),
                          capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def srv():
    s = start_http_server()
    yield s
    stop_http_server(s)


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_verbose_shows_obs_text_fields_escaped(runtime):
    if runtime == "micropython":
        require_micropython()
    raw = RawServer(b"HTTP/1.1 200 OK\r\nX-Name: caf\xe9\r\nContent-Length: 2\r\n\r\nok",
                    close=True)
    try:
        r = mhttp("get", "-v", raw.url + "/", micropython=runtime == "micropython")
    finally:
        raw.stop()
    assert r.returncode == 0 and r.stdout == b"ok", r.stderr
    assert b"< x-name: caf\\xe9\n" in r.stderr and b"Traceback" not in r.stderr


def test_exit_statuses_follow_curl():
    r = mhttp("get", "http://no-such-host.invalid/")
    assert r.returncode == 6, r.stderr             # curl: couldn't resolve host
    raw = RawServer(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", close=True)
    try:
        r = mhttp("get", raw.url + "/")
    finally:
        raw.stop()
    assert r.returncode == 56 and r.stdout == b"abc", r.stderr   # closed while receiving
    # a Content-Length of ours that the (absent) body does not match: refused before
    # connecting (port 1: a connection attempt would be 7), a usage problem, not 8
    r = mhttp("get", "-X", "POST", "-H", "Content-Length: 3", "http://127.0.0.1:1/")
    assert r.returncode == 2 and b"Content-Length: 3" in r.stderr, r.stderr
    r = mhttp("get", "-d", "ab", "-H", "Content-Length: 3", "http://127.0.0.1:1/")
    assert r.returncode == 2, r.stderr
    o = cli_get.parse_args(["-d", "abc", "-H", "Content-Length: 3", "http://h.test/"])
    assert cli_get.build_request(o).body == b"abc"     # a matching one is kept


def test_output_dash_is_stdout_and_include_goes_into_the_file(srv, tmp_path):
    r = mhttp("get", "-o", "-", srv.url + "/hello", cwd=str(tmp_path))
    assert r.returncode == 0 and r.stdout == b"hello"
    assert not os.path.exists(str(tmp_path / "-"))
    r = mhttp("get", "-i", "-o", "f.bin", srv.url + "/hello", cwd=str(tmp_path))
    assert r.returncode == 0 and r.stdout == b""
    data = (tmp_path / "f.bin").read_bytes()
    assert data.startswith(b"HTTP/1.") and b" 200 OK\r\n" in data.split(b"\r\n")[0] + b"\r\n"
    assert data.endswith(b"\r\n\r\nhello")
    r = mhttp("get", "-I", "-o", "h.bin", srv.url + "/hello", cwd=str(tmp_path))
    assert r.returncode == 0 and r.stdout == b""
    assert (tmp_path / "h.bin").read_bytes().endswith(b"content-length: 5\r\n\r\n")


def test_http_version_flags_reach_the_request():
    def version(*flags):
        return cli_get.build_request(cli_get.parse_args(list(flags) + ["https://h.test/"])).version
    assert version() is None            # h2 if ALPN agrees
    assert version("--http1.1") == 1.1 and version("--http1.0") == 1.0
    assert version("--http2-prior-knowledge") == 2
    req = cli_get.build_request(cli_get.parse_args(["--http1.0", "http://h.test/p"]))
    assert cli_get._req_lines(req).startswith(b"> GET /p HTTP/1.0\r\n")
    # the ALPN offer those versions make (mhttp._client_tls.tls_setup)
    import _mhttp_port
    from mhttp._client_tls import tls_setup
    if getattr(_mhttp_port, "HAS_ALPN", False):
        o = {"tls": True, "verify": False}
        assert tls_setup(o, 1.1, None)[1] is None
        assert "h2" in tls_setup(o, None, None)[1]


def test_http11_flag_keeps_an_h2_server_on_http11(tmp_path):
    tls_files(tmp_path)
    p = start_mhttp_server(["--cert", str(tmp_path / "cert.pem"),
                            "--key", str(tmp_path / "key.pem")])
    try:
        url = "https://127.0.0.1:%d/" % p.port
        r = mhttp("get", "-k", "-i", url)
        assert r.returncode == 0 and r.stdout.startswith(b"HTTP/2 200"), r.stdout[:40]
        r = mhttp("get", "-k", "-i", "--http1.1", url)
        assert r.returncode == 0 and r.stdout.startswith(b"HTTP/1.1 200 OK\r\n"), r.stdout[:40]
    finally:
        stop_process(p)


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_serve_that_cannot_start_says_so_in_one_line(runtime, tmp_path):
    mp = runtime == "micropython"
    if mp:
        require_micropython()
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    try:
        r = mhttp("serve", "--host", "127.0.0.1", "--port", str(s.getsockname()[1]),
                  micropython=mp)
    finally:
        s.close()
    err = r.stderr.strip().splitlines()
    assert r.returncode == 1 and len(err) == 1 and err[0].startswith(b"mhttp serve: cannot listen"), r.stderr
    missing = str(tmp_path / "nope.pem")
    r = mhttp("serve", "--host", "127.0.0.1", "--port", str(free_port()), "--cert", missing,
              "--key", missing, micropython=mp)
    err = r.stderr.strip().splitlines()
    assert r.returncode == 1 and len(err) == 1 and b"nope.pem" in err[0], r.stderr


def test_ws_refuses_http_urls():
    for url in ("http://127.0.0.1:1/ws", "https://127.0.0.1:1/ws"):
        r = mhttp("ws", url)
        assert r.returncode == 2 and b"not a ws:// or wss:// URL" in r.stdout + r.stderr
