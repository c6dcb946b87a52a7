# The HTTP/2 client against a hostile raw-frame server (a thread here, frames written by
# hand): a read's timeout is a deadline whatever frames arrive meanwhile, server push is
# bounded (refused when disabled, RST_STREAM(REFUSED_STREAM) beyond our
# SETTINGS_MAX_CONCURRENT_STREAMS when enabled), and a response head over our
# SETTINGS_MAX_HEADER_LIST_SIZE ends the connection as it comes.  The request-level cases
# run on CPython and on MicroPython (tests_host/_h2_hostile_cli.py).
import socket
import struct
import threading
import time

import pytest

from conftest import keyed, run_on
from mhttp.hpack import Encoder

DATA, HEADERS, RST, SETTINGS, PUSH, PING, GOAWAY, CONT = 0, 1, 3, 4, 5, 6, 7, 9
ES, EH, ACK = 1, 4, 1
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def fr(t, fl, sid, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([t, fl]) + struct.pack(">I", sid) + payload


def _read_frame(sock):
    h = b""
    while len(h) < 9:
        d = sock.recv(9 - len(h))
        if not d:
            return None
        h += d
    n = int.from_bytes(h[:3], "big")
    p = b""
    while len(p) < n:
        d = sock.recv(n - len(p))
        if not d:
            return None
        p += d
    return h[3], h[4], int.from_bytes(h[5:9], "big") & 0x7fffffff, p


class Hostile:
    # One listening socket; each connection: the client's preface and frames up to its
    # first HEADERS, then the scenario named by its :path (or by self.scenario), then
    # every frame the client sends is recorded in self.got until it closes.
    def __init__(self, scenario=None, ack=False):
        self.scenario = scenario
        self.ack = ack
        self.got = []
        self.ls = socket.socket()
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(4)
        self.port = self.ls.getsockname()[1]
        self.done = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                c, _ = self.ls.accept()
            except OSError:
                return
            threading.Thread(target=self._conn, args=(c,), daemon=True).start()

    def _conn(self, c):
        c.settimeout(30)
        try:
            pre = b""
            while len(pre) < 24:
                pre += c.recv(24 - len(pre))
            assert pre == PREFACE
            path = None
            while path is None:
                f = _read_frame(c)
                if f[0] == HEADERS:
                    path = self.scenario or "/?"
                    sid = f[2]
            from mhttp.hpack import Decoder
            if self.scenario is None:
                path = dict(Decoder().decode(f[3]))[b":path"].decode().strip("/")
            c.sendall(fr(SETTINGS, 0, 0) + (fr(SETTINGS, ACK, 0) if self.ack else b""))
            stop = threading.Event()
            threading.Thread(target=self._record, args=(c, stop), daemon=True).start()
            try:
                getattr(self, "sc_" + path)(c, sid, Encoder(), stop)
            except OSError:
                pass
            stop.wait(5)    # (every frame the client sent recorded before the close)
        except Exception:
            pass
        finally:
            c.close()
            self.done.set()

    def _record(self, c, stop):
        while True:
            try:
                f = _read_frame(c)
            except Exception:
                f = None
            if f is None:
                stop.set()
                return
            self.got.append(f)

    def frames(self, t):
        return [f for f in self.got if f[0] == t]

    def close(self):
        self.ls.close()

    # -- scenarios ------------------------------------------------------------------------
    def sc_trickle_ping(self, c, sid, enc, stop):
        # a PING every 0.3 s, the request never answered
        t0 = time.time()
        while time.time() - t0 < 12 and not stop.is_set():
            c.sendall(fr(PING, 0, 0, b"12345678"))
            time.sleep(0.3)

    def sc_push_flood(self, c, sid, enc, stop):
        # 300 PUSH_PROMISEs before the response
        for i in range(300):
            if i % 20 == 0:
                # (a pause now and then: the client's GOAWAY is read before we close,
                # not lost to a reset of a connection with unread pushes)
                time.sleep(0.01)
                if self.frames(GOAWAY):
                    break
            c.sendall(fr(PUSH, EH, sid, struct.pack(">I", 2 + 2 * i) + bytes(enc.encode(
                [(b":method", b"GET"), (b":scheme", b"http"), (b":authority", b"127.0.0.1"),
                 (b":path", b"/p%d" % i)]))))
        c.sendall(fr(HEADERS, EH, sid, bytes(enc.encode([(b":status", b"200")])))
                  + fr(DATA, ES, sid, b"ok"))
        stop.wait(5)

    def sc_big_header(self, c, sid, enc, stop):
        # a response head of 11 x 15000-octet fields (~165 KB as a list, ~100 KB as a
        # block, over HEADERS and CONTINUATION), END_STREAM on the HEADERS
        c.sendall(fr(HEADERS, ES, sid, bytes(enc.encode([(b":status", b"200"),
                                                       (b"x-big", b"a" * 15000)]))))
        for i in range(10):
            if stop.is_set():
                break
            c.sendall(fr(CONT, 0, sid, bytes(enc.encode([(b"x-big%d" % i, b"a" * 15000)]))))
            time.sleep(0.2)
        if not stop.is_set():
            c.sendall(fr(CONT, EH, sid, bytes(enc.encode([(b"x-end", b"1")]))))
        stop.wait(5)

    def sc_big_list(self, c, sid, enc, stop):
        # one HEADERS frame: a small block (Huffman) of a ~75 KB list, over our 65536
        fs = [(b":status", b"200")] + [(b"x-big%d" % i, b"a" * 15000) for i in range(5)]
        b = bytes(enc.encode(fs))
        parts = [b[i:i + 16000] for i in range(0, len(b), 16000)]
        out = fr(HEADERS, ES, sid, parts[0])
        for i in range(1, len(parts)):
            out += fr(CONT, EH if i == len(parts) - 1 else 0, sid, parts[i])
        c.sendall(out)
        stop.wait(5)


@pytest.fixture
def hostile():
    s = Hostile()
    yield s
    s.close()


RUNTIMES = ["cpython", "micropython"]


def _cli(runtime, port, sc, mode="blocking"):
    r = run_on(runtime, ["tests_host/_h2_hostile_cli.py", str(port), sc, mode], timeout=60)
    assert r.returncode == 0, r.stderr
    return keyed(r.stdout.decode())


@pytest.mark.parametrize("mode", ["blocking", "async"])
@pytest.mark.parametrize("runtime", RUNTIMES)
def test_h2_read_timeout_is_a_deadline_despite_pings(hostile, runtime, mode):
    # a PING every 0.3 s: go(2) / go_blocking(2) still end after 2 s (the blocking face
    # read a frame per wait and restarted the timeout each time: 25 s)
    k = _cli(runtime, hostile.port, "trickle_ping", mode)
    assert k["RESULT"].startswith("Timeout"), k
    assert 1.9 <= float(k["ELAPSED"]) < 3.5, k
    # the PINGs were answered meanwhile
    assert any(f[1] & ACK for f in hostile.frames(PING))


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_h2_push_before_settings_ack_is_protocol_error(hostile, runtime):
    # mhttp.request advertises SETTINGS_ENABLE_PUSH=0 in its first SETTINGS (before the
    # request): a PUSH_PROMISE is the server's PROTOCOL_ERROR, ACK or not (this one never
    # acknowledges); nothing kept (was: 300 streams kept; MemoryError on MicroPython)
    k = _cli(runtime, hostile.port, "push_flood")
    assert k["RESULT"].startswith("H2ConnectionError: PROTOCOL_ERROR"), k
    hostile.done.wait(10)
    ga = hostile.frames(GOAWAY)
    assert ga and struct.unpack(">I", ga[0][3][4:8])[0] == 1       # PROTOCOL_ERROR
    assert not hostile.frames(RST)


def test_h2_push_enabled_is_bounded_by_max_concurrent_streams():
    # mhttp.client.connect with push on, nobody taking the pushes: the first 100 (our
    # SETTINGS_MAX_CONCURRENT_STREAMS) are kept, the other 200 refused with
    # RST_STREAM(REFUSED_STREAM); the response still arrives
    from mhttp import client
    from mhttp.headers import Headers
    s = Hostile("push_flood", ack=True)
    try:
        c = client.connect_blocking(host="127.0.0.1", port=s.port, tls=False, version=2,
                                    h2_settings={2: 1}, timeout=10)
        st = c.new_stream()
        st.write_headers(Headers([(b":method", b"GET"), (b":scheme", b"http"),
                                  (b":authority", b"127.0.0.1"), (b":path", b"/x")]), True)
        h = st.get_headers()
        assert h.get(b":status") == b"200" and st.get_body_as_string() == b"ok"
        conn = c._o if hasattr(c, "_o") else c
        assert len(conn._incoming) == 100
        assert len([i for i in conn.streams if i % 2 == 0]) == 100
        ps = c.get_next_incoming_stream()
        assert ps.request_headers.get(b":path") == b"/p0"
        time.sleep(0.3)
        rst = s.frames(RST)
        assert len(rst) == 200
        assert sorted(f[2] for f in rst) == list(range(202, 602, 2))
        assert all(struct.unpack(">I", f[3])[0] == 7 for f in rst)    # REFUSED_STREAM
        c.close()
    finally:
        s.close()


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_h2_response_head_over_max_header_list_size_fails_at_once(hostile, runtime):
    # a ~100 KB block over CONTINUATION, 0.2 s apart, never acknowledged SETTINGS: the
    # connection ends (GOAWAY ENHANCE_YOUR_CALM) once the buffered block passes 65536
    # octets, and the waiting request raises it at once (was: the whole block buffered,
    # then the wait ran until the server closed; MemoryError on MicroPython)
    k = _cli(runtime, hostile.port, "big_header")
    assert k["RESULT"].startswith("H2ConnectionError: ENHANCE_YOUR_CALM"), k
    assert "header block over 65536 octets" in k["RESULT"]
    assert float(k["ELAPSED"]) < 1.6, k
    hostile.done.wait(10)
    ga = hostile.frames(GOAWAY)
    assert ga and struct.unpack(">I", ga[0][3][4:8])[0] == 11


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_h2_response_list_over_max_header_list_size_is_stream_error(hostile, runtime):
    # a small block decoding to a list over our SETTINGS_MAX_HEADER_LIST_SIZE, never
    # acknowledged: our limit holds from the start, RST_STREAM and the request raises
    k = _cli(runtime, hostile.port, "big_list")
    assert k["RESULT"].startswith("H2StreamError"), k
    hostile.done.wait(3)
    rst = hostile.frames(RST)
    assert rst and rst[0][2] == 1
