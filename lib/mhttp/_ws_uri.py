# mhttp._ws_uri: a client WebSocket before its connection: parse_ws_uri and new_from_uri,
# out of mhttp._ws_open (which holds the opening handshake).  mhttp.websocket keeps a stub
# of new_from_uri and gives parse_ws_uri through its module __getattr__; on MicroPython
# its new_from_uri drops this module from sys.modules again once the WebSocket is made
# (board RAM: its code, ~1.2 KB of bytecode from .mpy files, is freed by the collection
# that starts connect(), so the handshake's peak does not carry it).
from mhttp import ws as core
from mhttp.ws import _msg
from mhttp.websocket import WebSocket, _blocking_class

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

# Error messages: ids into mhttp._ws_msg.MSG (see mhttp.ws, "Error messages").
_M_URI_CHAR = const(48)
_M_URI_ABS = const(49)
_M_URI_SCHEME = const(50)
_M_URI_IPV6 = const(51)
_M_URI_AUTH = const(52)
_M_URI_HOST = const(53)
_M_URI_PORT = const(54)
_M_URI_HTTP10 = const(56)


def parse_ws_uri(uri):
    # "ws[s]://[userinfo@]host[:port][/path][?query][#fragment]" (http/https too) ->
    # (scheme, userinfo or None, host, port, path with query).  Written here rather than
    # importing mhttp.util (16 KB of RAM on a board for one function).  ValueError on a
    # URI that is not of that shape.
    if not isinstance(uri, str):
        uri = bytes(uri).decode()
    # (no space, control character nor DEL: checked on the UTF-8 bytes, where other
    # characters are bytes 128-255; iterating the str would intern each character as a
    # name on MicroPython, heap for good)
    c = uri.encode()
    if c and (min(c) <= 32 or c.find(b"\x7f") >= 0):
        raise ValueError(_msg(_M_URI_CHAR))
    i = uri.find("://")
    if i <= 0:
        raise ValueError(_msg(_M_URI_ABS, (uri,)))
    scheme = uri[:i].lower()
    if scheme not in ("ws", "wss", "http", "https"):
        raise ValueError(_msg(_M_URI_SCHEME, (uri,)))
    rest = uri[i + 3:]
    h = rest.find("#")
    if h >= 0:
        rest = rest[:h]
    end = len(rest)
    for sep in ("/", "?"):
        k = rest.find(sep)
        if 0 <= k < end:
            end = k
    auth = rest[:end]
    path = rest[end:]
    if not path.startswith("/"):
        path = "/" + path
    userinfo = None
    k = auth.rfind("@")
    if k >= 0:
        userinfo = auth[:k]
        auth = auth[k + 1:]
    port = None
    if auth.startswith("["):
        k = auth.find("]")
        if k < 0:
            raise ValueError(_msg(_M_URI_IPV6, (uri,)))
        host = auth[1:k]
        tail = auth[k + 1:]
        if tail:
            if not tail.startswith(":"):
                raise ValueError(_msg(_M_URI_AUTH, (uri,)))
            port = tail[1:]
    else:
        k = auth.find(":")
        host = auth if k < 0 else auth[:k]
        if k >= 0:
            port = auth[k + 1:]
    if not host:
        raise ValueError(_msg(_M_URI_HOST, (uri,)))
    if port is None or port == "":
        port = 443 if scheme in ("wss", "https") else 80
    else:
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(_msg(_M_URI_PORT, (uri,)))
        port = int(port)
    return scheme, userinfo, host.lower(), port, path


def new_from_uri(uri, protocols=None, compression=True, max_message_size=None,
                 max_frame_size=None, headers=None, origin=None, blocking=False, ctx=None,
                 cafile=None, verify=True, sendname=None, version=None, bufsize=None):
    # A client websocket for a ws:// or wss:// URI (http:// and https:// are taken as
    # their ws twins).  Not connected yet: call connect(timeout).
    #   protocols        subprotocols to offer (strs), in our order of preference
    #   compression      True (offer permessage-deflate), False, or a PerMessageDeflate
    #   headers          extra request fields [(name, value)] (cookies, authorization)
    #   origin           an Origin field (browsers send one; servers may check it)
    #   ctx, cafile, verify, sendname   TLS, as mhttp.client.connect (verification on by
    #                    default; MicroPython needs cafile, or verify=False)
    #   version          None / 1.1: HTTP/1.1; 2: HTTP/2 (RFC 8441) when the client can
    #   blocking         True: the blocking face (connect/receive/send... block; no
    #                    asyncio needed)
    scheme, userinfo, host, port, path = parse_ws_uri(uri)
    tls = scheme in ("wss", "https")
    ws = WebSocket("client", compression, max_message_size, max_frame_size, blocking)
    ws.host = host
    ws.port = port
    if tls:
        ws.tls = True
    default = 443 if tls else 80
    h = host if host.find(":") < 0 else "[" + host + "]"
    ws.authority = (h if port == default else h + ":" + str(port)).encode()
    ws.path = path.encode()
    # (only when given: the defaults are WebSocket's class attributes, board RAM)
    if protocols:
        ws.protocols = list(protocols)
    if origin is not None:
        ws.origin = origin
    if headers is not None:
        ws.request_headers = [(f[0], f[1]) for f in headers]
    if userinfo is not None:
        import binascii
        # mhttp.util's decodeURIComponent, only with credentials in the URI (the names
        # from one long str, not an import statement: the plain path interns neither of
        # them; board RAM)
        m, f = "mhttp.util decodeURIComponent".split()
        cred = getattr(__import__(m, None, None, (f,)), f)(userinfo)
        ws.request_headers = (ws.request_headers or []) + [
            (b"authorization", b"Basic " + binascii.b2a_base64(cred.encode())[:-1])]
    o = ws.options
    for k, v in (("ctx", ctx), ("cafile", cafile), ("sendname", sendname),
                 ("version", version), ("bufsize", bufsize)):
        if v is not None:
            o[k] = v
    if not verify:
        o["verify"] = False
    if "version" not in o:
        o["version"] = 1.1      # no ALPN h2 unless asked: RFC 8441 needs the server's consent
    elif o["version"] == 1 or o["version"] == "1.0":
        # mhttp.client's version 1.0 (1 and 1.0 are equal) sends HTTP/1.0, which no
        # server may accept a WebSocket over: said now, not as a refused handshake
        raise ValueError(_msg(_M_URI_HTTP10))
    if "bufsize" not in o and not blocking and not core.MICROPYTHON:
        o["bufsize"] = 65536    # big messages in few reads on a desktop
    if blocking:
        return _blocking_class()(ws)
    return ws
