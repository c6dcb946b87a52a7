# Board RAM at the deepest point of a message (mhttp.h1): the head is found and split by
# h1._head, whose frame is gone before the fields are parsed, and _fields drops each
# field line from the list it is given once parsed (the lines already parsed are
# garbage while the rest are).  Portable: CPython and MicroPython.
import mhttp.h1 as h1
from mhttp.h1 import H1Protocol


def test_head_reader_returns_lines_or_what_next_event_returns():
    p = H1Protocol(0)
    p._rs = 1       # waiting for a head (the client sent its request)
    assert h1._head(p) is None      # nothing buffered
    p.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: 0")
    assert h1._head(p) is None      # part of a head
    p.receive_data(b"\r\n\r\n")
    lines = h1._head(p)
    assert lines == [b"HTTP/1.1 200 OK", b"Content-Length: 0"]
    assert p._buf == b""
    q = H1Protocol(0)
    q._rs = 1
    q.receive_data(b"")
    assert h1._head(q) == (4,)      # EV_CLOSED: the peer closed between messages


def test_field_lines_are_dropped_as_they_are_parsed():
    p = H1Protocol(1)
    items = [b"Host: a", b"Content-Length: 3", b"X-A:  b "]
    hl = []
    r = p._fields(items, hl, True)
    assert items == []
    assert r == (b"a", b"3", None, None, None)
    assert hl == [(b"content-length", b"3", False), (b"x-a", b"b", False)]


def test_response_through_next_event_unchanged():
    p = H1Protocol(0)
    p.send_headers([(b":method", b"GET"), (b":path", b"/"), (b":authority", b"h")], True)
    p.receive_data(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok")
    ev = p.next_event()
    assert ev[0] == 1 and ev[2] is False
    assert list(ev[1]) == [(b":status", b"200", False), (b"content-type", b"text/plain", False),
                           (b"content-length", b"2", False)]
    assert p.next_event() == (2, b"ok", True)
    # a bad head is raised again by every later call
    q = H1Protocol(0)
    q.send_headers([(b":method", b"GET"), (b":path", b"/"), (b":authority", b"h")], True)
    q.receive_data(b"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n")
    for _ in range(2):
        try:
            q.next_event()
        except Exception as e:
            assert type(e).__name__ == "H1Error"
        else:
            raise AssertionError("no error")
    assert q.keep_alive is False
