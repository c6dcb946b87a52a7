# mhttp._h1_client: the client half of mhttp.h1's H1Protocol (writing a request head,
# parsing a response head), loaded by the first H1Protocol(CLIENT) so that a server does
# not carry it.  Functions take the protocol object as `self`; see mhttp.h1 for the theory
# of operation and the contract.
from mhttp.headers import Headers, _b
# mhttp.h1's helpers read as h1.<name>: one entry in this module's dict instead of
# several (224 B on a board, not 320).
import mhttp.h1 as h1

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

# mhttp.h1's states (private consts there: inlined, so repeated here) and its
# EV_HEADERS (a const there too); tests_host/core/test_request_h1_client.py checks they
# agree with mhttp.h1.
_EV_HEADERS = const(1)
_RS_WAIT = const(0)
_RS_HEAD = const(1)
_RS_CL = const(2)
_RS_CHUNK_SIZE = const(3)
_RS_CLOSE = const(7)
_RS_DONE = const(8)
_RS_TUNNEL = const(9)
_SS_IDLE = const(0)
_SS_CL = const(1)
_SS_CHUNKED = const(2)
_SS_DONE = const(4)
_SS_TUNNEL = const(5)
# mhttp.h1's classes for h1._bad(): bits of h1._CLASS on MicroPython (consts there too);
# on CPython the allowed sets, put here by mhttp._h1_cpy.update() (see mhttp.h1).
_TOKEN = const(1)
_VCHAR = const(2)
_HOST = const(16)
# (const only names the constants above: MicroPython's compiler folds them and the name
# goes, so that this module's dict holds ten entries, a table of 160 B on a board, not
# eleven in 192)
del const
if hasattr(b"", "translate"):
    from mhttp import _h1_cpy
    _h1_cpy.update(globals())

# The request field names send_request looks for, and (from 57) the methods whose empty
# body is sent with content-length: 0, each between two spaces at its offset (:method 1,
# :path 9, :authority 15, :scheme 26, :protocol 34, host 44, upgrade 49); then, between
# "|" (so never found between two spaces), the other bytes this module compares or
# writes: HEAD 73, CONNECT 78, close 86, keep-alive 92, "content-length: 0\r\n" 103,
# "," 123, and " \t" (the last two: the stripped characters).  One constant (board RAM:
# a bytes constant is a heap object even from ROMFS, ~38 B each; one, not eight): the
# methods are compared in place (startswith at their offset), the rest sliced where
# used, on rare paths (a Connection field, an empty POST).  It ends with a space: a
# name without spaces found after a space ends before it.
_W = b" :method :path :authority :scheme :protocol host upgrade POST PUT PATCH " \
     b"|HEAD|CONNECT|close|keep-alive|content-length: 0\r\n|,|\t "



def response_head(self, items):
    # (items: the head's lines, named like request_head's in mhttp._h1_server.)  In three
    # functions, so that the frame live while mhttp.h1's _fields parses the fields (the
    # deepest point of a response) keeps few slots: on MicroPython a function's frame of
    # more than 11 slots takes a heap block for as long as the call runs (while the heap
    # has room), a smaller one the VM's C stack (board RAM: ~0.25 KB of heap at the
    # client's peak, the first response of a connection).
    ver = _status_line(self, items)     # items[0] is now the head's field list
    hl = items.pop(0)
    r = self._fields(items, hl, False)
    return _head(self, ver, hl, r)


def _status_line(self, items):
    # The status-line items[0]: its version is returned, and items[0] replaced by the
    # head's field list, [:status].
    line = items[0]
    if len(line) > self.max_line:
        raise h1._err(18, self.max_line)  # status-line longer than %d bytes
    # The version and the code as line.split(b" ", 2) would give them, without the
    # list and the third copy it makes (board RAM: per response).
    i = line.find(b" ")
    if i < 0:
        raise h1._err(69, line[:60])  # malformed status-line %r
    ver = h1._version(line[:i], False)
    e = line.find(b" ", i + 1)
    code = line[i + 1:] if e < 0 else line[i + 1:e]
    if len(code) != 3 or not code.isdigit() or code[0] == 48:
        raise h1._err(70, code[:10])  # malformed status code %r
    items[0] = [(b":status", code, False)]
    return ver


def _head(self, ver, hl, r):
    # The response head's event, from its fields hl and what _fields found (r).
    _, cl, te, conn, _ = r
    status = int(hl[0][1])
    self.their_version = ver
    headers = Headers._trusted(hl)
    if status < 200:
        if status == 101:
            if not self._upgrade:
                # RFC 9110 §15.2.2: a server may switch only to a protocol the client
                # asked for in Upgrade; an unasked 101 cannot be followed.
                raise h1._err(71)  # 101 Switching Protocols to a request without Upgrade
            self.upgraded = True
            self._rs = _RS_TUNNEL
            self._ss = _SS_TUNNEL
            self.their_done = True
        return (_EV_HEADERS, headers, False)
    if conn is not None:
        # (loops, not comprehensions, here and in send_request: a comprehension's code
        # object costs heap even from ROMFS)
        toks = []
        for x in conn.lower().split(_W[123:124]):
            toks.append(x.strip(_W[125:]))
        # (ver is b"1.0" or b"1.1", from mhttp.h1._version: its last byte tells them apart)
        if _W[86:91] in toks or (ver[2] == 48 and _W[92:102] not in toks):   # close, keep-alive
            self.keep_alive = False
    elif ver[2] == 48:
        self.keep_alive = False
    m = self._method
    if m is not None and len(m) == 7 and _W.startswith(m, 78) and status < 300:   # CONNECT
        self.upgraded = True
        self._rs = _RS_TUNNEL
        self._ss = _SS_TUNNEL
        self.their_done = True
        return (_EV_HEADERS, headers, False)
    # RFC 9112 §6.3, in its order: a response to HEAD and a 204/304 (items 1-2) have no
    # body whatever Content-Length / Transfer-Encoding say (they describe the response
    # the request would otherwise have had); a Content-Length there is still checked and
    # collapsed as on any response (RFC 9110 §8.6: the size a caller may read from it).
    body = not (m is not None and len(m) == 4 and _W.startswith(m, 73) or status == 204 or
                status == 304)     # HEAD
    if te is not None and body:
        # (its framing is read by mhttp._h1_rare, which reads the body too)
        from mhttp._h1_rare import _te_response
        _te_response(self, te, cl)
    elif cl is not None:
        n = h1._parse_cl(cl, None)
        if not cl.isdigit():
            # a list of identical values: one content-length field (mhttp._h1_rare;
            # headers holds hl itself)
            from mhttp._h1_rare import _cl_one
            _cl_one(hl, n)
        if body and n:
            if self.max_body is not None and n > self.max_body:
                raise h1._err(73, n, 413)  # Content-Length %d exceeds the body limit
            self._rleft = n
            self._rs = _RS_CL
        else:
            body = False
    elif body:
        # RFC 9112 §6.3 item 8: read until the connection closes.
        self.keep_alive = False
        self._rs = _RS_CLOSE
    if not body:
        self._rs = _RS_DONE
        self.their_done = True
    return (_EV_HEADERS, headers, not body)


def send_request(self, headers, end_stream):
    if self._ss != _SS_IDLE:
        raise h1._err(74, None, None)  # request head already sent
    method = path = authority = None
    host = upgrade = False
    # The field names looked for here are in _W: a name is the word found between two
    # spaces, at its offset: :method 1, :path 9, :authority 15, :scheme 26, :protocol 34,
    # host 44, upgrade 49.  (A name with a space in it is none of them.)
    w = _W
    for f in headers:
        n = f[0]
        if type(n) is not bytes:
            n = _b(n).lower()
        i = w.find(n)
        # (no space in n first: then a match ends before w's last space, so w[i + len(n)]
        # is inside w)
        if i > 0 and n.find(b" ") < 0 and w[i - 1] == 32 and w[i + len(n)] == 32:
            if i == 1:
                method = _b(f[1])
            elif i == 9:
                path = _b(f[1])
            elif i == 15:
                authority = _b(f[1])
            elif i == 44:
                host = True
            elif i == 49:
                upgrade = True
        elif n and n[0] == 58:       # ":" (no slice: RAM on boards)
            raise h1._err(75, n, None)  # unknown pseudo-header %r
    if method is None or not method or h1._bad(method, _TOKEN):
        raise h1._err(76, None, None)  # invalid or missing :method
    connect = len(method) == 7 and w.startswith(method, 78)     # CONNECT
    if connect:
        path = authority
    if not path or h1._bad(path, _VCHAR):
        raise h1._err(77, None, None)  # invalid or missing :path (no spaces or CTLs allowed)
    if authority is not None and not host:
        if h1._bad(authority, _HOST):
            raise h1._err(78, authority[:60], None)  # invalid :authority %r
        # the request line's end and the host field's name in one constant (board RAM:
        # a bytes constant is a heap object even from ROMFS; one piece less to join)
        out = [method, b" ", path, b" HTTP/1.1\r\nhost: ", authority, b"\r\n"]
    elif not host:
        raise h1._err(79, None, None)  # an HTTP/1.1 request needs :authority or host
    else:
        # a host field given: the request line ends before it (" HTTP/1.1\r\n")
        out = [method, b" ", path, b" HTTP/1.1\r\nhost: "[:11]]
    cl, te, conn = self._out_fields(headers, out)
    self._method = method
    if upgrade:
        self._upgrade = True
    if conn is not None:
        for conn in conn.lower().split(w[123:124]):     # (conn: a slot reused)
            if conn.strip(w[125:]) == w[86:91]:     # close
                self.keep_alive = False
                break
    if connect:
        self._ss = _SS_DONE
    elif cl is not None:
        h1._out_framing(self, cl, te, end_stream)
    elif te is not None or not end_stream:
        # A chunked body (given, or of unknown length): the rest of the head by
        # mhttp._h1_rare (its constants are not carried by every client).
        from mhttp._h1_rare import _req_chunked
        return _req_chunked(self, out, te, end_stream)
    elif end_stream:
        # POST, PUT or PATCH: method (a token: no spaces) found between two spaces in w,
        # from offset 57 (i -1: [-2] is no space)
        i = w.find(method, 57)
        if w[i - 1] == 32 and w[i + len(method)] == 32:
            out.append(w[103:122])     # content-length: 0\r\n
        self._ss = _SS_DONE
    out.append(b"\r\n")
    if self._ss == _SS_DONE:
        self.our_done = True
    if self._rs == _RS_WAIT:
        self._rs = _RS_HEAD
    return b"".join(out)
