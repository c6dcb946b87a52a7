# mhttp._h1_server: the server half of mhttp.h1's H1Protocol (parsing a request head,
# writing a response head), loaded by the first H1Protocol(SERVER) so that a client does
# not carry it.  Functions take the protocol object as `self`; see mhttp.h1 for the theory
# of operation and the contract.
from mhttp.headers import Headers, _b
from mhttp.h1 import _bad, _err, _parse_cl, _out_framing, _version

# RAM on boards: at most 12 module globals (MicroPython's dict of 13-17 entries takes
# 320 B, of up to 12 224 B): mhttp.h1's EV_HEADERS and character classes are private
# const()s here, const itself is defined for CPython only.
if hasattr(b"", "translate"):       # CPython
    def const(n):
        return n

_EV_HEADERS = const(1)          # mhttp.h1.EV_HEADERS
# mhttp.h1's classes for _bad(): bits of h1._CLASS on MicroPython; on CPython the
# allowed sets, put here by mhttp._h1_cpy.update() (see mhttp.h1).
_TOKEN = const(1)
_VCHAR = const(2)
_HOST = const(16)
if hasattr(b"", "translate"):
    from mhttp import _h1_cpy
    _h1_cpy.update(globals())

# mhttp.h1's states (private consts there: inlined, so repeated here).
_RS_CL = const(2)
_RS_CHUNK_SIZE = const(3)
_RS_DONE = const(8)
_RS_TUNNEL = const(9)
_SS_IDLE = const(0)
_SS_CL = const(1)
_SS_CHUNKED = const(2)
_SS_CLOSE = const(3)
_SS_DONE = const(4)
_SS_TUNNEL = const(5)


# Status lines by code, built on first use (bounded).  200's is here from the start, so
# a server that only answers 200 never loads the reason phrases (mhttp._reasons).
_STATUS_LINES = {200: b"HTTP/1.1 200 OK\r\n"}


def request_head(self, items):
    # items: the head's lines (the request-line first), split at CRLF.
    lines = items
    line = lines[0]
    if len(line) > self.max_line:
        raise _err(17, self.max_line, 414)  # request-line longer than %d bytes
    # Cut at its two spaces (not split(): a list and a version object less per request,
    # board RAM).
    if line.count(b" ") != 2:
        # malformed request-line %r (RFC 9112 §3: method SP request-target SP HTTP-version)
        raise _err(56, line[:60])
    i = line.find(b" ")
    j = line.rfind(b" ")
    if len(line) - j == 9 and line.startswith(b"HTTP/1.1", j + 1):
        ver = b"1.1"
    else:
        ver = _version(line[j + 1:], True)
    method = line[:i]
    target = line[i + 1:j]
    if not method or _bad(method, _TOKEN):
        raise _err(21, method[:20])  # invalid request method %r
    if not target or _bad(target, _VCHAR):
        raise _err(57, target[:60])  # invalid request-target %r
    connect = method == b"CONNECT"
    if connect or target[0] != 47:
        # authority-form (CONNECT), asterisk-form, absolute-form: mhttp._h1_rare
        from mhttp._h1_rare import _target_pseudo
        hl = _target_pseudo(self, method, target, connect)
    else:
        hl = [(b":method", method, False), (b":path", target, False),
              (b":scheme", self.scheme, False)]
    own_auth = connect or len(hl) == 4      # the target named the authority (Host ignored)
    self.their_version = ver
    self._method = method
    del lines[0]
    host, cl, te, conn, expect = self._fields(lines, hl, True)
    if host is not None:
        if _bad(host, _HOST):
            raise _err(62, host[:60])  # invalid Host %r
        if not own_auth:
            hl.insert(2, (b":authority", host, False))
    elif ver == b"1.1":
        # HTTP/1.1 request without Host (RFC 9112 §3.2: a server MUST respond with 400)
        raise _err(63)
    # keep-alive: RFC 9112 §9.3.
    if conn is not None:
        if conn != b"keep-alive":
            # (loops, not comprehensions, here and in send_response: a comprehension's
            # code object costs heap even from ROMFS)
            ka = False
            for x in conn.lower().split(b","):
                x = x.strip(b" \t")
                if x == b"close":
                    self.keep_alive = False
                elif x == b"keep-alive":
                    ka = True
            if ver == b"1.0" and not ka:
                self.keep_alive = False
    elif ver == b"1.0":
        self.keep_alive = False
    body = True
    if te is not None:
        if cl is not None:
            # both Content-Length and Transfer-Encoding (RFC 9112 §6.3: the request is to be
            # treated as an error)
            raise _err(64)
        if ver == b"1.0":
            # Transfer-Encoding in an HTTP/1.0 request (RFC 9112 §6.1: the framing is faulty)
            raise _err(65)
        from mhttp._h1_rare import _te_chunked
        _te_chunked(te, True)
        self._rs = _RS_CHUNK_SIZE
    elif cl is not None:
        n = _parse_cl(cl, self.max_body)
        if n:
            self._rleft = n
            self._rs = _RS_CL
        else:
            body = False
    else:
        body = False
    if not body:
        self._rs = _RS_DONE
        self.their_done = True
    elif expect is not None and ver == b"1.1" and expect.lower() == b"100-continue":
        self.expect_continue = True
    return (_EV_HEADERS, Headers._trusted(hl), not body)


def send_response(self, headers, end_stream, extra=None):
    # extra: serialised field lines (a sequence of bytes pieces) written after the
    # given fields, before the blank line (the driver's Date and Server).
    if self._ss != _SS_IDLE:
        raise _err(66, None, None)  # response head already sent
    status = None
    # (the list of a Headers, iterated without an iterator object: board RAM)
    headers = getattr(headers, "_l", headers)
    for f in headers:
        n = f[0]
        if type(n) is not bytes:
            n = _b(n)
        if n == b":status":
            status = _b(f[1])
            break
    if status is None or len(status) != 3 or not status.isdigit() or status[0] == 48:
        raise _err(67, None, None)  # a response needs a 3-digit :status
    code = int(status)
    line = _STATUS_LINES.get(code)
    if line is None:
        from mhttp._reasons import reason
        line = b"HTTP/1.1 %d %s\r\n" % (code, reason(code))
        if len(_STATUS_LINES) < 64:
            _STATUS_LINES[code] = line
    out = [line]
    cl, te, conn = self._out_fields(headers, out)
    if code < 200 or code == 204:
        # RFC 9110 §8.6 / RFC 9112 §6.1: a 1xx or 204 response carries neither
        # Content-Length nor Transfer-Encoding: a handler's are dropped (a 304 keeps
        # them: they describe the representation).
        if cl is not None or te is not None:
            from mhttp._h1_rare import _drop
            if cl is not None:
                _drop(out, b"content-length")
                cl = None
            if te is not None:
                _drop(out, b"transfer-encoding")
                te = None
    elif te is not None:
        if cl is not None:
            # content-length and transfer-encoding in one response (RFC 9112 §6.2)
            raise _err(68, None, None)
        if self.their_version != b"1.1":
            # RFC 9112 §6.1: no Transfer-Encoding to an HTTP/1.0 client, whatever the
            # handler set: dropped, and the body is close-delimited below.
            from mhttp._h1_rare import _drop
            _drop(out, b"transfer-encoding")
            te = None
    if code < 200:
        if code == 101:
            self.upgraded = True
            self._ss = _SS_TUNNEL
            self._rs = _RS_TUNNEL
            self.our_done = True
        self.expect_continue = False
        if extra:
            out.extend(extra)
        out.append(b"\r\n")
        return b"".join(out)
    if self._method is None:
        # Answering a missing request (408, ...): close after.  (After an unparseable
        # one, the H1Error already cleared keep_alive; _method is set once a
        # request-line parsed.)
        self.keep_alive = False
    if self.expect_continue and not self.their_done:
        # RFC 9110 §10.1.1: the client may or may not send the body now; do not reuse.
        self.keep_alive = False
    if self.expect_continue:
        self.expect_continue = False
    if conn is not None:
        for x in conn.lower().split(b","):
            if x.strip(b" \t") == b"close":
                self.keep_alive = False
    method = self._method
    if method == b"CONNECT" and code < 300:
        self.upgraded = True
        self._ss = _SS_TUNNEL
        self._rs = _RS_TUNNEL
        self.our_done = True
        if extra:
            out.extend(extra)
        out.append(b"\r\n")
        return b"".join(out)
    if method == b"CONNECT":
        self.keep_alive = False
    if method == b"HEAD" or code == 204 or code == 304:
        self._ss = _SS_DONE     # (a response to HEAD: send_data drops body bytes)
    elif cl is not None or te is not None:
        _out_framing(self, cl, te, end_stream)
    elif end_stream:
        out.append(b"content-length: 0\r\n")
        self._ss = _SS_DONE
    elif self.their_version == b"1.1":
        out.append(b"transfer-encoding: chunked\r\n")
        self._ss = _SS_CHUNKED
    else:
        self.keep_alive = False
        self._ss = _SS_CLOSE
    if self.keep_alive:
        if self.their_version == b"1.0" and conn is None:
            out.append(b"connection: keep-alive\r\n")
    elif conn is None:
        out.append(b"connection: close\r\n")
    if extra:
        out.extend(extra)
    out.append(b"\r\n")
    if self._ss == _SS_DONE or end_stream and self._ss == _SS_CHUNKED:
        if self._ss == _SS_CHUNKED:
            out.append(b"0\r\n\r\n")
        self._ss = _SS_DONE
        self.our_done = True
    return b"".join(out)
