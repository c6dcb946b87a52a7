# `python -m mhttp get` (CPython) against http.server, raw sockets and our own server:
# output bytes, -i/-I/-o/-d/-H/-X/-L, --fail, exit statuses.
import os
import subprocess
import sys

import pytest

from client_servers import (start_http_server, stop_http_server, RawServer, ROOT,
                            start_mhttp_server, stop_process)

import mhttp.request as request


@pytest.fixture(scope="module")
def srv():
    s = start_http_server()
    yield s
    stop_http_server(s)


def cli(*args, stdin=None):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.join(ROOT, "lib"), os.path.join(ROOT, "ports", "cpython")])
    return subprocess.run([sys.executable, "-m", "mhttp", "get"] + list(args), cwd=ROOT, env=env,
                          capture_output=True, timeout=30, input=stdin)


def test_body_to_stdout(srv):
    r = cli(srv.url + "/big?n=70000")
    assert r.returncode == 0 and r.stdout == b"x" * 70000 and r.stderr == b""


def test_include_and_head(srv):
    r = cli("-i", srv.url + "/hello")
    assert r.returncode == 0
    head, _, body = r.stdout.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200 OK\r\n") or head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\ncontent-length: 5" in head and body == b"hello"
    r = cli("-I", srv.url + "/big?n=100")
    assert r.returncode == 0 and r.stdout.endswith(b"content-length: 100\r\n\r\n")
    assert srv.log[-1] == ("HEAD", "/big?n=100", 0)


def test_data_method_headers(srv, tmp_path):
    r = cli("-d", "a=1", "-d", "b=2", srv.url + "/echo")
    assert r.stdout == b"a=1&b=2"
    assert srv.log[-1] == ("POST", "/echo", 7)
    f = tmp_path / "body.bin"
    f.write_bytes(bytes(range(256)) * 20)
    r = cli("-X", "PUT", "--data-binary", "@" + str(f), "-i", srv.url + "/echo")
    assert r.stdout.endswith(bytes(range(256)) * 20)
    assert b"x-method: PUT" in r.stdout
    r = cli("-d", "@-", srv.url + "/echo", stdin=b"from stdin")
    assert r.stdout == b"from stdin"
    r = cli("-H", "X-Test: yes", "-H", "User-Agent: custom/1", "-A", "ignored", srv.url + "/headers")
    assert b"x-test: yes\n" in r.stdout and b"user-agent: custom/1\n" in r.stdout
    r = cli("-H", "User-Agent:", srv.url + "/headers")
    assert b"user-agent" not in r.stdout


def test_redirects_curl_style(srv):
    r = cli("-i", srv.url + "/redir?code=302&to=/hello")
    assert r.returncode == 0 and b" 302 " in r.stdout.split(b"\r\n")[0]
    r = cli("-L", srv.url + "/redir?code=302&to=/hello")
    assert r.returncode == 0 and r.stdout == b"hello"
    r = cli("-L", srv.url + "/loop")
    assert r.returncode == 47 and b"maximum redirects" in r.stderr
    r = cli("-L", "--max-redirs", "0", srv.url + "/redir?code=302&to=/hello")
    assert r.returncode == 47


def test_fail_flag(srv):
    r = cli(srv.url + "/status?code=404")
    assert r.returncode == 0 and r.stdout == b"status body"
    r = cli("--fail", srv.url + "/status?code=404")
    assert r.returncode == 22 and r.stdout == b"" and b"404" in r.stderr


def test_output_file_and_progress(srv, tmp_path):
    out = tmp_path / "o.bin"
    r = cli("-o", str(out), srv.url + "/big?n=300000")
    assert r.returncode == 0 and r.stdout == b"" and r.stderr == b""  # not a terminal
    assert out.read_bytes() == b"x" * 300000
    r = cli("-#", "-o", str(out), srv.url + "/big?n=300000")
    assert r.returncode == 0
    last = r.stderr.split(b"\r")[-1]
    assert last.startswith(b"100.0% [") and b"292.97 KiB" not in last and b"293.0 KiB / 293.0 KiB" in last
    r = cli("-o", str(tmp_path / "no" / "such" / "dir"), srv.url + "/hello")
    assert r.returncode == 23


def test_error_exit_statuses(srv):
    raw = RawServer(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n")
    try:
        r = cli(raw.url + "/")
        assert r.returncode == 8 and b"mhttp get:" in r.stderr
    finally:
        raw.stop()
    slow = RawServer(b"", hold=5)
    try:
        r = cli("-m", "0.5", slow.url + "/")
        assert r.returncode == 28 and b"timed out" in r.stderr
    finally:
        slow.stop()
    r = cli("http://127.0.0.1:1/")
    assert r.returncode == 7 and b"refused" in r.stderr.lower()
    r = cli("ftp://x/")
    assert r.returncode == 3
    r = cli()
    assert r.returncode == 2 and b"usage" in r.stderr
    r = cli("--bogus", srv.url)
    assert r.returncode == 2


def test_against_our_server():
    p = start_mhttp_server()
    try:
        url = "http://127.0.0.1:%d" % p.port
        r = cli("-i", url + "/")
        assert r.returncode == 0 and r.stdout.endswith(b"\r\n\r\nHello, World!")
        assert r.stdout.startswith(b"HTTP/1.1 200 OK\r\n")
        r = cli("-d", "x" * 100000, url + "/echo")
        assert r.returncode == 0 and r.stdout == b"x" * 100000
        r = cli("--fail", url + "/nope")
        assert r.returncode == 22
    finally:
        stop_process(p)


def test_library_against_our_server():
    import asyncio
    p = start_mhttp_server()
    try:
        url = "http://127.0.0.1:%d" % p.port
        pool = request.Pool()

        async def go():
            out = []
            for i in range(5):
                r = request.new_from_uri(url + "/echo")
                r.pool = pool
                r.headers.upsert(":method", "POST")
                r.set_body([b"a" * 1000] * (i + 1))  # chunked, with expect: 100-continue
                h, s = await r.go(10)
                out.append(len(await s.get_body_as_string(10)))
            return out
        assert asyncio.run(go()) == [1000, 2000, 3000, 4000, 5000]
        assert pool.reused == 4
        for _ in range(3):
            r = request.new_from_uri(url + "/")
            r.pool = pool
            h, s = r.go_blocking(10)
            assert s.get_body_as_string(10) == b"Hello, World!"
    finally:
        stop_process(p)
