# Every byte value in a request head and in a trailer section: the h1 core accepts
# exactly HTAB, SP..~ and obs-text (0x80-0xff) in a field value, and answers any other
# control byte (0x00-0x1f but HTAB, and DEL) with 400, whether the head arrives whole or
# in two pieces (the incomplete-head path checks it apart).  MicroPython checks control
# bytes per line with min(), falling back to a byte loop for a line holding a tab: these
# pin that it says what CPython's translate() says.
# Portable: pytest and tools/mptest.py.
from mhttp.h1 import H1Protocol, SERVER, EV_HEADERS, EV_DATA, EV_TRAILERS
from mhttp.errors import H1Error

HEAD = b"GET / HTTP/1.1\r\nHost: a\r\n"
POST = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n"
ALLOWED = [9] + list(range(32, 127)) + list(range(128, 256))


def _run(pieces):
    # ("ok", [event kinds]) or ("error", status_hint)
    p = H1Protocol(SERVER)
    evs = []
    try:
        for piece in pieces:
            p.receive_data(piece)
            while True:
                ev = p.next_event()
                if ev is None:
                    break
                evs.append(ev[0])
                if p.their_done:
                    return "ok", evs, ev
    except H1Error as e:
        return "error", e.status_hint, None
    return "open", evs, None


def _accepted(make, split):
    ok = []
    for c in range(256):
        if c in (10, 13):
            continue         # CR and LF have their own (pairing) rules
        data = make(bytes([c]))
        pieces = [data[:split], data[split:]] if split else [data]
        r = _run(pieces)
        if r[0] == "ok":
            ok.append(c)
        else:
            assert r[0] == "error" and r[1] == 400, (c, r[:2])
    return ok


def test_field_value_bytes_whole():
    ok = _accepted(lambda b: HEAD + b"X-A: a" + b + b"b\r\n\r\n", 0)
    assert ok == ALLOWED, [c for c in range(256) if (c in ok) != (c in ALLOWED)]


def test_field_value_bytes_in_two_pieces():
    # Cut after the bad byte, before the blank line: the incomplete-head check sees it.
    ok = _accepted(lambda b: HEAD + b"X-A: a" + b + b"b\r\n\r\n", len(HEAD) + 8)
    assert ok == ALLOWED, [c for c in range(256) if (c in ok) != (c in ALLOWED)]


def test_bad_byte_next_to_a_tab_and_on_a_later_line():
    # A tab sends the line to the byte loop: a control byte on it is still caught, and one
    # on a line after a tab line too; tabs alone are fine and kept in the value.
    r = _run([HEAD + b"X-A: a\tb\r\nX-B: c\x01d\r\n\r\n"])
    assert r[:2] == ("error", 400)
    r = _run([HEAD + b"X-A: a\t\x1fb\r\n\r\n"])
    assert r[:2] == ("error", 400)
    r = _run([HEAD + b"X-A: a\tb\r\nX-B: c\x7f\r\n\r\n"])
    assert r[:2] == ("error", 400)
    r = _run([HEAD + b"X-A: a\tb\r\nX-B: c\td\r\n\r\n"])
    assert r[0] == "ok" and r[1] == [EV_HEADERS]
    assert r[2][1].get(b"x-a") == b"a\tb" and r[2][1].get(b"x-b") == b"c\td"


def test_request_line_control_bytes():
    for c in (0, 1, 8, 11, 12, 27, 31, 127):
        r = _run([b"GET /a" + bytes([c]) + b"b HTTP/1.1\r\nHost: a\r\n\r\n"])
        assert r[:2] == ("error", 400), c


def test_trailer_bytes():
    ok = []
    for c in range(256):
        if c in (10, 13):
            continue
        r = _run([POST + b"X-T: a" + bytes([c]) + b"b\r\n\r\n"])
        if r[0] == "ok":
            assert r[1] == [EV_HEADERS, EV_DATA, EV_TRAILERS], (c, r[1])
            ok.append(c)
        else:
            assert r[:2] == ("error", 400), (c, r[:2])
    assert ok == ALLOWED, [c for c in range(256) if (c in ok) != (c in ALLOWED)]
