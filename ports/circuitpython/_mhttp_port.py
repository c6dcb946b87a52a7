# CircuitPython platform glue for mhttp (see ports/README.md).
#
# CircuitPython differs from MicroPython where a port module matters: sockets come from a
# socketpool.SocketPool over wifi.radio (no `socket` module), TLS from
# ssl.create_default_context() (the board's trust store, no ALPN), the clock from
# time.monotonic_ns() (no time.ticks_ms), and there are no asyncio streams over sockets.
# So this port offers the blocking face only (mhttp's coroutines run under
# mhttp._io.run_blocking); open_connection / start_server raise NotImplementedError with
# a message saying so.
#
#   import _mhttp_port
#   ip = _mhttp_port.wifi_connect()        # CIRCUITPY_WIFI_SSID / _PASSWORD from settings.toml
#
# The socket pool and TLS context are made once, lazily (pool()/client_tls_context()).
import time

NAME = "circuitpython"
HAS_ALPN = False
DEFAULT_BUFSIZE = 1024

# Millisecond ticks with MicroPython's wrap-around semantics: values stay small ints
# (below 2**29), so no long-int allocation on every call.
_TICKS_PERIOD = 1 << 29
_TICKS_MAX = _TICKS_PERIOD - 1
_TICKS_HALF = _TICKS_PERIOD // 2


def ticks_ms():
    return (time.monotonic_ns() // 1000000) & _TICKS_MAX


def ticks_add(t, delta):
    return (t + delta) & _TICKS_MAX


def ticks_diff(a, b):
    return ((a - b + _TICKS_HALF) & _TICKS_MAX) - _TICKS_HALF


def urandom(n):
    import os
    return os.urandom(n)


class WiFiError(Exception):
    def __init__(self, msg, status=None):
        super().__init__(msg)
        self.status = status


_pool = None


def pool():
    # The one socketpool.SocketPool over wifi.radio.
    global _pool
    if _pool is None:
        import socketpool
        import wifi
        _pool = socketpool.SocketPool(wifi.radio)
    return _pool


def wifi_connect(ssid=None, password=None, timeout=20):
    # Connects wifi.radio (settings.toml's CIRCUITPY_WIFI_SSID/PASSWORD when no ssid is
    # given; CircuitPython may already have connected from them) and returns the address.
    import wifi
    from mhttp.errors import Timeout
    if ssid is None:
        import os
        ssid = os.getenv("CIRCUITPY_WIFI_SSID")
        password = os.getenv("CIRCUITPY_WIFI_PASSWORD")
        if not ssid:
            raise WiFiError("no ssid given and CIRCUITPY_WIFI_SSID not in settings.toml")
    if wifi.radio.ipv4_address is not None and wifi.radio.ap_info is not None \
            and wifi.radio.ap_info.ssid == ssid:
        return str(wifi.radio.ipv4_address)
    try:
        wifi.radio.connect(ssid, password or "", timeout=timeout)
    except ConnectionError as e:   # CircuitPython raises ConnectionError("No network with that ssid") etc.
        raise WiFiError("Wi-Fi connect to %r failed: %s" % (ssid, e))
    if wifi.radio.ipv4_address is None:
        raise Timeout("Wi-Fi connect to %r: no address after %ss" % (ssid, timeout))
    return str(wifi.radio.ipv4_address)


def client_tls_context(cafile=None, verify=True, alpn=None, certfile=None, keyfile=None):
    import ssl
    from mhttp.errors import TLSError
    if alpn:
        raise TLSError("ALPN %r requested but CircuitPython's ssl has no ALPN support" % (alpn,))
    ctx = ssl.create_default_context()
    try:
        if cafile:
            with open(cafile) as f:
                ctx.load_verify_locations(cadata=f.read())
        elif not verify:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        if certfile:
            ctx.load_cert_chain(certfile, keyfile)
    except (OSError, ValueError, AttributeError) as e:
        raise TLSError("TLS setup failed: %r" % (e,))
    return ctx


def server_tls_context(certfile, keyfile, alpn=None):
    from mhttp.errors import TLSError
    raise TLSError("TLS servers are not supported on CircuitPython")


def open_connection_blocking(host, port, tls=None, server_hostname=None, alpn=None,
                             timeout=None, bufsize=DEFAULT_BUFSIZE):
    from mhttp._io_socket import SocketIO
    from mhttp.errors import ConnectionClosed, TLSError, Timeout
    p = pool()
    ai = p.getaddrinfo(host, port, 0, p.SOCK_STREAM)[0]
    s = p.socket(ai[0], ai[1], ai[2])
    s.settimeout(timeout)
    if tls:
        if tls is True:
            tls = client_tls_context(verify=False, alpn=alpn)
        try:
            s = tls.wrap_socket(s, server_hostname=server_hostname or host)
        except (OSError, ValueError) as e:
            s.close()
            raise TLSError("TLS setup for %s:%s failed: %r" % (host, port, e))
    try:
        s.connect(ai[-1])
    except OSError as e:
        s.close()
        if e.args and e.args[0] in (110, 116):
            raise Timeout("connect to %s:%s timed out" % (host, port))
        if tls:
            raise TLSError("TLS connection to %s:%s failed: %r" % (host, port, e))
        raise ConnectionClosed("connect to %s:%s failed: %r" % (host, port, e))
    return SocketIO(s, bufsize, tls=bool(tls), addr=ai[-1])


async def open_connection(*a, **kw):
    raise NotImplementedError("CircuitPython has no asyncio streams over socketpool: "
                              "use mhttp's blocking API")


async def start_server(*a, **kw):
    raise NotImplementedError("CircuitPython has no asyncio streams over socketpool: "
                              "servers are not supported by this port")
