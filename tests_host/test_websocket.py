# mhttp.websocket over real sockets (loopback) against Python's `websockets` (asyncio API):
# their client against our server, our client (async and blocking faces) against their
# server; text and binary, 0 B to 16 MiB, fragmented, compressed and not; close codes both
# ways; protocol violations from raw sockets get the right close code and the server keeps
# serving; handshake refusals; TLS both ways; the `mhttp ws` CLI.
import asyncio
import os
import subprocess
import sys
import time

import pytest
import websockets
from websockets.asyncio.client import connect as wconnect

from mhttp import websocket
from mhttp.errors import WSError, Timeout, ConnectionClosed
from mhttp.ws import HandshakeError

from _ws_peers import (OurServer, WebsocketsServer, BIG, payload, raw_upgrade, frame,
                       read_frames, run, recorded, ours)  # noqa: F401 (ours: fixture)
from conftest import ROOT, free_port, tls_files

SIZES = (0, 125, 126, 65535, 65536, 1 << 20, 16 << 20)


@pytest.fixture(scope="module")
def theirs():
    s = WebsocketsServer()
    yield s
    s.close()


@pytest.fixture(scope="module")
def theirs_plain():
    s = WebsocketsServer(compression=None)
    yield s
    s.close()


# -- their client, our server ------------------------------------------------------------

@pytest.mark.parametrize("compress", [True, False])
def test_websockets_client_sizes(ours, compress):
    n0 = len(ours.results)

    async def go():
        async with wconnect(ours.url("/t?big=1"), max_size=None,
                            compression="deflate" if compress else None) as c:
            ext = c.response.headers.get("sec-websocket-extensions")
            assert (ext is not None and ext.startswith("permessage-deflate")) == compress
            for n in SIZES:
                for text in (True, False):
                    m = payload(n, text)
                    await c.send(m)
                    r = await asyncio.wait_for(c.recv(), 60)
                    assert type(r) is type(m) and r == m, (n, text)
            await c.close(1000, "done")
    run(go())
    # (our handler records its websocket's end after the close handshake that ended
    # their client: wait for that record, bounded, as below)
    assert recorded(ours.results, n0, ("/t", 1000, "done", None)), ours.results[n0:]


def test_websockets_client_default_route_limits(ours):
    # `mhttp serve`'s /ws: 1 MiB limit by default -> 1009 for a bigger message.
    async def go():
        async with wconnect(ours.url("/ws"), max_size=None) as c:
            m = payload(1 << 20, False)
            await c.send(m)
            assert await c.recv() == m
            await c.send(m + b"x")
            with pytest.raises(websockets.ConnectionClosedError) as ei:
                await asyncio.wait_for(c.recv(), 10)
            assert ei.value.rcvd.code == 1009
    run(go())


def test_websockets_client_fragmented(ours):
    n0 = len(ours.results)

    async def go():
        async with wconnect(ours.url("/t"), max_size=None) as c:
            for m in (payload(100000, True), payload(100000, False)):
                k = len(m) // 4
                await c.send([m[:k], m[k:2 * k], m[2 * k:3 * k], m[3 * k:]])
                assert await asyncio.wait_for(c.recv(), 10) == m
            # empty fragments
            await c.send(["", "a", "", "b"])
            assert await c.recv() == "ab"
    run(go())
    assert recorded(ours.results, n0, ("/t", 1000, "", None)), ours.results[n0:]


def test_websockets_client_ping_and_subprotocol(ours):
    n0 = len(ours.results)

    async def go():
        async with wconnect(ours.url("/t?protos=b,c"), subprotocols=["a", "b"]) as c:
            assert c.subprotocol == "b"
            pong = await c.ping(b"hey")
            await asyncio.wait_for(pong, 5)
            await c.send("after ping")
            assert await c.recv() == "after ping"
        async with wconnect(ours.url("/t?protos=z"), subprotocols=["a", "b"]) as c:
            assert c.subprotocol is None
    run(go())
    assert recorded(ours.results, n0, ("/t", 1000, "", None, "b")), ours.results[n0:]
    assert recorded(ours.results, n0, ("/t", 1000, "", None, None)), ours.results[n0:]


def test_close_codes_their_client(ours):
    n0 = len(ours.results)

    async def go():
        # they close with 4003 -> our handler sees it
        c = await wconnect(ours.url("/t"))
        await c.send("x")
        assert await c.recv() == "x"
        await c.close(4003, "client bye")
        # our server closes with 4004 after the first message -> they see it
        c = await wconnect(ours.url("/t?close=4004"))
        await c.send("x")
        with pytest.raises(websockets.ConnectionClosed) as ei:
            await asyncio.wait_for(c.recv(), 5)
        assert ei.value.rcvd.code == 4004 and ei.value.rcvd.reason == "server bye"
    run(go())
    assert recorded(ours.results, n0, ("/t", 4003, "client bye", None, None)), ours.results
    assert recorded(ours.results, n0, ("/t", 4004, "server bye", None, None)), ours.results
    # (4004: their echo)


# -- our client, their server ------------------------------------------------------------

@pytest.mark.parametrize("compress", [True, False])
def test_our_client_sizes(theirs, theirs_plain, compress):
    srv = theirs if compress else theirs_plain
    n0 = len(srv.closes)

    async def go():
        ws = websocket.new_from_uri(srv.url(), max_message_size=BIG, compression=compress)
        await ws.connect(5)
        assert (len(ws.extensions) == 1) == compress
        for n in SIZES:
            for text in (True, False):
                m = payload(n, text)
                await ws.send(m)
                r = await ws.receive(60)
                assert r == (m, "text" if text else "binary"), (n, text)
        assert await ws.close(1000, "bye") is True
        assert ws.close_code == 1000
    run(go())
    # (their handler records the close after the handshake our close() waited for)
    r = recorded(srv.closes, n0, (1000, "bye"))
    assert r, srv.closes[n0:]
    assert (r[2] is not None) == compress


def test_our_client_fragmented_both_ways(theirs):
    async def go():
        ws = websocket.new_from_uri(theirs.url("/frag"))
        await ws.connect(5)
        for m in (payload(300000, True), payload(300000, False)):
            k = len(m) // 3
            await ws.send(m[:k], fin=False)
            await ws.send(m[k:2 * k], fin=False)
            await ws.send(m[2 * k:], fin=True)
            assert (await ws.receive(10))[0] == m
        await ws.close()
    run(go())


def test_our_client_close_codes(theirs):
    n0 = len(theirs.closes)

    async def go():
        ws = websocket.new_from_uri(theirs.url("/close/4002"))
        await ws.connect(5)
        await ws.send("x")
        assert await ws.receive(5) is None
        assert (ws.close_code, ws.close_reason) == (4002, "peer bye")
        assert ws.ready_state == websocket.CLOSED
        assert await ws.receive(1) is None          # stays closed
        with pytest.raises(ConnectionClosed):
            await ws.send("late")
        ws = websocket.new_from_uri(theirs.url())
        await ws.connect(5)
        assert await ws.close(4001, "client bye") is True
    run(go())
    assert recorded(theirs.closes, n0, (4001, "client bye")), theirs.closes[n0:]


def test_our_client_ping_pong_timeout(theirs):
    async def go():
        ws = websocket.new_from_uri(theirs.url("/ping"))
        await ws.connect(5)
        await ws.send("go")     # the server pings us, waits for our automatic pong
        assert await ws.receive(5) == ("pong seen", "text")
        t = time.monotonic()
        with pytest.raises(Timeout):
            await ws.receive(0.3)
        assert 0.25 < time.monotonic() - t < 2
        ws2 = websocket.new_from_uri(theirs.url())
        await ws2.connect(5)
        await ws2.send_ping(b"abc")          # their pong is consumed by receive()
        await ws2.send("still usable")
        assert await ws2.receive(5) == ("still usable", "text")
        await ws.close()
        await ws2.close()
    run(go())


def test_our_client_concurrent_send_and_close(theirs):
    # One task receives while another sends, then closes: close() lets the reader finish
    # the closing handshake.
    async def go():
        ws = websocket.new_from_uri(theirs.url())
        await ws.connect(5)
        got = []

        async def reader():
            async for data, op in ws:
                got.append(data)
        t = asyncio.create_task(reader())
        for i in range(200):
            await ws.send("m%d" % i)
        for _ in range(500):
            if len(got) == 200:
                break
            await asyncio.sleep(0.01)
        assert await ws.close(1000) is True
        await asyncio.wait_for(t, 5)
        assert got == ["m%d" % i for i in range(200)]
    run(go())


def test_our_client_blocking(theirs):
    n0 = len(theirs.closes)
    ws = websocket.new_from_uri(theirs.url(), blocking=True, max_message_size=BIG)
    ws.connect(5)
    for n in (0, 126, 65536, 1 << 20):
        m = payload(n, False)
        ws.send(m)
        assert ws.receive(10) == (m, "binary")
    ws.send("t\u00e9")
    assert ws.receive(5) == ("t\u00e9", "text")
    with pytest.raises(Timeout):
        ws.receive(0.2)
    assert ws.close(1000, "blocking bye") is True
    assert recorded(theirs.closes, n0, (1000, "blocking bye")), theirs.closes[n0:]
    ws = websocket.connect_blocking(theirs.url("/close/4005"), timeout=5)
    ws.send("x")
    assert list(ws) == []
    assert ws.close_code == 4005


def test_our_client_against_our_server(ours):
    n0 = len(ours.results)

    async def go():
        ws = await websocket.connect(ours.url("/t?protos=chat"), ["chat"], timeout=5)
        assert ws.protocol == "chat"
        for n in (0, 1000, 70000):
            await ws.send(payload(n, True))
            assert (await ws.receive(5))[0] == payload(n, True)
        await ws.close(4010, "ours")
    run(go())
    assert recorded(ours.results, n0, ("/t", 4010, "ours", None, "chat")), ours.results[n0:]


def test_handshake_refused(ours, theirs):
    # Our client against a plain HTTP route: HandshakeError, not a hang.
    async def go():
        ws = websocket.new_from_uri(ours.url("/nothere"))
        with pytest.raises(HandshakeError):
            await ws.connect(5)
        assert ws.headers is None or ws.headers.get(b":status") != b"101"
    run(go())
    # A plain GET to /t: 400; a bad version: 426 with Sec-WebSocket-Version: 13.
    n0 = len(ours.results)
    s, head, _ = raw_upgrade(ours.port, "/t", b"")
    assert head.startswith(b"HTTP/1.1 101")
    s.close()
    # (its end, a 1006, is recorded by the server's thread: not left for the next test)
    assert recorded(ours.results, n0, ("/t", 1006)), ours.results[n0:]
    import socket
    s = socket.create_connection(("127.0.0.1", ours.port), timeout=5)
    s.sendall(b"GET /t HTTP/1.1\r\nHost: x\r\n\r\n")
    assert s.recv(4096).startswith(b"HTTP/1.1 400")
    s.close()
    s = socket.create_connection(("127.0.0.1", ours.port), timeout=5)
    s.sendall(b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n")
    r = s.recv(4096).lower()
    assert r.startswith(b"http/1.1 426") and b"sec-websocket-version: 13" in r
    s.close()


# -- protocol violations from a raw client -------------------------------------------------

VIOLATIONS = [
    ("unmasked", frame(1, b"hi", mask=False), 1002),
    ("bad opcode", frame(3, b"hi"), 1002),
    ("reserved bits", frame(1, b"hi", rsv=0x20), 1002),
    ("invalid utf-8", frame(1, b"\xff\xfe"), 1007),
    ("utf-8 split bad", frame(1, b"\xc3", fin=False) + frame(0, b"("), 1007),
    ("oversize", frame(2, b"", length=2 << 20)[:14] + b"x" * 1000, 1009),
    ("fragmented ping", frame(9, b"", fin=False), 1002),
    ("continuation first", frame(0, b"x"), 1002),
]


@pytest.mark.parametrize("name,data,code", VIOLATIONS, ids=[v[0] for v in VIOLATIONS])
def test_violation_gets_close_code(ours, name, data, code):
    s, head, rest = raw_upgrade(ours.port, "/ws")
    assert head.startswith(b"HTTP/1.1 101")
    s.sendall(data)
    frames, eof = read_frames(s, rest)
    s.close()
    assert frames and frames[-1][0] == 8, frames
    assert int.from_bytes(frames[-1][1][:2], "big") == code
    assert eof, "the server must close the TCP connection after failing"

    # ... and keeps serving another client
    async def again():
        async with wconnect(ours.url("/ws")) as c:
            await c.send("still here")
            assert await c.recv() == "still here"
    run(again(), 10)


def test_eof_without_close_frame(ours):
    n0 = len(ours.results)
    s, head, rest = raw_upgrade(ours.port, "/t")
    s.sendall(frame(1, b"one"))
    frames, _ = read_frames(s, rest, timeout=0.5)
    assert frames == [(1, b"one")]
    s.close()
    assert recorded(ours.results, n0, ("/t", 1006)), ours.results[n0:]


# -- TLS -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    return tls_files(d)[0], d


def test_wss_both_ways(ca):
    import ssl
    authority, d = ca
    sctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(sctx)
    theirs = WebsocketsServer(ssl=sctx)
    ours = OurServer(tls=(str(d / "cert.pem"), str(d / "key.pem")))
    try:
        async def go2():
            ws = websocket.new_from_uri(theirs.url(), cafile=str(d / "ca.pem"))
            await ws.connect(5)
            m = payload(100000, False)
            await ws.send(m)
            assert (await ws.receive(5))[0] == m
            await ws.close()
            # without the CA: verification fails
            bad = websocket.new_from_uri(theirs.url())
            with pytest.raises(Exception) as ei:
                await bad.connect(5)
            assert "certificate" in str(ei.value).lower() or "verify" in str(ei.value).lower()
            # their client against our TLS server
            cctx = ssl.create_default_context(cafile=str(d / "ca.pem"))
            async with wconnect(ours.url("/ws"), ssl=cctx) as c:
                await c.send("over tls")
                assert await c.recv() == "over tls"
        run(go2())
        ws = websocket.new_from_uri(ours.url("/t"), blocking=True, cafile=str(d / "ca.pem"))
        ws.connect(5)
        ws.send(b"blocking tls")
        assert ws.receive(5) == (b"blocking tls", "binary")
        assert ws.close() is True
    finally:
        theirs.close()
        ours.close()


# -- the CLI -----------------------------------------------------------------------------------

def test_cli_ws_against_websockets(theirs):
    n0 = len(theirs.closes)
    p = subprocess.run([sys.executable, "-m", "mhttp", "ws", theirs.url()],
                       input="hello\nw\u00f6rld\n\n" + "x" * 5000 + "\n",
                       capture_output=True, text=True, timeout=30, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    assert p.stdout == "hello\nw\u00f6rld\n\n" + "x" * 5000 + "\n"
    assert "closed 1000" in p.stderr
    assert recorded(theirs.closes, n0, (1000,)), theirs.closes[n0:]


def test_cli_ws_server_closes(theirs):
    # stdin stays open: the server's close alone must end the program.
    p = subprocess.Popen([sys.executable, "-m", "mhttp", "ws", theirs.url("/close/4007")],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         cwd=ROOT)
    try:
        p.stdin.write(b"a\n")
        p.stdin.flush()
        rc = p.wait(15)
        err = p.stderr.read().decode()
    finally:
        p.kill()
        p.wait()
        for f in (p.stdin, p.stdout, p.stderr):
            f.close()
    assert rc == 1, err
    assert "closed 4007 peer bye" in err


def test_cli_ws_bad_usage():
    p = subprocess.run([sys.executable, "-m", "mhttp", "ws"], capture_output=True, text=True,
                       timeout=30, cwd=ROOT)
    assert p.returncode == 2
    p = subprocess.run([sys.executable, "-m", "mhttp", "ws", "ws://127.0.0.1:%d/" % free_port()],
                       capture_output=True, text=True, timeout=30, cwd=ROOT, input="")
    assert p.returncode == 1 and "cannot connect" in p.stderr


def test_idle_websocket_outlives_server_body_timeout():
    # A server's body_timeout (0.3 s here) bounds HTTP body reads, not a websocket waiting
    # for its next message: receive() without a timeout keeps waiting.
    srv = OurServer(body_timeout=0.3, idle_timeout=0.3)
    try:
        async def go():
            ws = websocket.new_from_uri(srv.url("/t"))
            await ws.connect(5)
            await asyncio.sleep(1.2)
            await ws.send("late")
            assert await ws.receive(5) == ("late", "text")
            await ws.close()
        run(go())
    finally:
        srv.close()
