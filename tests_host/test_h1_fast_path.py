# CPython's fast path for a server's request head (mhttp._h1_cpy._head_fast, installed
# as mhttp.h1._head) against the portable reader it stands in for (mhttp.h1._head, then
# mhttp._h1_server.request_head): the same input, fed whole or a byte at a time, gives
# the same events (kinds, fields, flags, body bytes), the same protocol state after each
# head, and the same error (class, status_hint, text) on both paths, for the bad-input
# corpus, its good look-alikes, the fuzzer's seeds and thousands of their mutants, under
# default and small limits.  The fast path only accepts or hands over: these checks also
# count that it did accept the plain heads (else they would compare the portable path
# with itself).
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "core"))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))

import _h1fuzz as F  # noqa: E402
from _rng import Rng  # noqa: E402
from h1_corpus import (BAD_REQUESTS, BAD_REQUESTS_MAX_BODY_1024,  # noqa: E402
                       GOOD_LOOKALIKES)
from mhttp import h1, _h1_cpy  # noqa: E402
from mhttp.errors import H1Error  # noqa: E402
from mhttp.h1 import H1Protocol, SERVER, EV_HEADERS, EV_DATA, EV_CLOSED  # noqa: E402

H1Protocol(SERVER)      # loads mhttp._h1_server, which installs the fast path

GET = (b"GET /search?q=http+parser&ie=utf-8 HTTP/1.1\r\n"
       b"Host: www.example.com\r\n"
       b"Connection: keep-alive\r\n"
       b"sec-ch-ua: \"Chromium\";v=\"124\", \"Not-A.Brand\";v=\"99\"\r\n"
       b"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36\r\n"
       b"Accept: text/html,*/*;q=0.8\r\n"
       b"Accept-Encoding: gzip, deflate, br, zstd\r\n"
       b"Cookie: session=8f3a2c1d9e; theme=dark\r\n"
       b"\r\n")
POST = (b"POST /api/items HTTP/1.1\r\nHost: api.example.com\r\nUser-Agent: curl/8.5.0\r\n"
        b"Accept: */*\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n"
        b"{\"name\":\"widget\",\"qty\":12}\n")
H = b"Host: example.com\r\n"
# Plain heads the fast path takes (each must be accepted by it, below), and near misses.
PLAIN = [
    GET, POST,
    b"GET / HTTP/1.1\r\n" + H + b"\r\n",
    b"GET / HTTP/1.0\r\n" + H + b"\r\n",
    b"GET / HTTP/1.0\r\n" + H + b"Connection: keep-alive\r\n\r\n",
    b"GET / HTTP/1.1\r\n" + H + b"Connection: Keep-Alive, Close\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: example.com:8080\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: 192.168.4.1:80\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost:\r\n\r\n",
    b"GET / HTTP/1.1\r\nHOST:example.com\r\nx-a:\t 1 \t\r\nX-A: 2\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: example.com:\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: example.com\r\nX:a: b\r\n\r\n",
    b"PATCH /a HTTP/1.1\r\n" + H + b"Content-Length: 0\r\n\r\n",
    b"PUT /a HTTP/1.1\r\n" + H + b"Content-Length: 3\r\nExpect: 100-continue\r\n\r\nabc",
    b"PUT /a HTTP/1.0\r\n" + H + b"Content-Length: 3\r\nExpect: 100-continue\r\n\r\nabc",
    b"GET /caf%C3%A9 HTTP/1.1\r\n" + H + b"X-Obs: caf\xc3\xa9\r\nAuthorization: x\r\n\r\n",
    b"GET /1 HTTP/1.1\r\n" + H + b"\r\nGET /2 HTTP/1.1\r\n" + H + b"\r\n",
]
NEAR = [
    b"GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a:b:80\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: :80\r\n\r\n",
    b"GET / HTTP/1.1\r\n" + H + b"Content-Length: 5, 5\r\n\r\nhello",
    b"GET / HTTP/1.1\r\n" + H + b"Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
    b"GET / HTTP/1.1\r\n" + H + b"Connection: close\r\nConnection: x\r\n\r\n",
    b"GET / HTTP/1.1\r\n" + H + b"X: a\t\r\n\r\n",
    b"GET / HTTP/1.1\r\n" + H + b"X: a\r\r\n\r\n",
    b"GET / HTTP/1.1\r\n" + H + b"X: a\rY: b\n\r\n\r\n",
    b"GET / HTTP/1.1\r" + H + b"X: a\n\r\n\r\n",
    b"GET / HTTP/1.1\r\n" + H + b"X: a\n\r\n\r\n",
    b"GET / HTTP/1.1\r\n" + H + b"X: a\x00\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: example.com\r\nHost\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: example.com\r\nX : b\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: example.com\r\n b\r\n\r\n",
    b"GET / HTTP/1.1\r\n\r\n",
    b"GET / HTTP/1.1\r\nX: y\r\n\r\n",
    b"GET  HTTP/1.1\r\n" + H + b"\r\n",
    b"GET /\t HTTP/1.1\r\n" + H + b"\r\n",
    b"GET / HTTP/1.2\r\n" + H + b"\r\n",
    b"\r\nGET / HTTP/1.1\r\n" + H + b"\r\n",
]
LIMITS = [{}, {"max_body": 1024}, dict(F.LIMITS),
          {"max_line": 40, "max_headers": 3, "max_header_bytes": 100, "max_body": 4}]


def run(data, fast, bytewise=False, **kw):
    # The outcome of serving data with one path: a list of what happened, in order.
    saved = h1._head
    h1._head = _h1_cpy._head_fast if fast else _h1_cpy._PORTABLE
    out = []
    p = H1Protocol(SERVER, **kw)
    try:
        pieces = [data[i:i + 1] for i in range(len(data))] if bytewise else [data]
        for piece in pieces + [b""]:
            p.receive_data(piece)
            while True:
                ev = p.next_event()
                if ev is None:
                    break
                if ev[0] == EV_HEADERS:
                    out.append(("head", list(ev[1]), ev[2], p.their_version, p._method,
                                p.keep_alive, p.expect_continue, p._rs, p._rleft,
                                p.their_done, p._buf[p._pos:], p._scan))
                elif ev[0] == EV_DATA:
                    out.append(("data", ev[1], ev[2]))
                else:
                    out.append(ev)
                if ev[0] == EV_CLOSED:
                    return out
                if p.their_done and not p.our_done:
                    p.send_headers([(b":status", b"200"), (b"content-length", b"0")], True)
                    if not p.keep_alive or p.upgraded:
                        return out
                    p.start_next_cycle()
    except H1Error as e:
        out.append(("error", type(e).__name__, e.status_hint, str(e), p.keep_alive))
    finally:
        h1._head = saved
    return out


def compare(data, **kw):
    for bytewise in (False, True):
        a = run(data, False, bytewise, **kw)
        b = run(data, True, bytewise, **kw)
        assert a == b, (data, kw, bytewise)


class Count:
    # Counts the fast path's hand-overs to the portable reader of a whole head (a blank
    # line is buffered: a head in part, or none, is always the portable reader's).
    def __init__(self):
        self.n = 0

    def __call__(self, p):
        if p._buf.find(b"\r\n\r\n", p._pos) >= 0:
            self.n += 1
        return self.portable(p)


@pytest.fixture
def count(monkeypatch):
    c = Count()
    c.portable = _h1_cpy._PORTABLE
    monkeypatch.setattr(_h1_cpy, "_PORTABLE", c)
    return c


def test_installed():
    assert h1._head is _h1_cpy._head_fast


def test_plain_heads_take_the_fast_path(count):
    for data in PLAIN:
        count.n = 0
        run(data, True)
        assert count.n == 0, data
        compare(data)


def test_near_misses_are_handed_over(count):
    for data in NEAR:
        count.n = 0
        run(data, True)
        assert count.n > 0, data
        for kw in LIMITS:
            compare(data, **kw)


def test_limits_are_handed_over(count):
    # A head long enough for a limit to matter goes to the portable reader.
    for kw in LIMITS[2:]:
        count.n = 0
        run(GET, True, **kw)
        assert count.n > 0


def test_corpus_same_on_both_paths():
    for name, data, status in BAD_REQUESTS + GOOD_LOOKALIKES:
        for kw in LIMITS:
            compare(data, **kw)
        e = run(data, True)[-1]
        if status is not None:
            assert e[0] == "error" and e[2] == status, name
    for name, data, status in BAD_REQUESTS_MAX_BODY_1024:
        compare(data, max_body=1024)


def test_mutants_same_on_both_paths(count):
    seeds = PLAIN + NEAR + list(F.SEED_REQUESTS) + [e[1] for e in BAD_REQUESTS]
    rng = Rng(13)
    n = 0
    for i in range(6000):
        data = F.mutate(rng, rng.pick(seeds), seeds)
        kw = LIMITS[i % len(LIMITS)]
        a = run(data, False, **kw)
        before = count.n
        b = run(data, True, **kw)
        assert a == b, (data, kw)
        n += count.n == before and a[:1] != [] and a[0][0] == "head"
    assert n >= 100        # (127 with these seeds: most mutants are bad heads)


def test_every_single_byte_edit_same_on_both_paths(count):
    # Each byte of short plain heads replaced by, and each gap given, one of the bytes
    # the checks are about.
    seeds = [PLAIN[2], PLAIN[6], PLAIN[9], PLAIN[12],
             b"POST /a HTTP/1.0\r\nHost: h\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx"]
    edits = [bytes((c,)) for c in b"\r\n\t :\x00\x7f\x80,A/[]1"] + [b"\r\n", b""]
    fast = 0
    for data in seeds:
        for i in range(len(data) + 1):
            for e in edits:
                for m in (data[:i] + e + data[i + 1:], data[:i] + e + data[i:]):
                    a = run(m, False)
                    before = count.n
                    b = run(m, True)
                    assert a == b, m
                    fast += count.n == before and a[:1] != [] and a[0][0] == "head"
    assert fast >= 1000
