# mhttp._ws_open: a client WebSocket's opening handshake, out of mhttp.websocket: the
# handshake of WebSocket.connect (a connection runs it once; parse_ws_uri and new_from_uri,
# which run before, are mhttp._ws_uri's).  On MicroPython mhttp.websocket drops this
# module (and mhttp._ws_hs) from sys.modules once connect() has its answer, with the
# HTTP/1.1 client's modules the handshake loaded (unload(); board RAM: their function
# objects, constants and, from .mpy files, their bytecode are then freed).
from mhttp.ws import _msg, MICROPYTHON
from mhttp.websocket import _deadline, _left

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

# Error messages: ids into mhttp._ws_msg.MSG (see mhttp.ws, "Error messages").
_M_CONNECT_USED = const(43)
# mhttp.websocket's ready_state values (test_ws_lazy.test_ready_state_names compares them)
_CONNECTING = const(0)
_CLOSED = const(3)


async def connect(self, timeout):
    # WebSocket.connect(timeout) up to the checked response (self: the WebSocket): sets
    # self.connection, self.headers, self.protocol and returns (stream, extensions); on
    # any failure the connection is aborted (ready_state CLOSED) and the error raised.
    # The plain case (ws://, HTTP/1.1, no extra request fields nor Origin, and a 101
    # answer head that is plain ASCII; see request_head, response_head) is
    # written and read here, without mhttp.client's negotiation nor mhttp.h1 (board
    # RAM: the HTTP/1.1 client's modules, ~14 KB of a board's heap, are never loaded);
    # the same bytes go out, and anything else the plain case does not cover (another
    # status, an interim 1xx, a head mhttp.h1 might refuse or read otherwise, EOF) is
    # handed, with every byte read so far, to mhttp.h1_connection, which answers as it
    # always did (mhttp._ws_gen.handover).  Everything else (TLS, options other than the
    # HTTP version, 1.1, and the buffer size, extra request fields, an Origin) takes
    # mhttp.client.connect and mhttp.h1_connection (mhttp._ws_gen.connect; board RAM:
    # that code is not loaded on the plain path).
    if self.type != "client" or self.ready_state != _CONNECTING:
        from mhttp.errors import Error      # (board RAM: mhttp.ws._is)
        raise Error(_msg(_M_CONNECT_USED))
    end = _deadline(timeout)
    o = {"host": self.host, "port": self.port, "tls": self.tls, "blocking": self.blocking}
    for k in self.options:
        o[k] = self.options[k]
    # (the plain case's test written here, not in a function: a def and a name less)
    plain = not self.tls and self.request_headers is None and self.origin is None and \
        self.options.get("version") == 11 / 10
    for k in self.options:
        if k != "version" and k != "bufsize":
            plain = False
    if not plain:
        from mhttp._ws_gen import connect as c
        return await c(self, o, end)
    # mhttp.client.connect's steps for these options (no TLS, no version to negotiate),
    # without its negotiate (which would load mhttp.h1_connection)
    import _mhttp_port
    kw = {}
    if o.get("bufsize"):
        kw["bufsize"] = o["bufsize"]
    if self.blocking:
        io = _mhttp_port.open_connection_blocking(self.host, int(self.port), None, None,
                                                 None, _left(end), **kw)
    else:
        io = await _mhttp_port.open_connection(self.host, int(self.port), None, None, None,
                                               _left(end), **kw)
    buf = r = t = None
    eof = False
    try:
        # The request (_request), made once the socket and its buffer are (board RAM: the
        # connection's long-lived blocks are made before the handshake's code, which is
        # freed after it, not above it); on MicroPython its code, mhttp._ws_req, is
        # dropped before mhttp._ws_hs (the answer's check) loads: the handshake's peak
        # holds one of the two.
        head, key = _request(self)
        if MICROPYTHON:
            unload(None, "_ws_req")
        if head is not None:
            await io.send([head], _left(end))
            head = None
            buf = b""
            while r is None:
                r = response_head(buf)
                if r is None:
                    # (the whole head within the timeout, however it trickles: each read
                    # waits what is left, as H1Stream.get_headers)
                    data = await io.recv(_left(end))
                    if not data:
                        eof = True      # (mhttp.h1 says what it means)
                        break
                    # (a view of the I/O object's buffer: copied, once)
                    buf = buf + data if buf else bytes(data)
            if r:
                from mhttp._ws_hs import client_check_response
                # the plain 101: its fields, and what the server sent after it.  On
                # MicroPython ws.headers is the list of fields until start() keeps them
                # in its compact form (board RAM: no Headers, mhttp.headers not loaded);
                # a Headers on CPython, and after a failure (below)
                buf = buf[r[1]:]
                self.headers = r[0]
                proto, exts = client_check_response(r[0], key, self.protocols,
                                                    self.compression, False)
                if not MICROPYTHON:
                    from mhttp.headers import Headers
                    self.headers = Headers._trusted(r[0])
    except BaseException:
        if type(self.headers) is list:
            # (a refused 101, HandshakeError: ws.headers holds the response head)
            from mhttp.headers import Headers
            self.headers = Headers._trusted(self.headers)
        # (ws.connection: the HTTP/1.1 connection mhttp.client would have made, aborted)
        self.ready_state = _CLOSED
        from mhttp._ws_gen import h1
        self.connection = h1(io, o)
        self.connection.abort()
        raise
    if not r:
        # not plain after all: a path, host or subprotocol mhttp.h1 checks (head None:
        # it writes the request), or an answer mhttp.h1 reads (buf and EOF: its input)
        from mhttp._ws_gen import handover
        from mhttp._ws_hs import client_request
        req = client_request(self.authority, self.path, key, self.protocols,
                             self.compression, b"http", False, None)
        return await handover(self, io, o, end, key, req, buf, eof, t)
    self.protocol = proto.decode() if proto is not None else None
    # HTTP/1.1 after the 101: the tunnel straight over the I/O object (mhttp._ws_tun),
    # made by mhttp.websocket.connect from (io, the bytes read past the head): there,
    # after this module and mhttp._ws_hs are dropped (board RAM: the handshake's peak,
    # ws client, ROMFS, live 37.5 -> 36.5 KB)
    return (io, buf or None), exts


def _request(self):
    # The plain case's request head (mhttp._ws_req.request_head, or None) and key, from
    # mhttp._ws_req.  (A plain function, not in connect: a suspended coroutine's frame
    # keeps stale values in its unused slots, where the GC finds them; the module, kept
    # alive so, would keep all its code.)  The fields as a list, no Headers:
    # mhttp.headers is not loaded on the plain path (board RAM); a handover makes
    # client_request's Headers.
    from mhttp._ws_req import client_key, _request as rq, request_head
    key = client_key()
    return request_head(rq(self.authority, self.path, key, self.protocols, self.compression,
                           b"http", False, None)), key


def _ascii(data, start):
    # data's bytes are all in start..126 (data not empty)
    return len(data) > 0 and min(data) >= start and max(data) <= 126


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
    if len(x) < 12 or len(x) > 12 and x[12] != 32:
        # (a shorter first line, empty too, is no 101 to mhttp.h1: the prefix check
        # above only held while bytes were missing)
        return False
    # (mhttp.headers.NEVER_INDEX_DEFAULT, written out: the plain path does not load
    # mhttp.headers, board RAM)
    ni = (b"authorization", b"proxy-authorization", b"cookie", b"set-cookie")
    out = [(b":status", b"101", False)]
    for x in lines[1:]:
        c = x.find(b":")
        if c <= 0:
            return False
        name = x[:c]
        for k in name:
            # a token's characters (RFC 9110 §5.6.2: digits, letters, !#$%&'*+-.^_`|~;
            # ints: chr() would intern each character as a name on MicroPython)
            if not (48 <= k <= 57 or 97 <= k | 32 <= 122
                    or k in (33, 35, 36, 37, 38, 39, 42, 43, 45, 46, 94, 95, 96, 124, 126)):
                return False
        name = name.lower()
        out.append((name, x[c + 1:].strip(b" \t"), name in ni))
    return out, e + 4


def loaded():
    # The HTTP/1.1 client's modules now loaded that a connected WebSocket no longer needs
    # (one str; the only list of them: unload takes its candidates from here too).
    # _h1_rare and _h1_text: mhttp.h1's error and rare paths, which a handshake that
    # failed there loads; they hold mhttp.h1's globals (a dropped mhttp.h1 would stay
    # alive beside the copy a later request imports).
    import sys
    return " ".join([m for m in
                     "client _client_tls h1_connection stream_common h1 _h1_client _h1c_rare "
                     "_h1c_stream _h1_rare _h1_text".split() if "mhttp." + m in sys.modules])


def unload(keep=None, data="_ws_start _ws_open _ws_gen _ws_req _ws_hs"):
    # Drops a client's setting-up modules from sys.modules (and the package) once its
    # handshake is done (mhttp.websocket.connect, MicroPython: board RAM): this module and
    # mhttp._ws_gen, and mhttp._ws_hs unless a server half (mhttp._ws_server) uses it
    # (private: nothing but a handshake reads them, and one in flight holds what it uses).
    # keep: None (the asyncio face, where other tasks run during the handshake and may
    # import the HTTP/1.1 client's modules themselves): those only.  Else (the blocking
    # face: nothing else ran since loaded() gave keep) also the HTTP/1.1 client's modules
    # the handshake loaded (a fallback, or a failure: the plain case loads none), not
    # those in keep (the program's own imports stay), nor mhttp._h1_client while mhttp.h1
    # stays (its global _CLI holds it).  After a 101 no object of theirs is left (the
    # tunnel, mhttp._ws_tun, replaced the connection), so their objects and code are
    # freed; a failed handshake's ws.connection holds them until the WebSocket goes.  A
    # later new_from_uri / connect imports them again.  (Here, not in mhttp.websocket:
    # its code is freed with the module.  Only loaded modules are dropped: delattr would
    # intern a name.)
    # data: the names of the setting-up modules to drop (connect: _ws_req alone, once
    # the request is written).
    import sys
    import mhttp
    if keep is not None:
        data += " " + loaded()
        if "h1" in keep.split():
            keep += " _h1_client"     # (a str of 11: no interned name)
        keep = keep.split()
    for m in data.split():
        if keep is not None and m in keep or \
                (m == "_ws_hs" and "mhttp._ws_server" in sys.modules) or \
                sys.modules.pop("mhttp." + m, None) is None:
            continue
        try:
            delattr(mhttp, m)
        except (AttributeError, KeyError):
            pass
