# mhttp.h2_connection's server answers what it must not send as given (portable, as
# test_h2_connection, whose helpers it uses; a module of its own: on a board's heap
# test_h2_connection is at its edge): no DATA for HEAD, 204, 304; a handler's invalid
# field value or wrong content-length is a 500 or RST_STREAM(INTERNAL_ERROR); a board's
# server grants small stream windows.
import asyncio

from _t import MICROPYTHON
from mhttp.h2_connection import H2Connection
from mhttp.h2 import H2Protocol
from mhttp.headers import Headers
from mhttp import h2_connection
from test_h2_connection import pipe, _pair, _req, _run


def test_head_204_304_answers_carry_no_data():
    # A handler written for GET answers HEAD, and writes a body after a 204 / 304: the
    # server drops the bytes (RFC 9110 §9.3.2, §15.4.5; RFC 9113 §8.1.1: a client resets
    # such a stream as malformed), as over HTTP/1.1; content-length stays as written
    async def app(server, stream):
        req = await stream.get_headers()
        st = req.get(b":path")[1:]
        await stream.write_headers(Headers(((b":status", st), (b"content-length", b"5003"))),
                                   False)
        await stream.write_chunk(b"hel", False)
        await stream.write_chunk(b"lo" * 2500, True)     # (over a board's window too)

    async def main():
        cli, srv, task = await _pair(handler=app)
        got = []
        for path, m in ((b"/200", b"HEAD"), (b"/204", b"GET"), (b"/304", b"GET"),
                        (b"/200", b"GET")):
            st = cli.new_stream()
            await st.write_headers(_req(path, m), True, 5)
            h = await st.get_headers(5)
            got.append((h.get(b":status"), h.get(b"content-length"),
                        len(await st.get_body_as_string(5)), st.reset))
        await cli.close()
        await asyncio.wait_for(task, 5)
        return got
    assert _run(main) == [(b"200", b"5003", 0, None), (b"204", b"5003", 0, None),
                          (b"304", b"5003", 0, None), (b"200", b"5003", 5003, None)]


def test_our_handlers_mistakes_are_500_or_internal_error():
    # A handler's invalid field value gets a 500 (the head never went out), as over
    # HTTP/1.1; a body longer or shorter than its content-length (written, or left short
    # for finish_server) resets the stream with INTERNAL_ERROR, not PROTOCOL_ERROR (which
    # blames the peer), and never sends the malformed message.  Each is reported.
    reports = []

    class Srv:
        requests = 0

        def _report(self, stream, op, e):
            reports.append((op, str(e)))

    async def app(server, stream):
        p = (await stream.get_headers()).get(b":path")
        if p == b"/crlf":
            await stream.write_headers(Headers(((b":status", b"200"), (b"x-a", b"1\r\nx-b: 2"))),
                                       True)
            return
        await stream.write_headers(Headers(((b":status", b"200"), (b"content-length", b"5"))),
                                   False)
        if p == b"/long":
            await stream.write_chunk(b"abcdef", True)
        elif p == b"/short":
            await stream.write_chunk(b"abc", True)
        else:
            await stream.write_chunk(b"abc", False)     # left open: finish_server ends it

    async def main():
        a, b = pipe()
        srv = H2Connection(b, True)
        task = asyncio.create_task(h2_connection.serve_connection(Srv(), app, srv))
        cli = H2Connection(a, False)
        await cli.connect()
        got = []
        for path in (b"/crlf", b"/long", b"/short", b"/open"):
            st = cli.new_stream()
            await st.write_headers(_req(path), True)
            h = await st.get_headers(5)
            try:
                body = await st.get_body_as_string(5)
            except Exception:
                body = None
            got.append((h.get(b":status"), h.get(b"x-a"), body, st.reset))
        await cli.close()
        await asyncio.wait_for(task, 5)
        for _ in range(200):
            if len(reports) >= 4:
                break
            await asyncio.sleep(0.01)
        return got
    got = _run(main)
    assert got == [(b"500", None, b"", None), (b"200", None, None, (2, True)),
                   (b"200", None, None, (2, True)), (b"200", None, None, (2, True))], got
    assert sorted(reports) == sorted([
        ("onstream", "invalid characters (NUL, CR, LF) in the value of b'x-a'"),
        ("onstream", "6 body bytes exceed the content-length (5 left)"),
        ("onstream", "body ended 2 bytes short of the content-length"),
        ("h2 stream", "body ended 2 bytes short of the content-length")]), reports


def test_a_handlers_status_must_be_100_to_599():
    # As over HTTP/1.1 (mhttp._h1_server): write_headers refuses "99", "099", "1000",
    # "2x0", and 999 / 600 too (RFC 9110 §15: values outside 100..599 are invalid; a
    # client reads them as 5xx), before anything is sent, and the stream gets the
    # server's 500.
    async def app(server, stream):
        st = (await stream.get_headers()).get(b":path")[1:]
        try:
            await stream.write_headers(Headers(((b":status", st), (b"content-length", b"0"))),
                                       True)
        except Exception as e:
            await stream.write_headers(Headers(((b":status", b"500"), (b"x-e", str(e)))),
                                       True)

    async def main():
        cli, srv, task = await _pair(handler=app)
        got = []
        for st in (b"99", b"099", b"000", b"1000", b"2x0", b"abc", b"999", b"600", b"204"):
            s = cli.new_stream()
            await s.write_headers(_req(b"/" + st), True, 5)
            h = await s.get_headers(5)
            got.append((h.get(b":status"), h.get(b"x-e"), s.reset))
        await cli.close()
        await asyncio.wait_for(task, 5)
        return got
    e = b"write_headers: a response needs a :status of 100-599"
    assert _run(main) == [(b"500", e, None)] * 8 + [(b"204", None, None)]


def test_a_boards_server_grants_small_stream_windows():
    # Board RAM (audit f07: 4 clients uploading on 20 streams each killed connections
    # with MemoryError, a 16 KiB DATA frame read and kept in one block): on MicroPython a
    # server's SETTINGS_INITIAL_WINDOW_SIZE is 4096, which bounds every DATA frame a
    # client sends and each piece a handler holds; CPython's stays larger (speed).  The
    # connection window stays the RFC's 65535 on a board.  Checked on the wire.
    from mhttp.h2_frames import parse_frame, settings_unpack, FRAME_SETTINGS
    a, b = pipe()
    srv = H2Connection(b, True)
    out = srv.p.data_to_send()
    f = parse_frame(out, 0, 1 << 24)
    assert f[0] == FRAME_SETTINGS
    got = dict(settings_unpack(f[3]))
    want = 4096 if MICROPYTHON else H2Connection.window_cpython[1]
    assert got[4] == want, got                      # SETTINGS_INITIAL_WINDOW_SIZE
    assert (f[4] == len(out)) == MICROPYTHON        # CPython: a connection WINDOW_UPDATE too
    # a client's stays as it was (the RFC's on a board)
    cli = H2Connection(a, False)
    f = parse_frame(cli.p.data_to_send(), 24, 1 << 24)
    assert dict(settings_unpack(f[3])).get(4) == (None if MICROPYTHON else
                                                  H2Connection.window_cpython[0])
    # and a board's client can upload only 4096 octets on a stream before our update
    p = H2Protocol(client=True)
    p.initiate_connection()
    p.receive_data(out)
    p.send_headers(1, [(b":method", b"POST"), (b":scheme", b"http"), (b":path", b"/"),
                       (b":authority", b"t")])
    if MICROPYTHON:
        assert p.send_data(1, b"x" * 5000) == 4096
