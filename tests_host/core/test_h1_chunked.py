# mhttp.h1 / mhttp._h1_rare: a chunked body read in one call per chunk (portable: pytest
# and tools/mptest.py).  The reader of chunk data takes the CRLF after it when it is
# there, and a reader that consumed a unit giving no event (a chunk-size line, a CRLF)
# goes on with the next state's reader itself: the same events and errors however the
# bytes are split.
import sys

from mhttp.h1 import H1Protocol, SERVER, EV_HEADERS, EV_DATA, EV_TRAILERS
from mhttp.errors import H1Error
from _t import raises, events, MICROPYTHON

HEAD = b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"


def _events_split(body, cut, max_body=None):
    # (events with EV_DATA merged, the H1Error text or None), the body fed in two parts
    # at `cut` (after the whole head).
    p = H1Protocol(SERVER) if max_body is None else H1Protocol(SERVER, max_body=max_body)
    p.receive_data(HEAD)
    assert p.next_event()[0] == EV_HEADERS
    out = []
    err = None
    try:
        for part in (body[:cut], body[cut:]):
            if part:
                p.receive_data(part)
            for _ in range(100):
                ev = p.next_event()
                if ev is None:
                    break
                if ev[0] == EV_DATA and out and out[-1][0] == EV_DATA and not out[-1][2]:
                    out[-1] = (EV_DATA, out[-1][1] + ev[1], ev[2])
                elif ev[0] == EV_TRAILERS:
                    out.append((EV_TRAILERS, [(f[0], f[1]) for f in ev[1]]))
                elif not (ev[0] == EV_DATA and not ev[1] and not ev[2]):
                    out.append(ev)
    except H1Error as e:
        err = str(e)
    return out, err


def test_chunks_split_at_every_offset_give_the_same_events():
    for body, want in (
            (b"3\r\nabc\r\n1;x=y\r\nd\r\n0\r\n\r\n", [(EV_DATA, b"abcd", True)]),
            (b"3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n",
             [(EV_DATA, b"abc", False), (EV_TRAILERS, [(b"x-t", b"1")])]),
            (b"a\r\n0123456789\r\n" * 3 + b"000\r\n\r\n",
             [(EV_DATA, b"0123456789" * 3, True)])):
        for cut in range(len(body) + 1):
            assert _events_split(body, cut) == (want, None), (body, cut)


def test_bad_crlf_after_chunk_data_raised_after_the_data():
    # The data is handed out first, at every split; then "chunk data not followed by CRLF".
    for body, data in ((b"3\r\nabcXY", b"abc"), (b"3\r\nabc\rX", b"abc"),
                       (b"3\r\nabc\nX", b"abc"), (b"2\r\nab\r\n3\r\ncdeX\r\n", b"abcde")):
        for cut in range(len(body) + 1):
            evs, err = _events_split(body, cut)
            assert err == "chunk data not followed by CRLF", (body, cut, err)
            assert evs == [(EV_DATA, data, False)], (body, cut, evs)


def test_eof_in_the_crlf_after_chunk_data():
    for tail in (b"", b"\r"):
        p = H1Protocol(SERVER)
        p.receive_data(HEAD + b"3\r\nabc" + tail)
        assert events(p)[1:] == [(EV_DATA, b"abc", False)]
        p.receive_data(b"")
        e = raises(H1Error, p.next_event)
        assert str(e) == "connection closed in the middle of a chunked body"


def test_max_body_counts_chunks_and_close_delimited_bytes():
    evs, err = _events_split(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", 0, max_body=5)
    assert evs == [(EV_DATA, b"abcde", True)] and err is None
    evs, err = _events_split(b"3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n", 0, max_body=5)
    assert evs == [(EV_DATA, b"abc", False)] and err == "body larger than 5 bytes"
    p = H1Protocol(SERVER, max_body=5)
    p.receive_data(HEAD + b"3\r\nabc\r\n")
    events(p)
    p.receive_data(b"3\r\nd")
    e = raises(H1Error, p.next_event)
    assert e.status_hint == 413


def test_one_python_call_per_step_of_a_chunked_body():
    # CPython speed: a chunk (size line, data, CRLF) costs next_event(), _r_rare and the
    # readers: 6 Python-level calls per chunk (10 when each unit went back through
    # next_event() and _r_rare; 7 with a reader table in mhttp.h1).
    if MICROPYTHON:
        return

    def calls(n):
        p = H1Protocol(SERVER)
        p.receive_data(HEAD + b"a\r\n0123456789\r\n" * n + b"0\r\n\r\n")
        assert p.next_event()[0] == EV_HEADERS
        p.next_event()                  # mhttp._h1_rare bound by now
        count = [0]

        def prof(frame, ev, arg):
            if ev == "call":
                count[0] += 1
        sys.setprofile(prof)
        try:
            while p.next_event() is not None:
                pass
        finally:
            sys.setprofile(None)
        assert p.their_done
        return count[0]
    per_chunk = (calls(30) - calls(10)) / 20
    assert per_chunk <= 6, per_chunk
