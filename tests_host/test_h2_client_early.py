# The HTTP/2 client and a final response that comes before the request body went out
# (RFC 9110 §10.1.1: a refusal such as 413 instead of 100 Continue; RFC 9113 §8.1: a
# complete response, then RST_STREAM(NO_ERROR) while the body is being sent): the
# response and its body are returned, never discarded; our side of the stream ends with
# RST_STREAM(NO_ERROR) once the response is complete (never an empty END_STREAM, which
# would contradict the content-length sent, and nothing on a stream the server reset);
# the connection carries the next request.  Against our own server (tests_host/_h2_app.py
# /refuse) and a raw-frame peer (test_h2_client_hostile.Hostile), both faces.
import asyncio
import struct
import time

import pytest

from _h2_util import start_app
from test_h2_client_hostile import Hostile, fr, HEADERS, DATA, RST, ES, EH
from mhttp import request

BODY = b"x" * 100000     # > EXPECT_THRESHOLD: sent with "expect: 100-continue"


def _post(url, body=BODY):
    r = request.new_from_uri(url)
    r.version = 2
    r.headers.upsert(b":method", b"POST")
    r.set_body(body)
    return r


def _exchange(url, face):
    # (status, body) of a POST of BODY to url, then of a GET / on the same origin, and
    # whether the pool reused the HTTP/2 connection for it
    request.POOL.close_all()
    base = url[:url.index("/", 8)]
    before = request.POOL.reused
    if face == "blocking":
        h, s = _post(url).go_blocking(10)
        out = [(h.get(b":status"), s.get_body_as_string(10))]
        r = request.new_from_uri(base + "/")
        r.version = 2
        h, s = r.go_blocking(10)
        out.append((h.get(b":status"), s.get_body_as_string(10)))
    else:
        async def main():
            h, s = await _post(url).go(10)
            o = [(h.get(b":status"), await s.get_body_as_string(10))]
            r = request.new_from_uri(base + "/")
            r.version = 2
            h, s = await r.go(10)
            o.append((h.get(b":status"), await s.get_body_as_string(10)))
            return o
        out = asyncio.run(main())
    return out, request.POOL.reused - before


@pytest.fixture(scope="module")
def ours():
    a = start_app("cpython")
    yield a
    request.POOL.close_all()
    out = a.stop()
    assert b"Traceback" not in out, out[-2000:]


@pytest.mark.parametrize("face", ["blocking", "async"])
@pytest.mark.parametrize("path", ["/refuse", "/refuse?later"])
def test_h2_early_final_response_is_returned_with_its_body(ours, face, path):
    # our server answers 413 without reading the 100000-byte body (?later: the body of
    # the 413 comes 0.3 s after its head): was an empty body (the client reset the stream
    # with CANCEL and dropped what it held) or H2StreamError CANCEL
    out, reused = _exchange("http://127.0.0.1:%d%s" % (ours.port, path), face)
    assert out[0] == (b"413", b"too large\n")
    # the shared connection goes on: the next request on it
    assert out[1] == (b"200", b"Hello, World!")
    assert reused == 1
    request.POOL.close_all()


class Early(Hostile):
    # the request's HEADERS read, then (self.got records what the client sends):
    def sc_done_rst(self, c, sid, enc, stop):
        # a complete 413 and RST_STREAM(NO_ERROR), in one write (RFC 9113 §8.1)
        c.sendall(fr(HEADERS, EH, sid, bytes(enc.encode([(b":status", b"413"),
                                                         (b"content-length", b"10")])))
                  + fr(DATA, ES, sid, b"too large\n") + fr(RST, 0, sid, struct.pack(">I", 0)))
        stop.wait(3)

    def sc_done(self, c, sid, enc, stop):
        # a complete 413, the stream left half-closed for the client to end
        c.sendall(fr(HEADERS, EH, sid, bytes(enc.encode([(b":status", b"413"),
                                                         (b"content-length", b"10")])))
                  + fr(DATA, ES, sid, b"too large\n"))
        stop.wait(3)

    def sc_later(self, c, sid, enc, stop):
        # the 413's head, its body in two pieces 0.3 s and 0.5 s later
        c.sendall(fr(HEADERS, EH, sid, bytes(enc.encode([(b":status", b"413")]))))
        time.sleep(0.3)
        c.sendall(fr(DATA, 0, sid, b"too "))
        time.sleep(0.2)
        self.before_end = list(self.got)
        c.sendall(fr(DATA, ES, sid, b"large\n"))
        stop.wait(3)

    def sc_expect_417(self, c, sid, enc, stop):
        # 417 to the expectation; the retry without it (stream 3, this connection)
        # gets 200 "ok"
        c.sendall(fr(HEADERS, EH | ES, sid, bytes(enc.encode([(b":status", b"417")]))))
        t0 = time.time()
        while time.time() - t0 < 5 and not [f for f in self.got if f[0] == DATA and f[2] == 3
                                            and f[1] & ES]:
            time.sleep(0.02)
        c.sendall(fr(HEADERS, EH, 3, bytes(enc.encode([(b":status", b"200")])))
                  + fr(DATA, ES, 3, b"ok"))
        stop.wait(3)

    def sc_mid_upload(self, c, sid, enc, stop):
        # 100 Continue; the body comes up to our 65535-octet window (never updated);
        # then a complete 413 and RST_STREAM(NO_ERROR) while the client waits for window
        c.sendall(fr(HEADERS, EH, sid, bytes(enc.encode([(b":status", b"100")]))))
        t0 = time.time()
        while sum(len(f[3]) for f in self.got if f[0] == DATA) < 65535 and time.time() - t0 < 5:
            time.sleep(0.02)
        self.uploaded = sum(len(f[3]) for f in self.got if f[0] == DATA)
        c.sendall(fr(HEADERS, EH, sid, bytes(enc.encode([(b":status", b"413"),
                                                         (b"content-length", b"10")])))
                  + fr(DATA, ES, sid, b"too large\n") + fr(RST, 0, sid, struct.pack(">I", 0)))
        stop.wait(3)


def _raw(sc, face, body=BODY):
    s = Early(sc)
    try:
        url = "http://127.0.0.1:%d/up" % s.port
        request.POOL.close_all()
        if face == "blocking":
            h, st = _post(url, body).go_blocking(5)
            got = (h.get(b":status"), st.get_body_as_string(5))
        else:
            async def main():
                h, st = await _post(url, body).go(5)
                return h.get(b":status"), await st.get_body_as_string(5)
            got = asyncio.run(main())
        time.sleep(0.3)
        request.POOL.close_all()
        s.done.wait(5)
        return got, s
    finally:
        s.close()


def _rst_codes(s):
    return [struct.unpack(">I", f[3])[0] for f in s.frames(RST) if f[2] == 1]


@pytest.mark.parametrize("face", ["blocking", "async"])
def test_h2_complete_response_then_rst_no_error_is_kept(face):
    # was: body b"" (the driver dropped what it held on the peer's RST_STREAM)
    got, s = _raw("done_rst", face)
    assert got == (b"413", b"too large\n")
    assert _rst_codes(s) == []                  # nothing sent on a stream the peer reset
    assert not [f for f in s.frames(DATA) if f[2] == 1]


@pytest.mark.parametrize("face", ["blocking", "async"])
def test_h2_early_response_client_ends_its_side_with_rst_no_error(face):
    # was: RST_STREAM(CANCEL) and an empty body
    got, s = _raw("done", face)
    assert got == (b"413", b"too large\n")
    assert _rst_codes(s) == [0]                 # NO_ERROR, once
    assert not [f for f in s.frames(DATA) if f[2] == 1]   # no body, no empty END_STREAM


@pytest.mark.parametrize("face", ["blocking", "async"])
def test_h2_early_response_stream_ends_only_once_the_response_is_complete(face):
    # was: RST_STREAM(CANCEL) right after the head, then H2StreamError CANCEL
    got, s = _raw("later", face)
    assert got == (b"413", b"too large\n")
    assert [f for f in s.before_end if f[0] == RST] == []     # not before its end
    assert _rst_codes(s) == [0]
    assert not [f for f in s.frames(DATA) if f[2] == 1]


@pytest.mark.parametrize("face", ["blocking", "async"])
def test_h2_complete_response_and_rst_no_error_during_upload_is_returned(face):
    # RFC 9113 §8.1 while the body is being sent: was H2StreamError (NO_ERROR) out of go()
    got, s = _raw("mid_upload", face)
    assert got == (b"413", b"too large\n")
    assert s.uploaded == 65535
    assert _rst_codes(s) == []


@pytest.mark.parametrize("face", ["blocking", "async"])
def test_h2_417_retry_stays_on_the_shared_connection(face):
    # RFC 9110 §10.1.1: the request again without the expectation, on a new stream of
    # the same connection (was: the shared connection aborted, the retry on a new one)
    got, s = _raw("expect_417", face, b"y" * 2000)
    assert got == (b"200", b"ok")
    heads = [f for f in s.frames(HEADERS)]
    assert [f[2] for f in heads] == [3]          # (stream 1's was read before recording)
    assert sum(len(f[3]) for f in s.frames(DATA) if f[2] == 3) == 2000
    assert _rst_codes(s) == [8]                  # stream 1: CANCEL, its body never sent
