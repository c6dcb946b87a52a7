# mhttp.websocket on the MicroPython unix port, both roles, against Python's `websockets`:
#   - `tools/micropython -m mhttp serve` (its /ws echo) hit by the websockets client: text
#     and binary up to the 32 KiB MicroPython default limit, compressed (MicroPython
#     inflates; it answers uncompressed where the firmware cannot compress) and not,
#     fragmented, close codes, 1009 past the limit, 1002 for an unmasked frame from a raw
#     client, and the server keeps serving; the same over TLS (wss, no ALPN needed).
#   - our client on MicroPython (async and blocking faces) against a websockets server,
#     plain and wss (CA file, verification on).
#   - `micropython -m mhttp ws URL` with lines on stdin.
import asyncio
import os
import subprocess

import pytest
import websockets
from websockets.asyncio.client import connect as wconnect

from _ws_peers import WebsocketsServer, raw_upgrade, frame, read_frames, payload, run, recorded
from conftest import ROOT, free_port, require_micropython, tls_files

MP_LIMIT = 32768


def start_mp_server(extra=(), heap=None):
    mp = require_micropython()
    port = free_port()
    p = subprocess.Popen([mp] + (["-X", "heapsize=" + heap] if heap else [])
                         + ["-m", "mhttp", "serve", "--port", str(port)] + list(extra),
                         cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    line = p.stdout.readline()
    assert b"listening" in line, line
    return p, port


def stop(p):
    p.kill()
    p.wait(5)
    p.stdout.close()


@pytest.fixture(scope="module")
def mp_server():
    p, port = start_mp_server()
    yield port
    stop(p)


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    d = tmp_path_factory.mktemp("mptls")
    return tls_files(d)[0], d


@pytest.mark.parametrize("compress", [True, False])
def test_websockets_client_vs_micropython_server(mp_server, compress):
    async def go():
        async with wconnect("ws://127.0.0.1:%d/ws" % mp_server, max_size=None,
                            compression="deflate" if compress else None) as c:
            ext = c.response.headers.get("sec-websocket-extensions")
            if compress:
                # MicroPython cannot keep inflate context: it answers no context takeover
                # and small windows for the client.
                assert "client_no_context_takeover" in ext and "client_max_window_bits=10" in ext
            else:
                assert ext is None
            for n in (0, 125, 126, 4096, 20000, MP_LIMIT):
                for text in (True, False):
                    m = payload(n, text)
                    await c.send(m)
                    assert await asyncio.wait_for(c.recv(), 20) == m, (n, text)
            m = payload(30000, True)
            await c.send([m[:10000], m[10000:20000], m[20000:]])
            assert await asyncio.wait_for(c.recv(), 20) == m
            await c.close(4006, "bye mp")
            assert c.close_code == 4006
    run(go())


def test_micropython_server_limits_and_violations(mp_server):
    async def big():
        async with wconnect("ws://127.0.0.1:%d/ws" % mp_server, max_size=None,
                            compression=None) as c:
            await c.send(b"x" * (MP_LIMIT + 1))
            with pytest.raises(websockets.ConnectionClosedError) as ei:
                await asyncio.wait_for(c.recv(), 10)
            assert ei.value.rcvd.code == 1009
    run(big())
    for data, code in ((frame(1, b"hi", mask=False), 1002), (frame(1, b"\xff"), 1007)):
        s, head, rest = raw_upgrade(mp_server, "/ws")
        assert head.startswith(b"HTTP/1.1 101"), head
        s.sendall(data)
        frames, eof = read_frames(s, rest)
        s.close()
        assert frames and frames[-1][0] == 8
        assert int.from_bytes(frames[-1][1][:2], "big") == code
        assert eof

    async def again():
        async with wconnect("ws://127.0.0.1:%d/ws" % mp_server) as c:
            await c.send("still serving")
            assert await c.recv() == "still serving"
    run(again())


def test_micropython_server_deflate_bomb_is_1009_on_a_small_heap():
    # A compressed message that inflates past the 32 KiB limit is closed 1009 (RFC 6455
    # §7.4.1), on a 256 KiB heap too: the inflated pieces (32 KiB) used to be joined
    # before the size check, a MemoryError there, and the connection just ended.
    import zlib

    def deflate(b):
        c = zlib.compressobj(6, zlib.DEFLATED, -10)
        return (c.compress(b) + c.flush(zlib.Z_SYNC_FLUSH))[:-4]

    p, port = start_mp_server(heap="256K")
    try:
        ext = b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
        for data in (b"\0" * (2 << 20), b"a" * 40000, b"b" * (MP_LIMIT + 1)):
            s, head, rest = raw_upgrade(port, "/ws", ext)
            try:
                assert head.startswith(b"HTTP/1.1 101"), head
                assert b"permessage-deflate" in head.lower(), head
                s.sendall(frame(2, deflate(data), rsv=0x40))
                frames, eof = read_frames(s, rest)
            finally:
                s.close()
            assert frames and frames[-1][0] == 8, (len(data), frames)
            assert int.from_bytes(frames[-1][1][:2], "big") == 1009, frames[-1]
            assert eof
        # a compressed message under the limit still inflates (and is echoed), and a
        # plain client is served after.  (Not one near the limit: on this heap a plain
        # 20000-byte message is still lost to a MemoryError in WSProtocol.receive_data,
        # a separate open issue.  4000 bytes: 8000 sat at this heap's edge, the echo's
        # 8005-byte frame found no block in some layouts, e.g. a checkout at a longer
        # path, whose interned file names take more of the heap.)
        s, head, rest = raw_upgrade(port, "/ws", ext)
        try:
            s.sendall(frame(2, deflate(b"c" * 4000), rsv=0x40))
            frames, eof = read_frames(s, rest, max_frames=1)
        finally:
            s.close()
        assert frames and frames[0] == (2, b"c" * 4000), frames[:1]

        async def again():
            async with wconnect("ws://127.0.0.1:%d/ws" % port, compression=None) as c:
                await c.send("still serving")
                assert await c.recv() == "still serving"
        run(again())
    finally:
        p.kill()
        p.wait(5)
        out = p.stdout.read()
        p.stdout.close()
    assert b"MemoryError" not in out and b"Traceback" not in out, out[-2000:]


def test_wss_micropython_server(ca):
    import ssl
    _, d = ca
    p, port = start_mp_server(["--cert", str(d / "cert.pem"), "--key", str(d / "key.pem")])
    try:
        async def go():
            ctx = ssl.create_default_context(cafile=str(d / "ca.pem"))
            async with wconnect("wss://127.0.0.1:%d/ws" % port, ssl=ctx, max_size=None) as c:
                for n in (5, 20000):
                    m = payload(n, False)
                    await c.send(m)
                    assert await asyncio.wait_for(c.recv(), 20) == m
                await c.send("tls text")
                assert await c.recv() == "tls text"
        run(go())
    finally:
        stop(p)


def _mp_client(url, mode, cafile=None, timeout=60):
    mp = require_micropython()
    args = [mp, os.path.join(ROOT, "tests_host", "_ws_mp_client.py"), url, mode]
    if cafile:
        args.append(cafile)
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("mode", ["async", "blocking"])
@pytest.mark.parametrize("compress", [True, False])
def test_micropython_client_vs_websockets(mode, compress):
    srv = WebsocketsServer(compression="deflate" if compress else None)
    try:
        r = _mp_client(srv.url(), mode)
        assert r.returncode == 0, r.stdout + r.stderr
        assert r.stdout.count("\nok ") == 11 and "ok fragmented" in r.stdout  # 10 sizes + 1
        assert "closed 4000" in r.stdout
        assert ("permessage-deflate" in r.stdout.splitlines()[0]) == compress
        # ws.headers after connect(): on MicroPython made on first use from the compact
        # head the connection keeps (board RAM; tests_host/test_ws_head.py)
        assert r.stdout.splitlines()[1].startswith("head b'101' b'websocket' 28 ")
        # (their handler records the close after the handshake our client waited for)
        assert recorded(srv.closes, 0, (4000, "mp bye")), srv.closes
    finally:
        srv.close()


def test_micropython_client_wss(ca):
    import ssl
    authority, d = ca
    sctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(sctx)
    srv = WebsocketsServer(ssl=sctx)
    try:
        for mode in ("async", "blocking"):
            r = _mp_client(srv.url(), mode, str(d / "ca.pem"))
            assert r.returncode == 0, r.stdout + r.stderr
            assert "ok fragmented" in r.stdout and "closed 4000" in r.stdout
        # verification is on: no CA file -> a clear TLS error, not a connection
        r = _mp_client(srv.url(), "blocking")
        out = r.stdout + r.stderr   # MicroPython prints tracebacks on stdout
        assert r.returncode != 0 and "TLSError" in out and "no CA file" in out
    finally:
        srv.close()


def test_micropython_cli_ws(mp_server):
    mp = require_micropython()
    r = subprocess.run([mp, "-m", "mhttp", "ws", "ws://127.0.0.1:%d/ws" % mp_server],
                       input="one\ntw\u00f6\n" + "z" * 3000 + "\n", capture_output=True,
                       text=True, timeout=30, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "one\ntw\u00f6\n" + "z" * 3000 + "\n"
    assert "closed 1000" in r.stderr
