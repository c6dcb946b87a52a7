# mhttp._h1_server: the server halves of mhttp.h1's H1Protocol (parsing a request head,
# writing a response head) and of mhttp.h1_connection (below: the stream for a request
# head, the end of an exchange, _out (a response head), and http_date, with its clock
# check, for the Date field; reading the rest of a request head under header_timeout,
# H1Stream.finish_server and _left (the request body deadline) are in
# mhttp._server_h1rare, served by the module __getattr__ at the end), loaded by the
# first H1Protocol(SERVER) or the first server request of an H1Connection (mhttp._lazy.bind
# stores the driver's functions on H1Connection / H1Stream as methods), so that a client
# does not carry it.  One module, not two (board RAM: a module's fixed cost, its names,
# and the constants both used, ~400 B from ROMFS).  Functions take the protocol, the
# connection or the stream as `self`; see mhttp.h1 for the theory of operation and the
# contract.  http_date, MAX_DRAIN, MIN_CLOCK_YEAR and SERVER_NAME stay importable from
# mhttp.h1_connection.
import time

from mhttp.headers import Headers, _b
# (mhttp.h1's helpers through the module, h1._bad &c.: one global, not five; a module
# dict of up to 23 entries takes 416 B on a board, of 24-29 512 B)
from mhttp import h1

# RAM on boards: mhttp.h1's event kinds and character classes are private const()s here
# (inlined: no module globals), const itself is defined for CPython only.
if hasattr(b"", "translate"):       # CPython
    def const(n):
        return n

_EV_HEADERS = const(1)          # mhttp.h1.EV_HEADERS
_EV_CLOSED = const(4)           # mhttp.h1.EV_CLOSED
# mhttp.h1's classes for h1._bad(): bits of h1._CLASS on MicroPython; on CPython the
# allowed sets, put here by mhttp._h1_cpy.update() (see mhttp.h1).
_TOKEN = const(1)
_VCHAR = const(2)
_RNAME = const(32)
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

# The words and lines a server's head seldom needs, one bytes constant (board RAM: a
# bytes constant is a heap object on a board, even from ROMFS, ~38 B each; equal literals
# of a module are one object, so request_head, send_response and _out share it; these
# were 15 constants: _h1_server's import from ROMFS 4352 -> 3808 B): compared in
# place (len(x) == n and w.startswith(x, at): no slice), sliced where a piece is written
# (a rare piece of a head: chunked, close, a 1.0 keep-alive, a Connection list).  Its
# offsets (tests_host/core/test_h1_server_words.py checks them):
# CONNECT (7) at 0
_W_HEAD = const(8)          # HEAD (4)
_W_101 = const(13)          # 101 (3)
_W_100C = const(17)         # 100-continue (12)
_W_STATUS = const(30)       # HTTP/1.1 %d %s\r\n (16)
_W_CL0 = const(46)          # content-length: 0\r\n (19)
_W_TE = const(65)           # transfer-encoding: chunked\r\n (28), transfer-encoding (17)
_W_KA = const(93)           # connection: keep-alive\r\n (24), keep-alive at 105 (10)
_W_CLOSE = const(117)       # connection: close\r\n (19), close at 129 (5)
_W_END = const(136)         # 0\r\n\r\n (5: the last chunk)
_W_SP = const(141)          # " \t" (2), then "," (1), the end


# Status lines by code, built on first use (bounded).  200's is here from the start, so
# a server that only answers 200 never loads the reason phrases (mhttp._reasons).
_STATUS_LINES = {200: b"HTTP/1.1 200 OK\r\n"}


def request_head(self, items):
    # items: the head's lines (the request-line first), split at CRLF.  (Few names: on
    # MicroPython this frame, live while _fields parses the fields, takes a heap block
    # of a size set by its number of locals; see also `line = None` below.)
    line = items[0]
    if len(line) > self.max_line:
        raise h1._err(17, self.max_line, 414)  # request-line longer than %d bytes
    # Cut at its two spaces (not split(): a list and a version object less per request,
    # board RAM).
    if line.count(b" ") != 2:
        # malformed request-line %r (RFC 9112 §3: method SP request-target SP HTTP-version)
        raise h1._err(56, line[:60])
    i = line.find(b" ")
    j = line.rfind(b" ")
    # ver: b"1.1" or b"1.0" (mhttp.h1._version), compared below by its last digit (48:
    # "0"; no b"1.0" constant here: a bytes constant is a heap object on a board)
    if len(line) - j == 9 and line.startswith(b"HTTP/1.1", j + 1):
        ver = b"1.1"
    else:
        ver = h1._version(line[j + 1:], True)
    # The commonest method: its bytes and its :method field are constants shared by
    # every such request (equal to what the copy would be), not a copy and a tuple per
    # request; so is the :scheme field of an http request, below (board RAM: ~190 B less
    # per request in flight, ten at once on a board's server).  (The tuple's items
    # used for the rest: a bytes constant is a heap object on a board, even from ROMFS,
    # and the tuple's are objects of their own.)
    hl = (b":method", b"GET", False)
    if i == 3 and line.startswith(hl[1]):
        method = hl[1]
    else:
        method = line[:i]
        hl = (hl[0], method, False)
    target = line[i + 1:j]
    if not method or h1._bad(method, _TOKEN):
        raise h1._err(21, method[:20])  # invalid request method %r
    if not target or h1._bad(target, _VCHAR):
        raise h1._err(57, target[:60])  # invalid request-target %r
    # (line: a slot reused, the words above; so the request-line is not kept while the
    # fields are parsed: board RAM)
    line = b"CONNECT HEAD 101 100-continue HTTP/1.1 %d %s\r\ncontent-length: 0\r\n" \
        b"transfer-encoding: chunked\r\nconnection: keep-alive\r\nconnection: close\r\n" \
        b"0\r\n\r\n \t,"
    connect = len(method) == 7 and line.startswith(method)
    if connect or target[0] != 47:
        # authority-form (CONNECT), asterisk-form, absolute-form: mhttp._h1_rare
        from mhttp._h1_rare import _target_pseudo
        hl = _target_pseudo(self, method, target, connect)
    else:
        j = (b":scheme", b"http", False)        # (j: a slot reused; its items, as above)
        hl = [hl, (b":path", target, False),
              j if self.scheme == j[1] else (j[0], self.scheme, False)]
    own_auth = connect or len(hl) == 4      # the target named the authority (Host ignored)
    self.their_version = ver
    self._method = method
    del items[0]
    host, cl, te, conn, expect = self._fields(items, hl, True)
    if host is not None:
        if h1._bad(host, _RNAME):
            # RFC 9112 §3.2: Host = uri-host [":" port], port = *DIGIT, else 400.  A
            # reg-name or IPv4 address alone passed the line above; one followed by a
            # port is checked here (its digits, then the name: no module loaded for a
            # board's "Host: 192.168.4.1:8080"); anything else (an IP-literal, a stray
            # ":" "[" "]", an empty name before a port, other bytes) by
            # mhttp._h1_rare.  (i: a slot reused)
            i = len(host)
            while i and 47 < host[i - 1] < 58:
                i -= 1
            if i < 2 or host[i - 1] != 58 or h1._bad(host[:i - 1], _RNAME):
                from mhttp._h1_rare import _host_bad
                if _host_bad(host):
                    raise h1._err(62, host[:60])  # invalid Host %r
        if not own_auth:
            hl.insert(2, (b":authority", host, False))
    elif ver == b"1.1":
        # HTTP/1.1 request without Host (RFC 9112 §3.2: a server MUST respond with 400)
        raise h1._err(63)
    # keep-alive: RFC 9112 §9.3.  (line: the words again, see above)
    line = b"CONNECT HEAD 101 100-continue HTTP/1.1 %d %s\r\ncontent-length: 0\r\n" \
        b"transfer-encoding: chunked\r\nconnection: keep-alive\r\nconnection: close\r\n" \
        b"0\r\n\r\n \t,"
    if conn is not None:
        if not (len(conn) == 10 and line.startswith(conn, _W_KA + 12)):
            # (loops, not comprehensions, here and in send_response: a comprehension's
            # code object costs heap even from ROMFS)
            ka = False
            for x in conn.lower().split(line[_W_SP + 2:]):
                x = x.strip(line[_W_SP:_W_SP + 2])
                if len(x) == 5 and line.startswith(x, _W_CLOSE + 12):
                    self.keep_alive = False
                elif len(x) == 10 and line.startswith(x, _W_KA + 12):
                    ka = True
            if ver[2] == 48 and not ka:     # b"1.0" (see above)
                self.keep_alive = False
    elif ver[2] == 48:
        self.keep_alive = False
    body = True
    if te is not None:
        if cl is not None:
            # both Content-Length and Transfer-Encoding (RFC 9112 §6.3: the request is to be
            # treated as an error)
            raise h1._err(64)
        if ver[2] == 48:
            # Transfer-Encoding in an HTTP/1.0 request (RFC 9112 §6.1: the framing is faulty)
            raise h1._err(65)
        from mhttp._h1_rare import _te_chunked
        _te_chunked(te, True)
        self._rs = _RS_CHUNK_SIZE
    elif cl is not None:
        i = h1._parse_cl(cl, self.max_body)     # (i: a slot reused)
        if not cl.isdigit():
            # a list of identical values: one content-length field (mhttp._h1_rare)
            from mhttp._h1_rare import _cl_one
            _cl_one(hl, i)
        if i:
            self._rleft = i
            self._rs = _RS_CL
        else:
            body = False
    else:
        body = False
    if not body:
        self._rs = _RS_DONE
        self.their_done = True
    elif connect:
        # a CONNECT request with content (RFC 9110 §9.3.6: a CONNECT request message does not
        # have content)
        raise h1._err(83)
    elif expect is not None and ver == b"1.1" and len(expect) == 12 and \
            line.startswith(expect.lower(), _W_100C):
        self.expect_continue = True
    return (_EV_HEADERS, Headers._trusted(hl), not body)


def send_response(self, headers, end_stream, extra=None):
    # extra: serialised field lines (a sequence of bytes pieces) written after the
    # given fields, before the blank line (the driver's Date and Server).
    if self._ss != _SS_IDLE:
        raise h1._err(66, None, None)  # response head already sent
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
    if status is None or len(status) != 3 or not status.isdigit() or status[0] == 48 or \
            status[0] > 53:     # (RFC 9110 §15: 100-599; 48, 53: "0", "5")
        raise h1._err(67, None, None)  # a response needs a :status of 100-599
    code = int(status)
    # (line: the words of request_head; status, then method below: slots reused)
    line = b"CONNECT HEAD 101 100-continue HTTP/1.1 %d %s\r\ncontent-length: 0\r\n" \
        b"transfer-encoding: chunked\r\nconnection: keep-alive\r\nconnection: close\r\n" \
        b"0\r\n\r\n \t,"
    status = _STATUS_LINES.get(code)
    if status is None:
        from mhttp._reasons import reason
        status = line[_W_STATUS:_W_CL0] % (code, reason(code))
        if len(_STATUS_LINES) < 64:
            _STATUS_LINES[code] = status
    out = [status]
    cl, te, conn = self._out_fields(headers, out)
    # method: 1 for CONNECT, 2 for HEAD, else 0
    method = self._method
    method = 0 if method is None else 1 if len(method) == 7 and line.startswith(method) \
        else 2 if len(method) == 4 and line.startswith(method, _W_HEAD) else 0
    if code < 200 or code == 204 or code < 300 and method == 1:
        # RFC 9110 §8.6 / RFC 9112 §6.1: a 1xx or 204 response carries neither
        # Content-Length nor Transfer-Encoding: a handler's are dropped (a 304 keeps
        # them: they describe the representation); nor does a 2xx to CONNECT (RFC 9110
        # §9.3.6: the tunnel starts right after its head, and whatever the handler
        # writes next goes into it as raw bytes).
        if cl is not None or te is not None:
            from mhttp._h1_rare import _drop
            if cl is not None:
                _drop(out, b"content-length")
                cl = None
            if te is not None:
                _drop(out, line[_W_TE:_W_TE + 17])
                te = None
    elif te is not None:
        if cl is not None:
            # content-length and transfer-encoding in one response (RFC 9112 §6.2)
            raise h1._err(68, None, None)
        if self.their_version != b"1.1":
            # RFC 9112 §6.1: no Transfer-Encoding to an HTTP/1.0 client, whatever the
            # handler set: dropped, and the body is close-delimited below.
            from mhttp._h1_rare import _drop
            _drop(out, line[_W_TE:_W_TE + 17])
            te = None
    if code < 200:
        if code == 101:
            if not self.their_done:
                # RFC 9110 §7.8: the new protocol begins after the request message; its
                # unread body would be read as the new protocol's bytes.
                raise h1._err(80, None, None)  # 101 before the end of the request body
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
        for x in conn.lower().split(line[_W_SP + 2:]):
            x = x.strip(line[_W_SP:_W_SP + 2])
            if len(x) == 5 and line.startswith(x, _W_CLOSE + 12):
                self.keep_alive = False
    if method == 1 and code < 300:
        self.upgraded = True
        self._ss = _SS_TUNNEL
        self._rs = _RS_TUNNEL
        self.our_done = True
        if extra:
            out.extend(extra)
        out.append(b"\r\n")
        return b"".join(out)
    if method == 1:
        self.keep_alive = False
    if method == 2 or code == 204 or code == 304:
        self._ss = _SS_DONE     # (a response to HEAD: send_data drops body bytes)
    elif cl is not None or te is not None:
        h1._out_framing(self, cl, te, end_stream)
    elif end_stream:
        out.append(line[_W_CL0:_W_TE])
        self._ss = _SS_DONE
    elif self.their_version == b"1.1":
        out.append(line[_W_TE:_W_KA])
        self._ss = _SS_CHUNKED
    else:
        self.keep_alive = False
        self._ss = _SS_CLOSE
    if self.keep_alive:
        if conn is None and self.their_version is not None and self.their_version[2] == 48:
            out.append(line[_W_KA:_W_CLOSE])
    elif conn is None:
        out.append(line[_W_CLOSE:_W_END])
    else:
        conn = conn.lower()
        if line[_W_CLOSE + 12:_W_END - 2] not in conn:
            # the handler's Connection on a response we close after (an HTTP/1.0
            # client's close-delimited body, close_after): its keep-alive dropped, close
            # said ("keep-alive", "close", "connection": slices of line, no constants)
            if line[_W_KA + 12:_W_CLOSE - 2] in conn:
                from mhttp._h1_rare import _drop
                _drop(out, line[_W_CLOSE:_W_CLOSE + 10])
            out.append(line[_W_CLOSE:_W_END])
    if extra:
        out.extend(extra)
    out.append(b"\r\n")
    if self._ss == _SS_DONE or end_stream and self._ss == _SS_CHUNKED:
        if self._ss == _SS_CHUNKED:
            out.append(line[_W_END:_W_SP])
        self._ss = _SS_DONE
        self.our_done = True
    return b"".join(out)


# -- mhttp.h1_connection's server half ----------------------------------------------------
# The Server field's value (mhttp.h1_connection.SERVER_NAME too, through its module
# __getattr__; here, not there: a client does not carry it).
SERVER_NAME = b"mhttp"

# MAX_DRAIN (the default of finish_server's max_drain) and MIN_CLOCK_YEAR (see
# http_date) are importable from here, served by the module __getattr__ from
# mhttp._server_h1rare (board RAM: two globals fewer, this module's dict 19 -> 17
# entries, a table of 288 B, not 384, on the 64-bit unix port).

# mhttp.h1_connection.H1Stream, imported by the first _incoming (see there)
H1Stream = None

# [second, its Date value, the Date and Server lines of a head for it]
_date_cache = [None, None, None]

# RFC 9110 §6.6.1: an origin server without a clock giving a reasonable approximation of
# the current instant MUST NOT send Date.  A board without NTP (or RTC) counts from its
# epoch (2000 or 1970) at boot: a year before MIN_CLOCK_YEAR (2024: mhttp._server_h1rare's,
# or this module's global when one is set) means the clock was never set.
_MIN_CLOCK_YEAR = const(2024)


def http_date():
    # IMF-fixdate (RFC 9110 §5.6.7) of now, cached for the current second; None when the
    # clock is not set (see MIN_CLOCK_YEAR: the caller then sends no Date).  `time` is
    # imported at module level: on MicroPython an `import time` in a function searches
    # the filesystem for a time.py first (an extensible built-in), 8 us per response.
    t = int(time.time())
    if _date_cache[0] == t:
        return _date_cache[1]
    g = time.gmtime(t)
    d = None
    # (once a second: a MIN_CLOCK_YEAR set on this module counts, as when it was a global)
    if g[0] >= globals().get("MIN_CLOCK_YEAR", _MIN_CLOCK_YEAR):
        # (the day and month names and the format in one constant: a bytes constant is a
        # heap object on a board, even from ROMFS)
        buf = b"MonTueWedThuFriSatSunJanFebMarAprMayJunJulAugSepOctNovDec" \
            b"%s, %02d %s %d %02d:%02d:%02d GMT"
        d = buf[57:] % (
            buf[g[6] * 3:g[6] * 3 + 3], g[2], buf[g[1] * 3 + 18:g[1] * 3 + 21], g[0],
            g[3], g[4], g[5])
    _date_cache[0] = t
    _date_cache[1] = d
    return d


def end_exchange(self):
    # Server: the current request/response pair is complete; forget its stream (and
    # its headers: an idle keep-alive connection holds as little as possible) and get
    # the core ready for the next request.  False if the connection is not reusable.
    p = self.p
    if self.stream is not None:
        if not (p.our_done and p.their_done):
            from mhttp.errors import Error
            from mhttp.h1_connection import _err
            raise _err(Error, 9)  # the previous exchange is not finished
        self.stream = None
        if not p.keep_alive or p.upgraded:
            # (after a 101 the connection carried another protocol: it ends here; asking
            # the core for a next cycle raised, and loaded the error texts, every time)
            return False
        p.start_next_cycle()
    return p.keep_alive


def _incoming(self, data):
    # Server: the stream for a request head event (None for EV_CLOSED: the client
    # closed cleanly between requests).  mhttp.server reads the head itself (its
    # connection loop awaits io.recv directly: one coroutine frame less per idle
    # connection) and calls this.
    kind = data[0]
    if kind == _EV_CLOSED:
        return None
    if kind != _EV_HEADERS:
        from mhttp.errors import ProtocolError
        from mhttp.h1_connection import _err
        raise _err(ProtocolError, 10, (kind,))  # expected a request head, got event %r
    self.requests += 1
    p = self.p
    if p.their_version[2] == 48:    # b"1.0" (mhttp.h1 gives b"1.0" or b"1.1")
        # 1.0 (computed: a float constant is a heap object on a board, and mpy-cross
        # folds 1 / 1 into one)
        self.version = float(1)
    global H1Stream
    if H1Stream is None:
        # (imported here, once: mhttp.h1 imports this module for a sans-I/O server, which
        # does not carry mhttp.h1_connection; and importing it at the top would be an
        # import cycle on CPython, whose h1_connection binds these functions at import)
        from mhttp.h1_connection import H1Stream
    s = H1Stream(self)
    s.headers = data[1]
    s._headers_pending = True
    if data[2]:
        s._in_done = True
    elif self.body_deadline is not None:
        from mhttp._io import ticks_ms, ticks_add
        s._body_end = ticks_add(ticks_ms(), int(self.body_deadline * 1000))
    self.stream = s
    return s


# -- H1Stream's server-only parts (bound like finish_server) --------------------------
def _out(self, headers, end_stream):
    # H1Stream.write_headers on a server: the serialised response head, Date and Server
    # added, or None when it is held back to go out with the first body bytes.
    conn = self.conn
    p = conn.p
    has_date = has_server = has_cl = False
    st = None
    for f in headers._l:
        n = f[0]
        if n == b":status":
            st = f[1]
        elif n == b"date":
            has_date = True
        elif n == b"server":
            has_server = True
        elif n == b"content-length":
            if has_cl and has_cl != f[1]:
                # two differing values (RFC 9110 §8.6: a framing error for the client;
                # the same one twice goes out as given): refused as an invalid value
                raise h1._err(53, [has_cl, f[1]], None)  # invalid content-length %r
            has_cl = f[1]
    if st is None:
        from mhttp.errors import Error
        from mhttp.h1_connection import _err
        raise _err(Error, 6)  # write_headers: a response needs a :status field
    if conn.close_after:
        p.keep_alive = False    # the core then writes Connection: close
    final = not st or st[0] != 49     # (49: "1"; no constant for it)
    if not final:
        # 101 is final too (extra: a slot reused, the words of request_head, see there)
        extra = b"CONNECT HEAD 101 100-continue HTTP/1.1 %d %s\r\ncontent-length: 0\r\n" \
            b"transfer-encoding: chunked\r\nconnection: keep-alive\r\nconnection: close\r\n" \
            b"0\r\n\r\n \t,"
        final = len(st) == 3 and extra.startswith(st, _W_101)
    extra = None
    if final and not (has_date and has_server):
        # Date (RFC 9110 §6.6.1: only with a set clock, see http_date) and Server,
        # after the fields we were given (the core writes them into the head: no
        # second copy of it).
        d = None
        if not has_date:
            d = http_date()
        if d is not None:
            if not has_server:
                # (one tuple per second, not per response: board RAM)
                extra = _date_cache[2]
                if extra is None or extra[1] is not d:
                    extra = _date_cache[2] = (b"date: ", d, b"\r\nserver: ", SERVER_NAME,
                                              b"\r\n")
            else:
                extra = (b"date: ", d, b"\r\n")
        elif not has_server:
            # (a slice, not a constant of its own: see http_date)
            extra = (b"\r\nserver: "[2:], SERVER_NAME, b"\r\n")
    data = p.send_headers(headers, end_stream, extra)
    if final:
        self.headers_sent = True
        self.status = st
        if has_cl and not end_stream and conn.hold_head:
            # Sent together with the first body bytes: one write, no Nagle stall.
            conn._held = data
            return None
    return data


def __getattr__(name):
    # (PEP 562) _rest_of_head, _left and finish_server live in mhttp._server_h1rare,
    # loaded by the first of them a server needs (mhttp._lazy.bind asks this module), and
    # MAX_DRAIN and MIN_CLOCK_YEAR (see above).
    # (the module's name and the list in one str constant, a heap object on a board)
    m = "_server_h1rare _rest_of_head _left finish_server MAX_DRAIN MIN_CLOCK_YEAR".split()
    if name in m[1:]:
        return getattr(__import__(__name__[:6] + m[0], None, None, (name,)), name)
    raise AttributeError(name)
