# The h1 mutation fuzzer (_h1fuzz.py) with a small, fixed budget: every seed split at every
# position, then a few hundred mutants per role.  Portable: pytest and tools/mptest.py (so
# the MicroPython build of the core is fuzzed too).  tests_host/test_h1_fuzz.py runs the
# same engine longer on CPython.
import sys

import _h1fuzz as F
from mhttp.h1 import CLIENT, SERVER
from h1_corpus import BAD_REQUESTS, BAD_REQUESTS_MAX_BODY_1024, BAD_RESPONSES, GOOD_LOOKALIKES

N = 120 if sys.implementation.name == "micropython" else 400


def request_seeds():
    return ([(b"GET", s) for s in F.SEED_REQUESTS]
            + [(b"GET", e[1]) for e in BAD_REQUESTS + GOOD_LOOKALIKES + BAD_REQUESTS_MAX_BODY_1024
               if len(e[1]) < 3000])


def response_seeds():
    return list(F.SEED_RESPONSES) + [(e[1], e[2]) for e in BAD_RESPONSES if len(e[2]) < 3000]


def test_fuzz_server_role():
    assert F.fuzz(11, N, SERVER, request_seeds()) == N + len(request_seeds())


def test_fuzz_client_role():
    assert F.fuzz(12, N, CLIENT, response_seeds()) == N + len(response_seeds())


def test_seed_outcomes():
    # The seeds mean what they say: valid ones parse to the expected heads and bodies.
    o = F.run(SERVER, [F.SEED_REQUESTS[3]])
    assert o[0][0] == "H" and (b":method", b"POST") in o[0][1]
    assert o[1] == ("B", b"helloabc") and o[2] == ("T", ((b"x-t", b"1"),))
    o = F.run(SERVER, [F.SEED_REQUESTS[6]])
    assert [x[1][1][1] for x in o if x[0] == "H"] == [b"/1", b"/2", b"/3"]
    assert ("B", b"abc") in o and o[-1] != ("E",)
    o = F.run(CLIENT, [F.SEED_RESPONSES[2][1]])
    assert [x[1][0][1] for x in o if x[0] == "H"] == [b"100", b"103", b"204"]
    o = F.run(CLIENT, [F.SEED_RESPONSES[3][1]])
    assert o[1] == ("B", b"body until close") and o[2] == ("D",)


def test_harness_catches_escapes_and_overbuffering():
    # The checks can fail: a non-H1Error and an unbounded buffer are both reported.
    from mhttp import h1
    orig = h1._take

    def broken_take(self, n):
        return int("x")          # a ValueError out of the body reader
    h1._take = broken_take
    try:
        e = None
        try:
            F.check_input(F.Rng(1), SERVER,
                          b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx")
        except AssertionError as x:
            e = x
        assert e is not None and "not H1Error" in str(e)
    finally:
        h1._take = orig
    from mhttp import _h1_rare
    orig2 = _h1_rare._head_incomplete

    def lenient(self, buf, pos):
        return None if not self._eof else orig2(self, buf, pos)
    _h1_rare._head_incomplete = lenient
    try:
        e = None
        try:
            F.check_input(F.Rng(1), SERVER,
                          b"GET / HTTP/1.1\r\nHost: a\r\n" + b"X: y\r\n" * 300 + b"\r\n")
        except AssertionError as x:
            e = x
        assert e is not None and "unparsed bytes" in str(e)
    finally:
        _h1_rare._head_incomplete = orig2
