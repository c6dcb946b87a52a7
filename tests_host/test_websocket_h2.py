# WebSocket over HTTP/2 (RFC 8441 extended CONNECT): our client (version=2) against our
# server over h2c prior knowledge and over TLS with ALPN h2; an independent client made of
# python-hyper `h2` (the HTTP/2 side) and `wsproto` (the WebSocket frames) against our
# server; a server that does not allow extended CONNECT (nghttpd) refused cleanly; the
# MicroPython server over h2c.
import socket
import subprocess
import time

import pytest

from mhttp import websocket
from mhttp.ws import HandshakeError

from _ws_peers import OurServer, BIG, payload, run, recorded, ours  # noqa: F401 (ours: fixture)
from conftest import ROOT, free_port, require, require_micropython, tls_files


@pytest.fixture(scope="module")
def tls_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("h2tls")
    tls_files(d)
    return d


async def echo_sizes(ws, sizes):
    for n in sizes:
        for text in (True, False):
            m = payload(n, text)
            await ws.send(m)
            r = await ws.receive(60)
            assert r == (m, "text" if text else "binary"), (n, text)


@pytest.mark.parametrize("compress", [True, False])
def test_h2c_our_client_our_server(ours, compress):
    n0 = len(ours.results)

    async def go():
        ws = websocket.new_from_uri(ours.url("/t?big=1"), version=2, compression=compress,
                                    max_message_size=BIG)
        await ws.connect(5)
        assert ws.connection.version == 2
        assert ws.headers.get(b":status") == b"200"
        assert (len(ws.extensions) == 1) == compress
        await echo_sizes(ws, (0, 125, 126, 65535, 65536, 1 << 20, 16 << 20))
        # fragmented
        await ws.send("frag", fin=False)
        await ws.send("mented")
        assert await ws.receive(5) == ("fragmented", "text")
        assert await ws.close(4020, "h2 bye") is True
        assert ws.close_code == 4020
    run(go())
    # (our handler records the end after the close handshake our close() waited for)
    assert recorded(ours.results, n0, ("/t", 4020, "h2 bye")), ours.results[n0:]
    assert ours.versions[-1] == 2


def test_h2c_server_closes_and_violation(ours):
    async def go():
        ws = websocket.new_from_uri(ours.url("/t?close=4021"), version=2)
        await ws.connect(5)
        await ws.send("x")
        assert await ws.receive(5) is None
        assert (ws.close_code, ws.close_reason) == (4021, "server bye")
        # a protocol violation through the h2 tunnel: a frame with a bad opcode -> 1002
        ws = websocket.new_from_uri(ours.url("/ws"), version=2)
        await ws.connect(5)
        await ws.send_frame(3, b"bad")
        assert await ws.receive(5) is None
        assert ws.close_code == 1002
        # the connection-level server keeps serving
        ws = websocket.new_from_uri(ours.url("/ws"), version=2)
        await ws.connect(5)
        await ws.send("again")
        assert await ws.receive(5) == ("again", "text")
        await ws.close()
    run(go())


def test_h2_tls_alpn(tls_dir):
    d = tls_dir
    srv = OurServer(tls=(str(d / "cert.pem"), str(d / "key.pem")))
    try:
        async def go():
            ws = websocket.new_from_uri(srv.url("/t"), version=2, cafile=str(d / "ca.pem"))
            await ws.connect(5)
            assert ws.connection.version == 2
            await echo_sizes(ws, (0, 70000, 1 << 19))
            assert await ws.close(1000) is True
            # default (version None): HTTP/1.1 even though the server speaks h2
            ws = websocket.new_from_uri(srv.url("/t"), cafile=str(d / "ca.pem"))
            await ws.connect(5)
            assert ws.connection.version == 1.1
            await ws.close()
        run(go())
        ws = websocket.new_from_uri(srv.url("/t"), version=2, cafile=str(d / "ca.pem"), blocking=True)
        ws.connect(5)
        ws.send(b"blocking h2")
        assert ws.receive(5) == (b"blocking h2", "binary")
        assert ws.close() is True
        time.sleep(0.1)
        assert srv.versions == [2, 1.1, 2]
    finally:
        srv.close()


def test_hyper_h2_and_wsproto_client(ours):
    # An independent RFC 8441 client: h2 (frames, HPACK, flow control) + wsproto frames.
    n0 = len(ours.results)
    import h2.config
    import h2.connection
    import h2.events
    import h2.settings
    from wsproto.connection import Connection, ConnectionType
    from wsproto.events import TextMessage, BytesMessage, CloseConnection
    from wsproto.frame_protocol import CloseReason

    s = socket.create_connection(("127.0.0.1", ours.port), timeout=5)
    c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    c.initiate_connection()
    s.sendall(c.data_to_send())
    settings_ok = False
    end = time.time() + 5
    while not settings_ok and time.time() < end:
        for ev in c.receive_data(s.recv(65536)):
            if isinstance(ev, h2.events.RemoteSettingsChanged):
                v = ev.changed_settings.get(h2.settings.SettingCodes.ENABLE_CONNECT_PROTOCOL)
                assert v is not None and v.new_value == 1
                settings_ok = True
        s.sendall(c.data_to_send())
    assert settings_ok
    sid = c.get_next_available_stream_id()
    c.send_headers(sid, [(":method", "CONNECT"), (":protocol", "websocket"), (":scheme", "http"),
                         (":path", "/t"), (":authority", "127.0.0.1:%d" % ours.port),
                         ("sec-websocket-version", "13")])
    s.sendall(c.data_to_send())
    ws = Connection(ConnectionType.CLIENT)
    msgs = [TextMessage(data="h\u00e9llo h2"), BytesMessage(data=payload(200000, False))]
    got = []
    part = []
    status = None
    closed = None
    sent = False
    ended = False
    end = time.time() + 10
    while time.time() < end and not ended:
        data = s.recv(65536)
        if not data:
            break
        for ev in c.receive_data(data):
            if isinstance(ev, h2.events.ResponseReceived):
                status = dict(ev.headers)[b":status"]
            elif isinstance(ev, h2.events.DataReceived):
                c.acknowledge_received_data(ev.flow_controlled_length, sid)
                if closed is not None:
                    assert ev.data == b"", "data after the close frame"
                    continue
                ws.receive_data(ev.data)
                for w in ws.events():
                    if isinstance(w, (TextMessage, BytesMessage)):
                        part.append(w.data)     # wsproto hands out message pieces
                        if not w.message_finished:
                            continue
                        got.append(part[0][:0].join(part))
                        part = []
                        if len(got) == len(msgs):
                            c.send_data(sid, ws.send(CloseConnection(code=4030, reason="hyper")))
                    elif isinstance(w, CloseConnection):
                        closed = (w.code, w.reason)
                        c.end_stream(sid)
            elif isinstance(ev, h2.events.StreamEnded):
                ended = True
        if status == b"200" and not sent:
            sent = True
            for m in msgs:
                out = ws.send(m)
                # respect flow control: send in window-sized pieces
                while out:
                    n = min(len(out), c.local_flow_control_window(sid), c.max_outbound_frame_size)
                    if n <= 0:
                        break
                    c.send_data(sid, out[:n])
                    out = out[n:]
                    s.sendall(c.data_to_send())
                assert not out, "window too small for the test message"
        s.sendall(c.data_to_send())
    s.close()
    assert status == b"200"
    assert got == [m.data for m in msgs]
    assert closed == (4030, "")   # our server echoes the code
    assert recorded(ours.results, n0, ("/t", 4030, "hyper")), ours.results[n0:]


def test_h2_server_without_extended_connect():
    nghttpd = require("nghttpd")
    port = free_port()
    p = subprocess.Popen([nghttpd, "--no-tls", str(port)], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)

        async def go():
            ws = websocket.new_from_uri("ws://127.0.0.1:%d/" % port, version=2)
            with pytest.raises(HandshakeError) as ei:
                await ws.connect(5)
            assert "ENABLE_CONNECT_PROTOCOL" in str(ei.value)
            assert ws.ready_state == websocket.CLOSED
        run(go())
    finally:
        p.kill()
        p.wait(5)


def test_h2c_micropython_server():
    mp = require_micropython()
    port = free_port()
    p = subprocess.Popen([mp, "-m", "mhttp", "serve", "--port", str(port)], cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert b"listening" in p.stdout.readline()

        async def go():
            ws = websocket.new_from_uri("ws://127.0.0.1:%d/ws" % port, version=2)
            await ws.connect(5)
            assert ws.connection.version == 2
            await echo_sizes(ws, (0, 125, 4096, 30000))
            assert await ws.close(4031) is True
        run(go())
    finally:
        p.kill()
        p.wait(5)
        p.stdout.close()
