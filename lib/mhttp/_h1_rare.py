# mhttp._h1_rare: the less common parts of mhttp.h1's H1Protocol, loaded on first use:
#   - the readers of a chunked body, its trailer section and a close-delimited body
#     (_r_rare, bound to H1Protocol on the first read in one of those states), the checks
#     of a head that arrived in part (_head_incomplete, through _r_rare too), and the
#     check of a received Transfer-Encoding (_te_chunked, called by the role halves, and
#     _te_response, the framing of a response that carries one);
#   - the pseudo-header fields of a request-target not in origin-form (CONNECT, OPTIONS *,
#     absolute-form) and the removal of framing fields a response may not carry (called
#     by mhttp._h1_server);
#   - send_trailers, send_continue and the diagnosis of a bad field line, bound to the
#     class by H1Protocol.__getattr__ (mhttp._lazy.bind).
# A server or client whose peers send whole heads (in one read), origin-form requests
# with content-length (or no) bodies, and whose responses need no framing field dropped,
# never loads it.
# Functions are written as methods (`self` first); see mhttp.h1 for the theory of
# operation and the contract.
from mhttp.headers import Headers, _b
from mhttp.h1 import _bad, _bad_block, _err, _take

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

# mhttp.h1's private consts (inlined there, so repeated here): its states, the role
# SERVER and the event kinds.
_SERVER = const(1)
_EV_DATA = const(2)
_EV_TRAILERS = const(3)
_EV_CLOSED = const(4)
_RS_WAIT = const(0)
_RS_HEAD = const(1)
_RS_CHUNK_SIZE = const(3)
_RS_CHUNK_DATA = const(4)
_RS_CHUNK_CRLF = const(5)
_RS_TRAILERS = const(6)
_RS_CLOSE = const(7)
_RS_DONE = const(8)
_SS_IDLE = const(0)
_SS_CHUNKED = const(2)
_SS_DONE = const(4)
# mhttp.h1's classes (consts there too): bits of h1._CLASS on MicroPython, the allowed
# sets of mhttp._h1_cpy on CPython.
_TOKEN = const(1)
_VALUE = const(4)
_HEX = const(8)
_HOST = const(16)
_RNAME = const(32)
if hasattr(b"", "translate"):
    from mhttp import _h1_cpy       # (not `import _VALUE, _HEX`: see mhttp.h1)
    _h1_cpy.update(globals())


def _r_rare(self):
    # mhttp.h1's next_event() reader for the receive states whose readers live here, and
    # for part of a head (_RS_HEAD: no blank line yet).  A reader that consumed a unit
    # giving no event (a chunk-size line, a CRLF) goes on with the next state's reader
    # itself (CRLF -> chunk-size -> chunk data or trailers: at most three deep), and the
    # reader of chunk data takes the CRLF after it when it is there: one call per unit,
    # no loop back through next_event().
    rs = self._rs
    if rs == _RS_CHUNK_SIZE:
        return _r_chunk_size(self)
    if rs == _RS_CHUNK_DATA:
        return _r_chunk_data(self)
    if rs == _RS_CHUNK_CRLF:
        return _r_chunk_crlf(self)
    if rs == _RS_HEAD:
        return _head_incomplete(self, self._buf, self._pos)
    if rs == _RS_TRAILERS:
        return _r_trailers(self)
    if rs == _RS_CLOSE:
        return _r_close(self)
    raise self._err             # _RS_ERROR: next_event() raised it already


def _head_incomplete(self, buf, pos):
    # Part of a head, no blank line yet (mhttp.h1's _r_head): enforce the limits and
    # reject what is already wrong, so that garbage (a TLS ClientHello, bare-LF heads) is
    # answered at once, not at timeout.
    have = len(buf) - pos
    if self._eof:
        if have == 0:
            self.keep_alive = False
            return (_EV_CLOSED,)
        raise _err(20)  # connection closed in the middle of a message head
    if have == 0:
        return None
    # Over a limit only once the bytes cannot be the limit's worth plus the CR (LF)
    # that ends it: the same verdict as when the whole head arrives at once.
    i = buf.find(b"\r\n", pos, pos + self.max_line + 2)
    if i < 0 and have > self.max_line + 1:
        if self.role == _SERVER:
            raise _err(17, self.max_line, 414)  # request-line longer than %d bytes
        raise _err(18, self.max_line)  # status-line longer than %d bytes
    if have > self.max_header_bytes + 3:
        raise _err(13, self.max_header_bytes, 431)  # header section larger than %d bytes
    if self.role == _SERVER:
        sp = buf.find(b" ", pos, i if i >= 0 else len(buf))
        m = buf[pos:sp if sp >= 0 else (i if i >= 0 else len(buf))]
        if m and m[0] != 13 and _bad(m, _TOKEN):
            raise _err(21, m[:20])  # invalid request method %r
    start = pos + (self._scan - 1 if self._scan > 0 else 0)
    j = buf.find(b"\n", start)
    while j >= 0:
        if j == pos or buf[j - 1] != 13:
            raise _err(22)  # bare LF in the message head (RFC 9112 §2.2: CRLF only)
        j = buf.find(b"\n", j + 1)
    j = buf.find(b"\r", start)
    while 0 <= j < len(buf) - 1:
        if buf[j + 1] != 10:
            raise _err(23)  # bare CR in the message head (RFC 9112 §2.2: CRLF only)
        j = buf.find(b"\r", j + 1)
    if _bad_block(buf[start:], None):
        raise _err(15)  # control character in the message head
    self._scan = have
    return None


def _te_chunked(te, request):
    # RFC 9112 §6.1 / §6.3: chunked must be the final (and only applied once) coding;
    # we implement no other transfer coding.
    codings = [x.strip(b" \t").lower() for x in te.split(b",")]
    codings = [x for x in codings if x]
    if not codings or codings[-1] != b"chunked":
        # Transfer-Encoding %r: chunked is not the final coding (RFC 9112 §6.3: the server MUST
        # respond with 400)
        raise _err(9, te[:40])
    if len(codings) > 1:
        if b"chunked" in codings[:-1]:
            raise _err(10)  # chunked applied more than once (RFC 9112 §7.1)
        raise _err(11, te[:40], 501 if request else 400)  # unsupported transfer coding in %r


def _modattr(name):
    # mhttp.h1's module __getattr__ for CLIENT (0), the event kinds EV_HEADERS, EV_DATA,
    # EV_TRAILERS and EV_CLOSED (1-4, in that order), H1Error (mhttp.errors', imported by
    # mhttp.h1 before it moved to where it is raised) and __all__.
    if name == "__all__":     # `from ... import *` (mhttp._star)
        import mhttp.h1 as h1
        from mhttp._star import names
        return names(h1.__dict__, "CLIENT SERVER EV_HEADERS EV_DATA EV_TRAILERS EV_CLOSED "
                                  "H1Error")
    if name == "H1Error":
        from mhttp.errors import H1Error
        return H1Error
    n = "CLIENT EV_HEADERS EV_DATA EV_TRAILERS EV_CLOSED".split()
    if name in n:
        return n.index(name)
    raise AttributeError(name)


def _te_out(self, encoding):
    # mhttp.h1._out_framing for a message that carries the transfer-encoding its writer
    # gave (encoding): only chunked can be sent.
    if encoding.lower() != b"chunked":
        raise _err(55, None, None)  # only transfer-encoding: chunked can be sent
    self._ss = _SS_CHUNKED


def _req_chunked(self, out, te, end_stream):
    # The end of mhttp._h1_client's send_request for a request with a chunked body: te
    # (its Transfer-Encoding, None for a body of unknown length) and the head's pieces
    # so far (out); returns the head.  end_stream: the body is empty.
    if te is not None:
        _te_out(self, te)
    else:
        out.append(b"transfer-encoding: chunked\r\n")
        self._ss = _SS_CHUNKED
    out.append(b"\r\n")
    if end_stream:
        out.append(b"0\r\n\r\n")
        self._ss = _SS_DONE
        self.our_done = True
    if self._rs == _RS_WAIT:
        self._rs = _RS_HEAD
    return b"".join(out)


def _http10(self):
    # For mhttp.client, on a client H1Protocol whose connection was asked to speak
    # HTTP/1.0 (version=1.0): its send_headers, as an instance attribute (the HTTP/1.1
    # path carries nothing for this), writes "HTTP/1.0" on the request line (RFC 9112
    # §2.3: the version is the sender's), refuses a body of unknown length (HTTP/1.0 has
    # no chunked coding: mhttp.request gathers such a body to learn its length first)
    # and, unless the request's Connection field asks for keep-alive, marks the
    # connection as closing after this exchange (RFC 9112 §9.3: an HTTP/1.0 connection
    # persists only with keep-alive; the server closes it otherwise).
    send = self.send_headers

    def send_headers(headers, end_stream=False, extra=None):
        out = send(headers, end_stream)
        if self._ss == _SS_CHUNKED:
            self._ss = _SS_DONE
            raise _err(81, None, None)  # an HTTP/1.0 request body needs a content-length (no chunked coding)
        ka = False
        for f in headers:
            if _b(f[0]).lower() == b"connection":
                for t in _b(f[1]).lower().split(b","):
                    if t.strip(b" \t") == b"keep-alive":
                        ka = True
        if not ka:
            self.keep_alive = False
        # the request line's " HTTP/1.1\r\n" is the head's first (method and target
        # hold no space): its last digit becomes 0
        i = out.find(b" HTTP/1.1\r\n") + 8
        return out[:i] + b"0" + out[i + 1:]
    self.send_headers = send_headers


def _te_response(self, te, cl):
    # A response's Transfer-Encoding te (cl: its Content-Length or None), for
    # mhttp._h1_client's response_head: sets the receive state of its body.
    if cl is not None:
        raise _err(72)  # response with both Content-Length and Transfer-Encoding
    codings = [x for x in te.split(b",") if x.strip(b" \t")]
    if codings and codings[-1].strip(b" \t").lower() != b"chunked":
        # RFC 9112 §6.3 item 4: chunked is not the final coding of a response: its body
        # lasts until the connection closes.
        self.keep_alive = False
        self._rs = _RS_CLOSE
    else:
        _te_chunked(te, False)
        self._rs = _RS_CHUNK_SIZE


def _r_chunk_size(self):
    buf = self._buf
    pos = self._pos
    lim = self.max_chunk_line
    i = buf.find(b"\r\n", pos, pos + lim + 2)
    if i < 0:
        have = len(buf) - pos
        if have > lim + 1:
            raise _err(27, lim)  # chunk-size line longer than %d bytes
        if buf.find(b"\n", pos) >= 0:
            raise _err(28)  # bare LF in a chunk-size line
        if self._eof:
            raise _err(29)  # connection closed in the middle of a chunked body
        return None
    if self.expect_continue:
        self.expect_continue = False    # (written only when set: see mhttp.h1)
    line = buf[pos:i]
    size, sep, ext = line.partition(b";")
    if sep:
        # RFC 9112 §7.1.1: chunk extensions are ignored, once checked against their
        # grammar (a parser that reads them otherwise, a quoted CRLF say, would frame
        # the body otherwise).
        size = size.rstrip(b" \t")
        if _ext_bad(ext):
            raise _err(30)  # invalid chunk extension
    if not size or _bad(size, _HEX):
        raise _err(31, size[:20])  # malformed chunk-size %r
    size = size.lstrip(b"0")
    if len(size) > 7:
        raise _err(32)  # chunk-size too large
    n = int(size, 16) if size else 0
    self._pos = i + 2
    if n == 0:
        self._rs = _RS_TRAILERS
        return _r_trailers(self)
    if self.max_body is not None:
        # (Without a max_body nothing counts the bytes.)
        self._rbody += n
        if self._rbody > self.max_body:
            raise _err(25, self.max_body, 413)  # body larger than %d bytes
    self._rleft = n
    self._rs = _RS_CHUNK_DATA
    return _r_chunk_data(self)


def _ext_bad(s):
    # True unless s, what follows the first ";" of a chunk-size line, is the rest of a
    # chunk-ext (RFC 9112 §7.1.1):
    #   *( BWS ";" BWS ) ext-name [ BWS "=" BWS ext-val ], ext-name = token,
    #   ext-val = token / quoted-string (RFC 9110 §5.6.4: qdtext / "\" HTAB SP VCHAR
    #   obs-text).
    # Each byte is looked up in mhttp.h1._CLASS (1 tchar, 4 HTAB SP VCHAR obs-text).
    from mhttp.h1 import _CLASS as t
    n = len(s)
    i = 0
    while True:
        while i < n and (s[i] == 32 or s[i] == 9):
            i += 1
        j = i
        while j < n and t[s[j]] & 1:
            j += 1
        if j == i:
            return True                 # no ext-name
        i = j
        while i < n and (s[i] == 32 or s[i] == 9):
            i += 1
        if i < n and s[i] == 61:        # "="
            i += 1
            while i < n and (s[i] == 32 or s[i] == 9):
                i += 1
            if i < n and s[i] == 34:    # a quoted-string
                i += 1
                while True:
                    if i >= n:
                        return True     # not closed
                    c = s[i]
                    i += 1
                    if c == 34:
                        break
                    if c == 92:         # a quoted-pair
                        if i >= n:
                            return True
                        c = s[i]
                        i += 1
                    if not t[c] & 4:
                        return True
            else:
                j = i
                while j < n and t[s[j]] & 1:
                    j += 1
                if j == i:
                    return True         # no ext-val
                i = j
            while i < n and (s[i] == 32 or s[i] == 9):
                i += 1
        if i >= n:
            return False
        if s[i] != 59:                  # ";"
            return True
        i += 1


def _r_chunk_data(self):
    if self._pos >= len(self._buf):
        if self._eof:
            raise _err(33)  # connection closed in the middle of a chunk
        return None
    data = _take(self, self._rleft)
    self._rleft -= len(data)
    if self._rleft:
        return (_EV_DATA, data, False)
    buf = self._buf
    pos = self._pos
    if buf.startswith(b"\r\n", pos):
        if buf.startswith(b"0\r\n\r\n", pos + 2):
            # The last chunk and the end of the body are already here: one event.
            self._pos = pos + 7
            self._rs = _RS_DONE
            self.their_done = True
            return (_EV_DATA, data, True)
        # The CRLF after the data (checked by _r_chunk_crlf when not all here yet).
        self._pos = pos + 2
        self._rs = _RS_CHUNK_SIZE
    else:
        self._rs = _RS_CHUNK_CRLF
    return (_EV_DATA, data, False)


def _r_chunk_crlf(self):
    # The CRLF after chunk data, when _r_chunk_data did not find it all there.
    buf = self._buf
    pos = self._pos
    if buf.startswith(b"\r\n", pos):
        self._pos = pos + 2
        self._rs = _RS_CHUNK_SIZE
        return _r_chunk_size(self)
    if not b"\r\n".startswith(buf[pos:pos + 2]):
        raise _err(34)  # chunk data not followed by CRLF
    if self._eof:
        raise _err(29)  # connection closed in the middle of a chunked body
    return None


def _r_trailers(self):
    # The trailer section (RFC 9112 §7.1.2), the lines of a head after the last chunk.
    # While it arrives in part, self._scan holds how many bytes past self._pos were
    # checked already and self._rleft (0 in this state: a slot of the chunk reader's,
    # reused) how many of its lines they ended: each byte is looked at once however the
    # section is cut, as the head reader does (a section received a byte at a time cost
    # the square of its length otherwise), and the limits (max_header_bytes, max_line,
    # max_headers) are applied as its lines arrive.  Both are reset when it ends.
    buf = self._buf
    pos = self._pos
    scan = self._scan
    if buf.startswith(b"\r\n", pos):
        end = pos
    else:
        end = buf.find(b"\r\n\r\n", pos + (scan - 3 if scan > 3 else 0))
        if end < 0:
            return _trailers_part(self, buf, pos, scan)
    if scan:
        self._scan = 0
        self._rleft = 0
    if end == pos:
        self._pos = pos + 2
        self._rs = _RS_DONE
        self.their_done = True
        return (_EV_DATA, b"", True)
    if end - pos > self.max_header_bytes:
        raise _err(35, self.max_header_bytes, 431)  # trailer section larger than %d bytes
    block = buf[pos:end]
    lines = block.split(b"\r\n")
    n = len(lines) - 1
    if block.count(b"\n") != n or block.count(b"\r") != n:
        raise _err(38)  # bare CR or LF in the trailer section
    if _bad_block(block, lines):
        raise _err(39)  # control character in the trailer section
    if len(lines) > self.max_headers:
        raise _err(40, self.max_headers, 431)  # more than %d trailer fields
    for line in lines:
        if len(line) > self.max_line:
            raise _err(41, self.max_line, 431)  # trailer field line longer than %d bytes
    hl = []
    self._fields(lines, hl, False)
    # RFC 9110 §6.5.1: framing, routing, control and content fields in a trailer
    # section are not acted on: dropped (not an error).
    hl = [f for f in hl if _trailer_ok(f[0])]
    self._pos = end + 4
    self._rs = _RS_DONE
    self.their_done = True
    return (_EV_TRAILERS, Headers._trusted(hl))


def _trailers_part(self, buf, pos, scan):
    # Part of a trailer section (no blank line yet): the bytes after the scan bytes
    # checked by an earlier call are checked here, the lines they end counted (see
    # _r_trailers); the verdicts are those of the whole section (_r_trailers), given as
    # soon as the bytes held make them certain.
    have = len(buf) - pos
    if have > self.max_header_bytes + 3:
        raise _err(35, self.max_header_bytes, 431)  # trailer section larger than %d bytes
    i = pos + scan                      # the first byte not checked yet
    n = self._rleft                     # the lines ended so far
    lim = self.max_line
    s = buf.rfind(b"\n", pos, i)         # s: where the line being read starts
    s = pos if s < 0 else s + 1
    j = buf.find(b"\n", i)
    while j >= 0:
        if j == pos or buf[j - 1] != 13:
            raise _err(36)  # bare LF in the trailer section
        if j - 1 - s > lim:
            raise _err(41, lim, 431)  # trailer field line longer than %d bytes
        n += 1
        s = j + 1
        j = buf.find(b"\n", s)
    if n > self.max_headers:
        raise _err(40, self.max_headers, 431)  # more than %d trailer fields
    # (a line of lim bytes may be followed by its CR alone)
    if len(buf) - s > lim + 1:
        raise _err(41, lim, 431)  # trailer field line longer than %d bytes
    j = buf.find(b"\r", i - 1 if scan else i)    # (a CR last checked may be bare now)
    while 0 <= j < len(buf) - 1:
        if buf[j + 1] != 10:
            raise _err(38)  # bare CR or LF in the trailer section
        j = buf.find(b"\r", j + 1)
    if _bad_block(buf[i:], None):
        raise _err(39)  # control character in the trailer section
    if self._eof:
        raise _err(37)  # connection closed in the trailer section
    self._scan = have
    self._rleft = n
    return None


def _r_close(self):
    if self._pos < len(self._buf):
        data = _take(self, len(self._buf))
        if self.max_body is not None:
            self._rbody += len(data)
            if self._rbody > self.max_body:
                raise _err(25, self.max_body, 413)  # body larger than %d bytes
        return (_EV_DATA, data, False)
    if self._eof:
        self._rs = _RS_DONE
        self.their_done = True
        return (_EV_DATA, b"", True)
    return None


def _target_pseudo(self, method, target, connect):
    # The pseudo-header fields of a request whose target is not in origin-form (RFC 9112
    # §3.2): CONNECT's authority-form, OPTIONS' asterisk-form, or absolute-form, whose
    # authority is the request's (Host is then ignored), its path + query the :path
    # (origin-form), its scheme the :scheme; the whole target stays in
    # self.absolute_target.  Called by mhttp._h1_server.request_head.
    if connect:
        # RFC 9112 §3.2.3: authority-form, host ":" port.
        if target[0] == 47 or b"/" in target or b"@" in target or target.rfind(b":") <= 0 \
                or not target[target.rfind(b":") + 1:].isdigit() or _host_bad(target):
            raise _err(58)  # CONNECT needs an authority-form request-target
        return [(b":method", method, False), (b":authority", target, False),
                (b":scheme", self.scheme, False)]
    if target == b"*":
        if method != b"OPTIONS":
            raise _err(59)  # asterisk-form request-target only with OPTIONS
        return [(b":method", method, False), (b":path", target, False),
                (b":scheme", self.scheme, False)]
    # RFC 9112 §3.2.2 absolute-form: scheme "://" ...
    k = target.find(b"://")
    if k <= 0 or _bad(target[:k], _TOKEN):
        raise _err(60, target[:60])  # malformed request-target %r
    rest = target[k + 3:]
    i = len(rest)
    for ch in (b"/", b"?"):
        j = rest.find(ch)
        if 0 <= j < i:
            i = j
    auth = rest[:i]
    path = rest[i:]
    if not auth or b"@" in auth or _host_bad(auth):
        # invalid authority in the request-target %r (RFC 9110 §4.2)
        raise _err(61, target[:60])
    if not path or path[0] == 63:
        path = (b"*" if method == b"OPTIONS" and not path else b"/") + path
    self.absolute_target = target
    return [(b":method", method, False), (b":path", path, False),
            (b":scheme", target[:k].lower(), False), (b":authority", auth, False)]


def _cl_one(hl, n):
    # A Content-Length received as a list of identical values ("5, 5", or the field
    # repeated; mhttp.h1._parse_cl checked them: n is the value): RFC 9110 §8.6 lets a
    # recipient replace it by the single value, which is what the application sees (one
    # content-length field, digits only: a handler copying it into its own response, or
    # a proxy, sends a valid one).  hl: the head's (name, value, never_index) list.
    i = 0
    while i < len(hl):
        if hl[i][0] == b"content-length":
            del hl[i]
        else:
            i += 1
    hl.append((b"content-length", b"%d" % n, False))


def _host_bad(h):
    # True unless h is uri-host [":" port] (RFC 3986 §3.2.2-3 as RFC 9110 §4.2 and
    # RFC 9112 §3.2 use it: port = *DIGIT; an IP-literal is "[" IPv6address or
    # IPvFuture "]"), for a Host field or the authority of an absolute-form target.
    # (mhttp._h1_server checks a plain reg-name, with or without a port, itself.)
    if not h or _bad(h, _HOST):
        return True
    if h[0] == 91:                      # "[": an IP-literal
        i = h.find(b"]")
        lit = h[1:i]
        if i < 3 or b"[" in lit:
            return True
        if lit[0] in b"vV":
            # IPvFuture: "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
            j = lit.find(b".")
            if j < 2 or j == len(lit) - 1 or _bad(lit[1:j], _HEX) or \
                    _bad(lit[j + 1:], _HOST):
                return True
        elif b":" not in lit or _bad(lit.replace(b":", b"").replace(b".", b""), _HEX):
            # IPv6address (its pieces' form is left to the application's resolver)
            return True
        h = h[i + 1:]
    else:
        i = h.find(b":")
        if i < 0:
            i = len(h)
        if i == 0 or _bad(h[:i], _RNAME):
            # (an empty host before a port: RFC 9110 §4.2.1, an "http" URI with an
            # empty host is invalid; an empty Host field as a whole is allowed)
            return True
        h = h[i:]
    # what is left: "" or ":" port
    return h != b"" and (h[0] != 58 or (len(h) > 1 and not h[1:].isdigit()))


def _drop(out, name):
    # Removes the fields called name (lowercase) from a head serialised by _out_fields:
    # out[0] is the start line, then four pieces (name, ": ", value, CRLF) per field.
    i = 1
    while i < len(out):
        if out[i].lower() == name:
            del out[i:i + 4]
        else:
            i += 4


def send_trailers(self, headers):
    if self._ss != _SS_CHUNKED:
        raise _err(47, None, None)  # trailers need a chunked body
    for f in headers:
        n = f[0]
        if type(n) is not bytes:
            n = _b(n)
        n = n.lower()
        if n[:1] == b":" or not _trailer_ok(n):
            # %r may not be sent as a trailer field (RFC 9110 §6.5.1)
            raise _err(48, n[:40], None)
    out = [b"0\r\n"]
    self._out_fields(headers, out)
    out.append(b"\r\n")
    self._ss = _SS_DONE
    self.our_done = True
    return b"".join(out)


def send_continue(self):
    if self.role != _SERVER:
        raise _err(49, None, None)  # only a server sends 100 Continue
    if self._ss != _SS_IDLE:
        raise _err(50, None, None)  # 100 Continue after the final response head
    self.expect_continue = False
    return b"HTTP/1.1 100 Continue\r\n\r\n"


def _bad_field_line(self, line, dest):
    # Builds the H1Error for a field line that failed validation (cold path), for
    # mhttp.h1's _fields (dest: the fields parsed so far); or, for a client, joins an
    # obs-fold line to the field before it and returns None.
    if line[:1] in (b" ", b"\t"):
        if self.role == _SERVER:
            # obs-fold: a field line starts with whitespace (RFC 9112 §5.2: a server MUST reject a
            # message containing obs-fold)
            return _err(0)
        # RFC 9112 §5.2: a user agent MUST replace each received obs-fold with one or more
        # SP before interpreting the field value: one SP here, the line's own leading and
        # trailing whitespace dropped (the head's limits bound the joined value).  Not
        # for a line after the status-line (§2.2) or in a field that steers framing
        # (content-length, transfer-encoding, connection: already acted on by _fields),
        # nor the first line of a trailer section.
        f = dest[-1] if dest else None
        if f is None or f[0][:1] == b":" or self._name_entry(f[0])[1] > 0:
            return _err(82, f[0] if f else b"")  # obs-fold continuing %r (only a field that does not steer framing may be folded)
        line = line.strip(b" \t")
        if line:
            dest[-1] = (f[0], (f[1] + b" " + line) if f[1] else line, f[2])
        return None
    name, sep, _ = line.partition(b":")
    if not sep:
        return _err(1, line[:40])  # field line without a colon: %r
    if name[-1:] in (b" ", b"\t"):
        # whitespace between field name and colon (RFC 9112 §5.1: a server MUST reject such a
        # request)
        return _err(2)
    return _err(3, name[:40])  # invalid field name %r


# RFC 9110 §6.5.1: fields a trailer section may not carry (message framing, routing,
# connection control, request modifiers, authentication, response control, content
# processing).  One bytes constant searched for " name " (no set built at import).
_NOT_TRAILERS = (b" content-length transfer-encoding trailer host connection keep-alive"
                 b" proxy-connection upgrade te expect max-forwards range if-match"
                 b" if-none-match if-modified-since if-unmodified-since if-range"
                 b" cache-control pragma authorization proxy-authorization"
                 b" www-authenticate proxy-authenticate cookie set-cookie age expires"
                 b" location retry-after vary content-encoding content-type content-range ")


def _trailer_ok(name):
    # name: lowercase bytes.
    return b" " + name + b" " not in _NOT_TRAILERS
