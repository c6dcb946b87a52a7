# mhttp._ws_open: a client WebSocket's setting up, out of mhttp.websocket: parse_ws_uri,
# new_from_uri and the opening handshake of WebSocket.connect (a connection runs them
# once).  mhttp.websocket keeps a stub of new_from_uri and gives parse_ws_uri through its
# module __getattr__; on MicroPython it drops this module (and mhttp._ws_hs) from
# sys.modules once connect() has its answer, with the HTTP/1.1 client's modules the
# handshake loaded (unload(); board RAM: their function objects, constants and, from
# .mpy files, their bytecode are then freed).
from mhttp.errors import Error, ConnectionClosed
from mhttp import ws as core
from mhttp.ws import _msg
from mhttp._ws_hs import client_key, client_request, client_check_response
from mhttp.headers import Headers
from mhttp.websocket import (WebSocket, CONNECTING, CLOSED, _deadline, _left,
                             _blocking_class)

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

# Error messages: ids into mhttp._ws_msg.MSG (see mhttp.ws, "Error messages").
_M_CONNECT_USED = const(43)
_M_NO_RESPONSE = const(45)
_M_URI_CHAR = const(48)
_M_URI_ABS = const(49)
_M_URI_SCHEME = const(50)
_M_URI_IPV6 = const(51)
_M_URI_AUTH = const(52)
_M_URI_HOST = const(53)
_M_URI_PORT = const(54)


async def connect(self, timeout):
    # WebSocket.connect(timeout) up to the checked response (self: the WebSocket): sets
    # self.connection, self.headers, self.protocol and returns (stream, extensions); on
    # any failure the connection is aborted (ready_state CLOSED) and the error raised.
    # The plain case (ws://, HTTP/1.1, no extra request fields nor Origin, and a 101
    # answer head that is plain ASCII; see _plain, request_head, response_head) is
    # written and read here, without mhttp.client's negotiation nor mhttp.h1 (board
    # RAM: the HTTP/1.1 client's modules, ~14 KB of a board's heap, are never loaded);
    # the same bytes go out, and anything else the plain case does not cover (another
    # status, an interim 1xx, a head mhttp.h1 might refuse or read otherwise, EOF) is
    # handed, with every byte read so far, to mhttp.h1_connection, which answers as it
    # always did.  Everything else takes mhttp.client.connect and mhttp.h1_connection.
    if self.type != "client" or self.ready_state != CONNECTING:
        raise Error(_msg(_M_CONNECT_USED))
    end = _deadline(timeout)
    o = {"host": self.host, "port": self.port, "tls": self.tls, "blocking": self.blocking}
    for k in self.options:
        o[k] = self.options[k]
    conn = io = None
    if _plain(self):
        # mhttp.client.connect's steps for these options (no TLS, no version to
        # negotiate), without its negotiate (which would load mhttp.h1_connection)
        import _mhttp_port
        kw = {}
        if o.get("bufsize"):
            kw["bufsize"] = o["bufsize"]
        if self.blocking:
            io = _mhttp_port.open_connection_blocking(self.host, int(self.port), None, None,
                                                     None, _left(end), **kw)
        else:
            io = await _mhttp_port.open_connection(self.host, int(self.port), None, None,
                                                   None, _left(end), **kw)
    else:
        from mhttp import client
        conn = await client.connect(o, _left(end))
        self.connection = conn
    try:
        h2 = conn is not None and getattr(conn, "version", 1.1) == 2    # (2 or 2.0)
        if h2:
            from mhttp._ws_more import _h2_check
            await _h2_check(conn, end)
        if conn is not None:
            stream = conn.new_stream()
        key = None if h2 else client_key()
        req = client_request(self.authority, self.path, key, self.protocols, self.compression,
                             b"https" if self.tls else b"http", h2, self.origin)
        if self.request_headers is not None:
            for f in self.request_headers:
                req.append(f[0], f[1])
        t = None
        if conn is None:
            head = request_head(req)
            if head is None:
                # not plain after all (a path, host or subprotocol mhttp.h1 checks)
                conn = self.connection = _h1(io, o)
                stream = conn.new_stream()
        if conn is None:
            await io.send([head], _left(end))
            t = _left(end)      # (one timeout per read, as H1Stream.get_headers has it)
            buf = b""
            r = data = None
            while r is None:
                r = response_head(buf)
                if r is None:
                    data = await io.recv(t)
                    if not data:
                        break       # (EOF: mhttp.h1 says what it means)
                    buf += bytes(data)      # (a view of the I/O object's buffer)
            if r:
                # the plain 101: its fields, and what the server sent after it
                resp = Headers._trusted(r[0])
                buf = buf[r[1]:]
            else:
                # mhttp.h1 reads this answer: the request it would have written went
                # out, the bytes read so far (and EOF) are its input
                conn = self.connection = _h1(io, o)
                stream = conn.new_stream()
                stream.headers_sent = True
                conn.p.send_headers(req, True)
                if buf:
                    conn.p.receive_data(buf)
                if r is None:
                    conn._eof = True
                    conn.p.receive_data(b"")
        else:
            # HTTP/1.1: a GET without a body (end_stream), the tunnel opens with the 101.
            # HTTP/2: the CONNECT stream stays open: it is the tunnel.
            await stream.write_headers(req, not h2, _left(end))
        if conn is not None:
            while True:
                resp = await stream.get_headers(_left(end) if t is None else t)
                t = None
                if resp is None:
                    raise ConnectionClosed(_msg(_M_NO_RESPONSE))
                st = resp.get(b":status") or b""
                if st[:1] != b"1" or st == b"101":
                    break
        self.headers = resp
        proto, exts = client_check_response(resp, key, self.protocols, self.compression, h2)
    except BaseException:
        self.ready_state = CLOSED
        if conn is None:
            conn = self.connection = _h1(io, o)
        conn.abort()
        raise
    self.protocol = proto.decode() if proto is not None else None
    if not h2:
        # HTTP/1.1 after the 101: the tunnel straight over the I/O object takes the
        # place of the connection and its stream (mhttp._ws_tun): the WebSocket keeps
        # no HTTP/1.1 object, and on MicroPython unload() drops the modules only the
        # handshake needed (board RAM).
        from mhttp._ws_tun import Tunnel
        if conn is None:
            stream = Tunnel(io, resp, buf or None, False, getattr(io, "send_nowait", None))
        else:
            # what the HTTP/1.1 parser read past the 101 head, and whether the peer had
            # already ended its side
            data = None
            eof = conn._eof
            ev = conn.p.next_event()
            if ev is not None:
                data = ev[1] or None
                if ev[2]:
                    eof = True
            stream = Tunnel(conn.io, resp, data, eof, conn._nowait)
        self.connection = stream
    return stream, exts


def _h1(io, o):
    # The HTTP/1.1 connection mhttp.client.connect would have made over io.
    from mhttp.client import negotiate
    return negotiate(io, o, 11 / 10)


def _plain(self):
    # Whether connect() may take the plain case: ws://, no options but the HTTP version
    # (1.1) and the buffer size, no extra request fields, no Origin.
    if self.tls or self.request_headers is not None or self.origin is not None:
        return False
    o = self.options
    for k in o:
        if k != "version" and k != "bufsize":
            return False
    return o.get("version") == 11 / 10


def _ascii(s, lo):
    # s's bytes are all in lo..126 (s not empty)
    return len(s) > 0 and min(s) >= lo and max(s) <= 126


def request_head(h):
    # The bytes mhttp.h1 writes for the plain case's GET, the Headers h from
    # client_request (H1Protocol(CLIENT).send_headers(h, True)), or None when h holds
    # anything mhttp.h1 checks that is not plain ASCII (it then writes it itself):
    # a path of VCHARs, a host of letters, digits and ".-:[]", values of SP and VCHARs.
    path = h.get(b":path")
    auth = h.get(b":authority")
    if not _ascii(path, 33) or not _ascii(auth, 33):
        return None
    for c in auth:
        if not (48 <= c <= 57 or 97 <= c | 32 <= 122 or chr(c) in ".-:[]"):
            return None
    out = [b"GET ", path, b" HTTP/1.1\r\nhost: ", auth, b"\r\n"]
    for f in h:
        if f[0][0] != 58:      # (":", a pseudo-header)
            if not _ascii(f[1], 32):
                return None
            out.append(f[0])
            out.append(b": ")
            out.append(f[1])
            out.append(b"\r\n")
    out.append(b"\r\n")
    return b"".join(out)


def response_head(buf):
    # The plain case's answer in buf (bytes read so far): None while more bytes are
    # needed, False when it is not the plain case (mhttp.h1 then reads it), else
    # (fields, end): the head's fields as mhttp.h1 gives them to Headers._trusted and
    # the offset of the bytes after it.  Plain: "HTTP/1.1 101" with an optional reason,
    # at most 100 fields "name: value" of SP and VCHARs (names tokens), at most 4096
    # bytes, CRLF only: what mhttp.h1 takes the same way (its limits are larger).
    e = buf.find(b"\r\n\r\n")
    b = buf if e < 0 else buf[:e]
    if e < 0 and b[-1:] == b"\r":
        b = b[:-1]      # (a CRLF in two reads)
    if len(b) > 4096 or b[:12] != b"HTTP/1.1 101"[:len(b)]:
        return False
    lines = b.split(b"\r\n")
    if len(lines) > 101:
        return False
    for x in lines:
        if x and not _ascii(x, 32):
            return False
    if e < 0:
        return None
    x = lines[0]
    if len(x) > 12 and x[12] != 32:
        return False
    from mhttp.headers import NEVER_INDEX_DEFAULT
    out = [(b":status", b"101", False)]
    for x in lines[1:]:
        c = x.find(b":")
        if c <= 0:
            return False
        name = x[:c]
        for k in name:
            if k < 33 or chr(k) in "\"(),/:;<=>?@[\\]{}":
                return False
        name = name.lower()
        out.append((name, x[c + 1:].strip(b" \t"), name in NEVER_INDEX_DEFAULT))
    return out, e + 4


def parse_ws_uri(uri):
    # "ws[s]://[userinfo@]host[:port][/path][?query][#fragment]" (http/https too) ->
    # (scheme, userinfo or None, host, port, path with query).  Written here rather than
    # importing mhttp.util (16 KB of RAM on a board for one function).  ValueError on a
    # URI that is not of that shape.
    if not isinstance(uri, str):
        uri = bytes(uri).decode()
    for c in uri:
        if c <= " " or c == "\x7f":
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
    ws.tls = tls
    default = 443 if tls else 80
    h = host if host.find(":") < 0 else "[" + host + "]"
    ws.authority = (h if port == default else "%s:%d" % (h, port)).encode()
    ws.path = path.encode()
    ws.protocols = list(protocols) if protocols else None
    ws.origin = origin
    if headers is not None:
        ws.request_headers = [(f[0], f[1]) for f in headers]
    if userinfo is not None:
        import binascii
        from mhttp.util import decodeURIComponent   # only with credentials in the URI
        cred = decodeURIComponent(userinfo)
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
    if "bufsize" not in o and not blocking and not core.MICROPYTHON:
        o["bufsize"] = 65536    # big messages in few reads on a desktop
    if blocking:
        return _blocking_class()(ws)
    return ws


# The HTTP/1.1 client's modules a connected WebSocket no longer needs (see unload).
_H1 = "client _client_tls h1_connection stream_common h1 _h1_client _h1c_rare _h1c_stream"


def loaded():
    # Which of _H1 are loaded before a connect (one str: unload keeps them).
    import sys
    return " ".join([m for m in _H1.split() if "mhttp." + m in sys.modules])


def unload(keep=""):
    # Drops a client's setting-up modules from sys.modules (and the package) once its
    # handshake is done (mhttp.websocket.connect, MicroPython: board RAM): this module,
    # and mhttp._ws_hs unless a server half (mhttp._ws_server) uses it; and the HTTP/1.1
    # client's modules (_H1) the handshake loaded, not those loaded before (keep, from
    # loaded(): the program's own imports stay), nor mhttp._h1_client while mhttp.h1
    # stays (its global _CLI holds it).  After a 101 no object of theirs is left (the
    # tunnel, mhttp._ws_tun, replaced the connection), so their objects and code are
    # freed; a failed handshake's ws.connection holds them until the WebSocket goes.
    # A later new_from_uri / connect imports them again.  (Here, not in
    # mhttp.websocket: its code is freed with the module.)
    import sys
    import mhttp
    keep = keep.split()
    if "h1" in keep:
        keep.append("_h1_client")
    for m in ("_ws_open _ws_hs " + _H1).split():
        if m in keep or (m == "_ws_hs" and "mhttp._ws_server" in sys.modules):
            continue
        sys.modules.pop("mhttp." + m, None)
        try:
            delattr(mhttp, m)
        except (AttributeError, KeyError):
            pass
