# The h1 core's size limits hold at their exact edges the same way whether a message
# arrives whole or one byte at a time (found by the fuzzer: a status-line of exactly
# max_line bytes was accepted whole but rejected when its CR arrived before its LF).
# Portable: pytest and tools/mptest.py.
from mhttp.h1 import H1Protocol, CLIENT, SERVER, EV_HEADERS, EV_DATA, EV_TRAILERS
from mhttp.errors import H1Error

LIM = {"max_line": 64, "max_header_bytes": 256, "max_chunk_line": 32}


def outcome(role, data, bytewise, method=b"GET"):
    # ("ok", events) or ("error", status_hint).
    p = H1Protocol(role, **LIM)
    if role == CLIENT:
        p.send_headers([(b":method", method), (b":path", b"/"), (b":authority", b"x")], True)
    pieces = [data[i:i + 1] for i in range(len(data))] if bytewise else [data]
    evs = []
    try:
        for piece in pieces + [b""]:
            p.receive_data(piece)
            while True:
                ev = p.next_event()
                if ev is None:
                    break
                evs.append(ev[0])
                if p.their_done:
                    return "ok", evs
    except H1Error as e:
        return "error", e.status_hint
    return "ok", evs


def both(role, data, method=b"GET"):
    a = outcome(role, data, False, method)
    b = outcome(role, data, True, method)
    assert a[0] == b[0], (data[:80], a, b)
    return a[0]


def test_request_line_at_max_line():
    for n, want in ((64, "ok"), (65, "error")):
        line = b"GET /" + b"a" * (n - 5 - 9) + b" HTTP/1.1"
        assert len(line) == n
        assert both(SERVER, line + b"\r\nHost: x\r\n\r\n") == want, n


def test_status_line_at_max_line():
    for n, want in ((64, "ok"), (65, "error")):
        line = b"HTTP/1.1 200 " + b"r" * (n - 13)
        assert len(line) == n
        assert both(CLIENT, line + b"\r\ncontent-length: 0\r\n\r\n") == want, n


def test_head_at_max_header_bytes():
    for n, want in ((256, "ok"), (257, "error")):
        # field lines of 40 bytes (under max_line), the last one sized to make n
        lines = [b"GET / HTTP/1.1", b"Host: x"]
        size = len(lines[0]) + 2 + len(lines[1])
        while n - size > 44:
            lines.append(b"X: " + b"v" * 37)
            size += 42
        lines.append(b"Y: " + b"v" * (n - size - 5))
        block = b"\r\n".join(lines)
        assert len(block) == n, len(block)
        assert both(SERVER, block + b"\r\n\r\n") == want, n


def test_chunk_line_at_max_chunk_line():
    head = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    for n, want in ((32, "ok"), (33, "error")):
        line = b"1;e=" + b"x" * (n - 4)
        assert len(line) == n
        assert both(SERVER, head + line + b"\r\na\r\n0\r\n\r\n") == want, n


def test_trailers_at_max_header_bytes():
    head = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n"
    for n, want in ((256, "ok"), (257, "error")):
        lines = []
        size = -2
        while n - size > 44:
            lines.append(b"T: " + b"v" * 37)
            size += 42
        lines.append(b"U: " + b"v" * (n - size - 5))
        block = b"\r\n".join(lines)
        assert len(block) == n, len(block)
        assert both(SERVER, head + block + b"\r\n\r\n") == want, n
