# The HTTP/2 client uploading to a server that answers as it reads (a streaming echo: our
# own server's /echo, `mhttp serve`'s, proxies): go() sends the whole request body
# before it returns, so the response piles up meanwhile; once it fills our receive
# window such a server stops, stops reading the body, and both sides wait for each other
# (was: Timeout "stream 1 stalled: no WINDOW_UPDATE" for any upload over ~1 MiB on
# CPython).  Now, while the body waits for window, the response DATA held is granted
# window within the request's response_buffer (4 MiB on CPython, 16 KiB on a board), and
# go() returns a stream that yields it first; past the bound the Timeout says why.
# Against our server (tests_host/_h2_app.py /echo) and a strict raw-frame echo, both
# faces, CPython and MicroPython.
import asyncio
import struct
import time

import pytest

from conftest import keyed, run_on
from _h2_util import start_app
from test_h2_client_hostile import Hostile, fr, HEADERS, DATA, ES, EH
from mhttp import request, errors
from mhttp.h2_connection import H2Connection

WU = 8


def _body(n):
    return bytes(range(256)) * (n // 256) + b"z" * (n % 256)


def _post(url, n, rb=None):
    r = request.new_from_uri(url)
    r.version = 2
    r.pool = False
    r.headers.upsert(b":method", b"POST")
    r.set_body(_body(n))
    if rb is not None:
        r.response_buffer = rb
    return r


def _run(url, n, face, rb=None, timeout=10):
    if face == "blocking":
        h, s = _post(url, n, rb).go_blocking(timeout)
        return h.get(b":status"), s.get_body_as_string(timeout)

    async def main():
        h, s = await _post(url, n, rb).go(timeout)
        return h.get(b":status"), await s.get_body_as_string(timeout)
    return asyncio.run(main())


@pytest.fixture(scope="module")
def ours():
    a = start_app("cpython")
    yield a
    out = a.stop()
    assert b"Traceback" not in out, out[-2000:]


@pytest.mark.parametrize("face", ["blocking", "async"])
@pytest.mark.parametrize("n", [1 << 20, 3 << 20])
def test_h2_upload_to_an_echo_that_answers_as_it_reads(ours, face, n):
    assert _run("http://127.0.0.1:%d/echo" % ours.port, n, face) == (b"200", _body(n))


@pytest.mark.parametrize("face", ["blocking", "async"])
def test_h2_upload_past_response_buffer_times_out_saying_why(ours, face):
    t0 = time.time()
    with pytest.raises(errors.Timeout) as e:
        _run("http://127.0.0.1:%d/echo" % ours.port, 3 << 20, face, rb=256 << 10, timeout=1.5)
    m = str(e.value)
    assert "stalled" in m and "response_buffer 262144" in m, m
    assert "response body is not being read while the request body is sent" in m, m
    assert time.time() - t0 < 5


class Echo(Hostile):
    def sc_echo(self, c, sid, enc, stop):
        # A strict echo: it sends back what came, as far as the client's windows allow
        # (the CPython client's defaults, H2Connection.window_cpython: its SETTINGS and
        # connection WINDOW_UPDATE came before its HEADERS), and grants the client
        # window only for bytes it has echoed.  So the client's upload stops unless the
        # client grants window for the echo it holds while it sends.
        # (100 Continue first: the body is expected; the 200 once some has come)
        c.sendall(fr(HEADERS, EH, sid, bytes(enc.encode([(b":status", b"100")]))))
        head = fr(HEADERS, EH, sid, bytes(enc.encode([(b":status", b"200")])))
        sw, cw = H2Connection.window_cpython[0], H2Connection.window_cpython[2]
        seen = 0
        pending = bytearray()
        ended = False
        self.grant_at = None
        t0 = time.time()
        while not stop.is_set() and time.time() - t0 < 20:
            got = self.got[seen:]
            seen += len(got)
            for f in got:
                if f[0] == DATA and f[2] == sid:
                    pending += f[3]
                    ended = ended or bool(f[1] & ES)
                elif f[0] == WU:
                    inc = struct.unpack(">I", f[3])[0]
                    if f[2] == 0:
                        cw += inc
                    elif f[2] == sid:
                        sw += inc
                        if self.grant_at is None and not ended:
                            self.grant_at = sum(len(g[3]) for g in self.got if g[0] == DATA)
            if head and pending:
                c.sendall(head)
                head = None
            k = min(len(pending), sw, cw, 16384)
            if k > 0:
                c.sendall(fr(DATA, 0, sid, bytes(pending[:k])) + fr(WU, 0, sid, struct.pack(">I", k))
                          + fr(WU, 0, 0, struct.pack(">I", k)))
                del pending[:k]
                sw -= k
                cw -= k
            elif ended and not pending:
                c.sendall(fr(DATA, ES, sid))
                break
            else:
                time.sleep(0.002)
        stop.wait(3)


@pytest.mark.parametrize("face", ["blocking", "async"])
def test_h2_upload_to_a_strict_raw_echo(face):
    s = Echo("echo", ack=True)
    try:
        n = 3 << 20
        assert _run("http://127.0.0.1:%d/up" % s.port, n, face, timeout=15) == (b"200", _body(n))
        # the client granted window on the stream while its body was still going out
        # (past our first 1 MiB window: the echo held)
        assert s.grant_at is not None and s.grant_at < n
    finally:
        s.close()


@pytest.mark.parametrize("face", ["blocking", "async"])
def test_h2_upload_to_a_strict_raw_echo_bounded(face):
    s = Echo("echo", ack=True)
    try:
        with pytest.raises(errors.Timeout) as e:
            _run("http://127.0.0.1:%d/up" % s.port, 3 << 20, face, rb=128 << 10, timeout=1)
        assert "response_buffer 131072" in str(e.value)
    finally:
        s.close()


@pytest.mark.parametrize("mode", ["blocking", "async"])
def test_h2_upload_to_an_echo_on_micropython(ours, mode):
    # MicroPython's receive windows are the RFC's 64 KiB; our server's are 256 KiB: a
    # 600 KB echo needs the client to hold ~300 KB.  With response_buffer 512 KiB it
    # goes through; with the default (16 KiB on a board) it stops, saying why.
    url = "http://127.0.0.1:%d/echo" % ours.port
    r = run_on("micropython", ["-X", "heapsize=8M", "tests_host/_upload_cli.py", url, "600064", "524288", mode, "10", "2"],
               timeout=60)
    k = keyed(r.stdout.decode())
    assert k.get("RESULT") == "ok", (k, r.stderr[-2000:])
    r = run_on("micropython", ["-X", "heapsize=8M", "tests_host/_upload_cli.py", url, "600064", "-", mode, "3", "2"],
               timeout=60)
    k = keyed(r.stdout.decode())
    assert k.get("RESULT", "").startswith("Timeout: stream 1 stalled"), (k, r.stderr[-2000:])
    assert "response_buffer 16384" in k["RESULT"], k
