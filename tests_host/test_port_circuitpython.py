# ports/circuitpython/_mhttp_port.py checked on CPython (which has time.monotonic_ns,
# ssl.create_default_context and sockets like CircuitPython's socketpool): the tick
# arithmetic, Wi-Fi bring-up against a stand-in `wifi` module, and a real blocking
# connection over loopback through a SocketPool-shaped wrapper of CPython's socket module.
# What cannot be checked here (a real CircuitPython board, its ssl, its radio) is listed
# in ports/README.md.
import importlib.util
import os
import socket
import ssl
import sys
import threading
import types

import pytest

from conftest import ROOT, free_port

PATH = os.path.join(ROOT, "ports", "circuitpython", "_mhttp_port.py")


class FakeRadio:
    def __init__(self, aps):
        self.aps = aps
        self.ipv4_address = None
        self.ap_info = None
        self.calls = []

    def connect(self, ssid, password, timeout=None):
        self.calls.append((ssid, password, timeout))
        if ssid not in self.aps:
            raise ConnectionError("No network with that ssid")
        if self.aps[ssid] != password:
            raise ConnectionError("Authentication failure")
        self.ipv4_address = "192.0.2.7"
        self.ap_info = types.SimpleNamespace(ssid=ssid)


class Pool:
    # socketpool.SocketPool's shape over CPython's socket module.
    SOCK_STREAM = socket.SOCK_STREAM
    AF_INET = socket.AF_INET

    def __init__(self, radio):
        self.radio = radio

    def getaddrinfo(self, *a):
        return socket.getaddrinfo(*a)

    def socket(self, *a):
        return socket.socket(*a)


@pytest.fixture
def port(monkeypatch):
    radio = FakeRadio({"lab": "pw"})
    monkeypatch.setitem(sys.modules, "wifi", types.SimpleNamespace(radio=radio))
    monkeypatch.setitem(sys.modules, "socketpool", types.SimpleNamespace(SocketPool=Pool))
    spec = importlib.util.spec_from_file_location("_mhttp_port_cp", PATH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod._radio = radio
    return mod


def test_ticks_wrap_like_micropython(port):
    m = port._TICKS_MAX
    assert port.ticks_add(m, 1) == 0
    assert port.ticks_diff(port.ticks_add(m, 5), m) == 5
    assert port.ticks_diff(3, m - 2) == 6
    assert port.ticks_diff(m - 2, 3) == -6
    t0 = port.ticks_ms()
    assert 0 <= t0 <= m
    import time
    time.sleep(0.02)
    assert 15 <= port.ticks_diff(port.ticks_ms(), t0) < 1000
    assert len(port.urandom(8)) == 8 and port.urandom(8) != port.urandom(8)


def test_wifi_connect(port, monkeypatch):
    assert port.wifi_connect("lab", "pw", timeout=7) == "192.0.2.7"
    assert port._radio.calls == [("lab", "pw", 7)]
    assert port.wifi_connect("lab", "pw") == "192.0.2.7"          # already: no new call
    assert len(port._radio.calls) == 1
    port._radio.ipv4_address = None
    port._radio.ap_info = None
    e = pytest.raises(port.WiFiError, port.wifi_connect, "lab", "bad").value
    assert "Authentication failure" in str(e)
    e = pytest.raises(port.WiFiError, port.wifi_connect, "elsewhere", "pw").value
    assert "No network" in str(e)
    monkeypatch.delenv("CIRCUITPY_WIFI_SSID", raising=False)
    e = pytest.raises(port.WiFiError, port.wifi_connect).value
    assert "settings.toml" in str(e)
    monkeypatch.setenv("CIRCUITPY_WIFI_SSID", "lab")
    monkeypatch.setenv("CIRCUITPY_WIFI_PASSWORD", "pw")
    assert port.wifi_connect() == "192.0.2.7"


def test_blocking_connection_over_loopback(port):
    from mhttp._io import run_blocking
    from mhttp.errors import ConnectionClosed
    p = free_port()
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", p))
    srv.listen(1)
    got = []

    def serve():
        c, _ = srv.accept()
        c.settimeout(5)
        buf = b""
        for _ in range(10):          # the two pieces may arrive as two segments
            if len(buf) >= 4:
                break
            buf += c.recv(100)
        got.append(buf)
        c.sendall(b"pong")
        c.close()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    io = port.open_connection_blocking("127.0.0.1", p, timeout=5)
    run_blocking(io.send([b"pi", b"ng"], 5))
    data = bytes(run_blocking(io.recv(5)))
    run_blocking(io.close())
    t.join(5)
    srv.close()
    assert got == [b"ping"] and data == b"pong"
    # Nothing listening: a clean ConnectionClosed naming the address.
    e = pytest.raises(ConnectionClosed, port.open_connection_blocking, "127.0.0.1", p,
                      timeout=2).value
    assert "127.0.0.1:%d" % p in str(e)


def test_tls_context_and_unsupported_faces(port):
    from mhttp.errors import TLSError
    ctx = port.client_tls_context(verify=False)
    assert isinstance(ctx, ssl.SSLContext) and ctx.verify_mode == ssl.CERT_NONE
    assert port.client_tls_context().verify_mode == ssl.CERT_REQUIRED
    pytest.raises(TLSError, port.client_tls_context, alpn=["h2"])
    pytest.raises(TLSError, port.server_tls_context, "c.pem", "k.pem")
    co = port.open_connection("127.0.0.1", 1)
    with pytest.raises(NotImplementedError):
        co.send(None)
