# mhttp._h1_server keeps the words and lines a server's head seldom needs in one bytes
# constant (board RAM), written out in request_head, send_response and _out (equal
# literals of a module are one object) and read at the offsets its _W_* const()s name:
# the three literals are the same, and each offset names what its comment says.
# (CPython: code objects; the behaviour of every word is covered by the h1 tests.)
from _t import MICROPYTHON


def _words(f):
    ws = [c for c in f.__code__.co_consts if isinstance(c, bytes) and c.startswith(b"CONNECT ")]
    assert len(ws) == 1, (f, ws)
    return ws[0]


def test_words_and_their_offsets():
    if MICROPYTHON:
        return
    from mhttp import _h1_server as m
    w = _words(m.request_head)
    assert _words(m.send_response) == w
    assert _words(m._out) == w
    assert w[:7] == b"CONNECT"
    assert w[m._W_HEAD:m._W_HEAD + 4] == b"HEAD"
    assert w[m._W_101:m._W_101 + 3] == b"101"
    assert w[m._W_100C:m._W_100C + 12] == b"100-continue"
    assert w[m._W_STATUS:m._W_CL0] == b"HTTP/1.1 %d %s\r\n"
    assert w[m._W_CL0:m._W_TE] == b"content-length: 0\r\n"
    assert w[m._W_TE:m._W_KA] == b"transfer-encoding: chunked\r\n"
    assert w[m._W_TE:m._W_TE + 17] == b"transfer-encoding"
    assert w[m._W_KA:m._W_CLOSE] == b"connection: keep-alive\r\n"
    assert w[m._W_KA + 12:m._W_KA + 22] == b"keep-alive"
    assert w[m._W_CLOSE:m._W_END] == b"connection: close\r\n"
    assert w[m._W_END:m._W_SP] == b"0\r\n\r\n"
    assert w[m._W_SP:m._W_SP + 2] == b" \t"
    assert w[m._W_SP + 2:] == b","
    assert w[m._W_CLOSE + 12:m._W_CLOSE + 17] == b"close"
