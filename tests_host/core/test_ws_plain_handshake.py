# The WebSocket client's plain handshake (mhttp._ws_req.request_head,
# mhttp._ws_open.response_head)
# against mhttp.h1, which it stands in for (portable: pytest and tools/mptest.py on
# MicroPython).  request_head must give the very bytes H1Protocol(CLIENT).send_headers
# writes, or None; response_head may claim a head (fields, end) only where mhttp.h1 reads
# the same fields and leaves the same bytes after it, and may ask for more bytes (None)
# only where mhttp.h1 has no verdict yet either.  Hand-written heads, every split of
# them, and seeded random mutations (tests_host/core/_rng.py).
from mhttp import _ws_open as O
from mhttp import _ws_req as Q
from mhttp import ws as W
from mhttp.h1 import H1Protocol, CLIENT, EV_HEADERS, EV_DATA
from mhttp.errors import H1Error
from _rng import Rng

KEY = b"dGhlIHNhbXBsZSBub25jZQ=="


def _req(auth=b"example.com", path=b"/chat", protos=None, pmd=True, origin=None):
    return W.client_request(auth, path, KEY, protos, W.PerMessageDeflate() if pmd else None,
                            b"http", False, origin)


def _h1(req):
    p = H1Protocol(CLIENT)
    out = p.send_headers(req, True)
    return p, out


def test_request_head_is_h1s_bytes():
    n = 0
    for auth in (b"example.com", b"127.0.0.1:8000", b"[::1]:8080", b"a-b.c", b"H.EXAMPLE"):
        for path in (b"/", b"/chat?x=1&y=%20", b"/a/b;c=d", b"/~user/!$'()*+,"):
            for protos in (None, ["chat"], ["a", "b.c"], [b"v1.x"]):
                for pmd in (True, False):
                    req = _req(auth, path, protos, pmd)
                    got = Q.request_head(req)
                    assert got is not None, (auth, path, protos)
                    assert got == _h1(req)[1], (got, _h1(req)[1])
                    n += 1
    assert n == 160


def test_request_head_leaves_the_rest_to_h1():
    # not plain ASCII, or what mhttp.h1 would refuse: None (mhttp.h1 writes or refuses it)
    for req in (_req(path=b"/caf\xc3\xa9"), _req(path=b"/a b"), _req(auth=b"ex_ample.com"),
                _req(auth=b"host\x7f"), _req(protos=["a\tb"]), _req(protos=["\xe9"]),
                _req(origin=b"http://x\x01")):
        assert Q.request_head(req) is None
    # when it does give bytes, they are mhttp.h1's (an Origin is plain ASCII here)
    req = _req(origin="http://example.com")
    assert Q.request_head(req) == _h1(req)[1]


HEADS = [
    b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
    b"HTTP/1.1 101\r\nupgrade:websocket\r\nCONNECTION:   upgrade  \r\n\r\n\x81\x02hi",
    b"HTTP/1.1 101 \r\nX-A: 1\r\nx-a: 2\r\nCookie: c=1\r\nSet-Cookie: s\r\nEmpty:\r\n\r\n",
    b"HTTP/1.1 101 OK: fine (really)\r\nA!#$%&'*+-.^_`|~0: v: w\r\n\r\n\x88\x00",
    b"HTTP/1.1 101 Switching\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
    b"HTTP/1.1 101 x\r\nAuthorization: secret\r\nsec-websocket-extensions: permessage-"
    b"deflate; server_no_context_takeover\r\n\r\n",
    # not plain: h1 decides
    b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 101 S\r\nUpgrade: websocket\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.0 101 S\r\nUpgrade: websocket\r\n\r\n",
    b"HTTP/1.2 101 S\r\n\r\n",
    b"HTTP/1.1 1010 S\r\n\r\n",
    b"HTTP/1.1 101 S\r\nA : b\r\n\r\n",
    b"HTTP/1.1 101 S\r\n folded\r\n\r\n",
    b"HTTP/1.1 101 S\r\nA: b\tc\r\n\r\n",
    b"HTTP/1.1 101 S\r\nA: \xe9\r\n\r\n",
    b"HTTP/1.1 101 S\nA: b\r\n\r\n",
    b"HTTP/1.1 101 S\r\nA: b\rc\r\n\r\n",
    b"HTTP/1.1 101 S\r\nNoColon\r\n\r\n",
    b"HTTP/1.1 101 S\r\n:empty\r\n\r\n",
    b"HTTP/1.1 101 S\r\n(a): b\r\n\r\n",
    b"\r\nHTTP/1.1 101 S\r\n\r\n",
    b"HTTP/1.1 101 S\r\n" + b"A: b\r\n" * 101 + b"\r\n",
    b"HTTP/1.1 101 S\r\nA: " + b"x" * 5000 + b"\r\n\r\n",
]


def _h1_verdict(data, eof=False):
    # What mhttp.h1 makes of `data` (then EOF if eof) as the answer to our GET:
    # ("head", fields, rest) / ("more",) / ("error",) / ("other",)
    p, _ = _h1(_req())
    try:
        if data:
            p.receive_data(data)       # (b"" would be EOF)
        if eof:
            p.receive_data(b"")
        ev = p.next_event()
    except H1Error:
        return ("error",)
    if ev is None:
        return ("more",)
    if ev[0] != EV_HEADERS or ev[1].get(b":status") != b"101":
        return ("other",)
    rest = p.next_event()
    if rest is not None:
        assert rest[0] == EV_DATA
        rest = rest[1]
    return ("head", ev[1]._l, rest or b"")


def _check(data):
    r = O.response_head(data)
    if r is False:
        return 0
    v = _h1_verdict(data)
    if r is None:
        assert v == ("more",), (data, v)
        return 1
    fields, end = r
    assert v[0] == "head", (data, v)
    assert fields == v[1], (fields, v[1])
    assert data[end:] == v[2], (data[end:], v[2])
    return 2


def test_response_head_claims_only_what_h1_reads_alike():
    seen = [0, 0, 0]
    for head in HEADS:
        seen[_check(head)] += 1
        for i in range(len(head) if len(head) < 400 else 0):
            seen[_check(head[:i])] += 1
    # the plain heads were claimed; the others were all left to h1
    assert [O.response_head(h) is not False for h in HEADS] == [True] * 6 + [False] * 17
    assert seen[1] > 500 and seen[2] >= 6, seen


def test_response_head_fuzz_against_h1():
    rng = Rng(8441)
    claimed = 0
    for i in range(3000 if W.MICROPYTHON else 20000):
        d = rng.pick(HEADS[:6])
        for _ in range(1 + rng.below(3)):
            if not d:
                break
            k = rng.below(6)
            if k == 0:
                d = rng.flip_bit(d)
            elif k == 1:
                j = rng.below(len(d))
                d = d[:j] + bytes((rng.pick(b"\r\n :\t\x00\x7fA\x80\"(,"),)) + d[j + 1:]
            elif k == 2:
                j = rng.below(len(d))
                d = d[:j] + d[j + 1:]
            elif k == 3:
                d = d[:rng.below(len(d) + 1)]
            elif k == 4:
                # an inserted line end or end of head
                j = rng.below(len(d) + 1)
                d = d[:j] + rng.pick((b"\r\n", b"\r\n\r\n", b"\n", b" ")) + d[j:]
            else:
                # a short first line: cut anywhere, the head ended there
                j = rng.below(14)
                d = d[:j] + d[d.find(b"\r\n"):] if rng.below(2) else d[:j] + b"\r\n\r\n"
        if _check(d) == 2:
            claimed += 1
    assert claimed > 100, claimed


def test_response_head_leaves_short_status_lines_to_h1():
    # a first line shorter than "HTTP/1.1 101", empty too, is no 101: mhttp.h1 refuses it
    for d in (b"HTTP/1.1 1\r\n\r\n", b"HTTP/1.1 10\r\n\r\n\x81\x00", b"H\r\n\r\n",
              b"\r\n\r\n", b"HTTP/1.1 \r\n\r\n", b"HTTP/1.1 10\r\nUpgrade: websocket\r\n\r\n",
              b"\r\n\r\nHTTP/1.1 101 S\r\nUpgrade: websocket\r\n\r\n"):
        assert O.response_head(d) is False, d
        assert _h1_verdict(d) == ("error",), d
