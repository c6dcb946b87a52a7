# A coverage-less mutation fuzzer for the HTTP/1.x core (mhttp.h1), portable: the same
# engine runs under pytest on CPython (tests_host/test_h1_fuzz.py: ~20 s, or longer with
# MHTTP_FUZZ_SECONDS) and on MicroPython (tests_host/core/test_h1_fuzz_small.py: a small
# iteration count).
#
# Each input (a valid seed, a corpus entry, or a mutant of either) is fed to an H1Protocol
# in one role, whole, one byte at a time, and split at chosen positions, then EOF.  The
# harness answers every complete request (server) or sends the next request (client),
# like a driver, and checks:
#   - only mhttp.errors.H1Error ever comes out of receive_data / next_event (anything else
#     propagates and fails the test with the input that caused it);
#   - the outcome does not depend on how the bytes were split (the same heads, the same
#     body bytes, the same trailers, error or not): a parse that changes with TCP
#     segmentation is a smuggling hazard;
#   - when next_event() asks for more bytes, what the core holds unparsed stays within the
#     configured limits plus the read just fed (memory bounded);
#   - a request/response pair that needs a new connection (keep_alive False) ends the
#     feeding, as a driver stops reading there.
from mhttp.h1 import (H1Protocol, CLIENT, SERVER, EV_HEADERS, EV_DATA, EV_TRAILERS,
                      EV_CLOSED)
from mhttp.errors import H1Error

from _rng import Rng  # noqa: F401 (F.Rng for the tests)

LIMITS = {"max_line": 256, "max_header_bytes": 1024, "max_headers": 20, "max_body": 4096,
          "max_chunk_line": 64}
# The most the core may hold unparsed while it asks for more bytes, over the last read.
SLACK = 1024 + 4
MAX_CYCLES = 8


H = b"Host: example.com\r\n"

SEED_REQUESTS = [
    b"GET / HTTP/1.1\r\n" + H + b"\r\n",
    b"GET /a?b=c HTTP/1.1\r\nHost: example.com:8080\r\nAccept: */*\r\nX-A: 1\r\nX-A: 2\r\n\r\n",
    b"POST /up HTTP/1.1\r\n" + H + b"Content-Length: 5\r\n\r\nhello",
    b"POST /up HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
    b"5;ext=1\r\nhello\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n",
    b"PUT /x HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n4\r\nwxyz\r\n0\r\n\r\n",
    b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.0\r\n\r\n",
    b"GET /1 HTTP/1.1\r\n" + H + b"\r\nPOST /2 HTTP/1.1\r\n" + H
    + b"Content-Length: 3\r\n\r\nabcGET /3 HTTP/1.1\r\n" + H + b"Connection: close\r\n\r\n",
    b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\x16\x03\x01",
    b"OPTIONS * HTTP/1.1\r\n" + H + b"\r\n",
    b"GET http://example.com/x HTTP/1.1\r\n" + H + b"\r\n",
    b"POST / HTTP/1.1\r\n" + H + b"Expect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
    b"\r\nGET / HTTP/1.1\r\n" + H + b"Content-Length: 0\r\nCookie: a=b\r\n\r\n",
    b"HEAD / HTTP/1.1\r\n" + H + b"Connection: Keep-Alive, Close\r\n\r\n",
]

# (method of the request the client sent, response bytes)
SEED_RESPONSES = [
    (b"GET", b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"),
    (b"GET", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n"),
    (b"GET", b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
     b"HTTP/1.1 204 No Content\r\n\r\n"),
    (b"GET", b"HTTP/1.0 200 OK\r\n\r\nbody until close"),
    (b"HEAD", b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"),
    (b"GET", b"HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n"),
    (b"CONNECT", b"HTTP/1.1 200 Connection established\r\n\r\nraw tunnel bytes"),
    (b"GET", b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
     b"Connection: Upgrade\r\n\r\n\x81\x02hi"),
    (b"GET", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 404 Not Found\r\n"
     b"Content-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nConnection: close\r\n\r\nrest"),
    (b"GET", b"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n"),
]

_INSERTS = (b"\r", b"\n", b"\x00", b" ", b":", b"\t", b",", b"\r\n", b";", b"\r\n\r\n",
            b"\x7f", b"\xff", b"0", b"-")
_NUMBERS = (b"99999999999999999999", b"18446744073709551616", b"-1", b"+5", b"0x10", b"1e3",
            b" 5", b"5 ", b"00000000000000000005", b"4294967296", b"", b"5, 5", b"5,6",
            b"fffffffffffffffff", b"1_0", b"\xd9\xa5")
_HEADERS = (b"Content-Length: 3\r\n", b"Transfer-Encoding: chunked\r\n",
            b"Transfer-Encoding: gzip\r\n", b"Host: evil.example\r\n",
            b"Connection: close\r\n", b"Expect: 100-continue\r\n", b" folded\r\n",
            b"X: " + b"v" * 300 + b"\r\n", b"Content-Length : 3\r\n",
            b"Transfer-Encoding:\x0bchunked\r\n", b"Upgrade: websocket\r\n")


def _digit_runs(data):
    runs = []
    i = 0
    n = len(data)
    while i < n:
        if 48 <= data[i] <= 57:
            j = i
            while j < n and 48 <= data[j] <= 57:
                j += 1
            runs.append((i, j))
            i = j
        else:
            i += 1
    return runs


def _lines(data):
    # (start, end) of each CRLF-terminated line, CRLF included.
    out = []
    i = 0
    while True:
        j = data.find(b"\r\n", i)
        if j < 0:
            return out
        out.append((i, j + 2))
        i = j + 2


def mutate(rng, data, others):
    # One to three random mutations of data (bytes); others: inputs to splice with.
    for _ in range(1 + rng.below(3)):
        n = len(data)
        k = rng.below(11)
        pos = rng.below(n + 1)
        if k == 0 and n:
            data = rng.flip_bit(data)
        elif k == 1 and n:
            data = rng.replace_byte(data)
        elif k == 2:                           # insert a delimiter
            data = data[:pos] + rng.pick(_INSERTS) + data[pos:]
        elif k == 3 and n:                     # delete a range
            data = data[:pos] + data[pos + 1 + rng.below(8):]
        elif k == 4:                           # truncate
            data = data[:pos]
        elif k == 5:                           # duplicate a line (header)
            ls = _lines(data)
            if ls:
                a, b = rng.pick(ls)
                data = data[:b] + data[a:b] + data[b:]
        elif k == 6:                           # huge / odd numbers
            runs = _digit_runs(data)
            if runs:
                a, b = rng.pick(runs)
                data = data[:a] + rng.pick(_NUMBERS) + data[b:]
        elif k == 7:                           # add a framing or odd header line
            ls = _lines(data)
            if len(ls) > 1:
                a = ls[1 + rng.below(len(ls) - 1)][0]
                data = data[:a] + rng.pick(_HEADERS) + data[a:]
        elif k == 8:                           # splice with another input
            o = rng.pick(others)
            data = data[:pos] + o[rng.below(len(o) + 1):]
        elif k == 9:                           # repeat a piece many times (limits)
            piece = data[pos:pos + 1 + rng.below(12)] or b"a"
            data = data[:pos] + piece * (1 + rng.below(300)) + data[pos:]
        else:                                  # swap case of a stretch
            e = pos + rng.below(16)
            data = data[:pos] + data[pos:e].upper() + data[e:] if rng.below(2) \
                else data[:pos] + data[pos:e].lower() + data[e:]
    return data


def _answer(p, role, method, state):
    # What a driver does once a message is complete: answer (server) or send the next
    # request (client); False when the connection would now be closed.
    if role == SERVER:
        if p.their_done and not p.our_done:
            if p.upgraded:
                return True
            p.send_headers([(b":status", b"200"), (b"content-length", b"0")], True)
        if p.our_done and p.their_done:
            if not p.keep_alive or p.upgraded:
                return False
            if state[0] >= MAX_CYCLES:
                return False
            state[0] += 1
            p.start_next_cycle()
        return True
    if p.our_done and p.their_done and not p.upgraded:
        if not p.keep_alive or state[0] >= MAX_CYCLES:
            return False
        state[0] += 1
        p.start_next_cycle()
        p.send_headers([(b":method", method), (b":path", b"/"),
                        (b":authority", b"example.com")], True)
    return True


def _then_eof(pieces):
    for piece in pieces:
        yield piece
    yield b""


def run(role, pieces, method=b"GET", limits=None):
    # Feeds pieces (an iterable of bytes) then EOF; returns the normalised outcome:
    # a list of ("H", heads) / ("B", body bytes) / ("T", trailers) / ("C",) / ("E",)
    # items (consecutive body pieces merged), ending in ("E",) after an H1Error.
    p = H1Protocol(role, **(limits or LIMITS))
    if role == CLIENT:
        h = [(b":method", method), (b":authority", b"example.com:443" if method == b"CONNECT"
                                       else b"example.com")]
        if method != b"CONNECT":
            h.append((b":path", b"/"))
        p.send_headers(h, True)
    out = []
    state = [0]
    body = []

    def flush():
        if body:
            out.append(("B", b"".join(body)))
            del body[:]

    bound = (limits or LIMITS)["max_header_bytes"] + 4
    try:
        for piece in _then_eof(pieces):
            p.receive_data(piece)
            going = True
            for _ in range(100000):
                ev = p.next_event()
                if ev is None:
                    held = len(p._buf) - p._pos
                    if held > bound + len(piece):
                        raise AssertionError("core holds %d unparsed bytes (bound %d + read %d)"
                                             % (held, bound, len(piece)))
                    break
                kind = ev[0]
                if kind == EV_DATA:
                    if ev[1]:
                        body.append(bytes(ev[1]))
                    if not ev[2]:
                        continue
                    flush()
                    out.append(("D",))
                else:
                    flush()
                    if kind == EV_HEADERS:
                        out.append(("H", tuple([(f[0], f[1]) for f in ev[1]]), ev[2]))
                    elif kind == EV_TRAILERS:
                        out.append(("T", tuple([(f[0], f[1]) for f in ev[1]])))
                    elif kind == EV_CLOSED:
                        out.append(("C",))
                        going = False
                        break
                    else:
                        raise AssertionError("unknown event %r" % (ev,))
                if not _answer(p, role, method, state):
                    going = False
                    break
            else:
                raise AssertionError("next_event never asked for more bytes")
            if not going:
                break
    except H1Error as e:
        flush()
        if not (400 <= e.status_hint <= 505):
            raise AssertionError("H1Error with status_hint %r" % (e.status_hint,))
        out.append(("E",))
    flush()
    return out


def splits(rng, data, every=False):
    # The ways one input is fed, as (name, cut positions): whole, bytewise, and split
    # points (all, or 3 random).  A generator of cut positions (bytewise is a range):
    # all the ways of a long input at once (n splits of n bytes), or a list of n one-byte
    # pieces, used to fill MicroPython's heap (a board's: tests_device).
    n = len(data)
    yield "whole", ()
    yield "bytewise", range(1, n)
    if every:
        for i in range(1, n):
            yield "at %d" % i, (i,)
    else:
        for _ in range(3):
            a = rng.below(n + 1)
            b = rng.below(n + 1)
            if a > b:
                a, b = b, a
            yield "at %d,%d" % (a, b), (a, b)


def cut(data, cuts):
    # The non-empty pieces of data cut at the positions cuts (ascending), one at a time.
    a = 0
    for c in cuts:
        if c > a:
            yield data[a:c]
            a = c
    if a < len(data):
        yield data[a:]


def check_input(rng, role, data, method=b"GET", every=False):
    # Runs every way of feeding data; raises AssertionError on any disagreement.
    ref = None
    for name, cuts in splits(rng, data, every):
        try:
            got = run(role, cut(data, cuts), method)
        except AssertionError as e:
            raise AssertionError("%s role %d method %r input %r split %s" % (
                e, role, method, data[:400], name))
        except MemoryError:
            raise           # the heap ran out (a board): not an escape from the core
        except Exception as e:
            raise AssertionError("%r (not H1Error) role %d method %r input %r split %s" % (
                e, role, method, data[:400], name))
        if ref is None:
            ref = got
        elif got != ref:
            raise AssertionError("outcome depends on the split: role %d method %r input %r\n"
                                 "whole: %r\nsplit %s: %r" % (role, method, data[:400], ref,
                                                              name, got))
    return ref


def fuzz(seed, iterations, role, seeds, every_seed=True):
    # seeds: list of (method, bytes).  Returns the number of inputs checked.
    rng = Rng(seed)
    others = [s[1] for s in seeds]
    n = 0
    if every_seed:
        for method, data in seeds:
            check_input(rng, role, data, method, every=True)
            n += 1
    for _ in range(iterations):
        method, data = rng.pick(seeds)
        check_input(rng, role, mutate(rng, data, others), method)
        n += 1
    return n
