# mhttp.h1: the sans-I/O HTTP/1.x protocol machine (RFC 9112), one per connection.
#
# Theory of operation
# -------------------
# An H1Protocol is either a SERVER (parses requests, builds responses) or a CLIENT
# (builds requests, parses responses).  It never touches a socket: the driver feeds what
# it read with receive_data() (b"" = EOF) and pulls events with next_event(); it writes
# whatever send_headers / send_data / send_trailers / send_continue return.
#
# One request/response pair is a *cycle*.  Each direction has its own small state:
#
#   receive side (_rs)              send side (_ss)
#   _RS_WAIT   client: request not  _SS_IDLE    no head sent yet
#              sent yet             _SS_CL      content-length body, _sleft bytes to go
#   _RS_HEAD   waiting for a head   _SS_CHUNKED chunked body
#   _RS_CL     content-length body  _SS_CLOSE   close-delimited body (server, HTTP/1.0 peer)
#   _RS_CHUNK_SIZE / _RS_CHUNK_DATA _SS_DONE    our message is complete (our_done)
#   _RS_CHUNK_CRLF / _RS_TRAILERS   _SS_TUNNEL  upgraded: raw bytes
#   _RS_CLOSE  close-delimited body
#   _RS_DONE   their message is complete (their_done); bytes of the next pipelined message
#              stay buffered until start_next_cycle()
#   _RS_TUNNEL upgraded (101, or 2xx to CONNECT): raw bytes both ways
#   _RS_ERROR  an H1Error was raised: every later next_event() raises it again
#
# The states are private consts (inlined by MicroPython's compiler: no globals, no
# names in RAM); mhttp._h1_server and _h1_client repeat the ones they use (a const
# cannot be imported), and tests_host/core/test_h1_errors.py checks the copies agree.
#
# The receive transitions live in next_event(), one branch per state (the head, a
# content-length body, a tunnel, waiting); those of a chunked body, its trailer section
# and a close-delimited body in mhttp._h1_rare._r_rare.  A reader returns an event
# tuple or None ("need more bytes"); one that consumed a unit giving no event (a
# chunk-size line, a CRLF) goes on with the reader of the new state itself.  Readers
# never half-consume: self._pos (the offset of the first unparsed byte in self._buf)
# only moves once a whole unit (head, line, CRLF) has been parsed.  Body bytes
# are handed out as they arrive.
#
# Strictness (RFC 9112 §11, request smuggling): CRLF only (bare CR or LF is a 400), no
# obs-fold (a client joins one to a regular field's value with a SP, RFC 9112 §5.2;
# never to the status-line or a framing field), no whitespace before a colon, tokens and field values checked against their
# ABNF character sets, Content-Length digits only (equal duplicates merged into one field,
# RFC 9110 §8.6), Content-Length together with Transfer-Encoding rejected,
# Transfer-Encoding must be a single final "chunked" (400 when chunked is not final, 501
# for another coding), chunk extensions checked against their grammar, one Host on
# HTTP/1.1 requests, of uri-host [":" port] syntax.  A message that cannot be framed with
# certainty is never read as two.
#
# Speed: a head is found with one bytes.find(b"\r\n\r\n"), split once, its characters
# checked with one bytes.translate() per set on CPython (MicroPython has no translate:
# a table lookup loop there), field names go through a bounded cache (raw name ->
# (lowercase name, kind)), Headers are built with Headers._trusted().
# On CPython a server's plain, whole request heads take mhttp._h1_cpy's fast path
# instead (installed as _head; everything else still comes here: see there).
# RAM on boards: 17 module globals at most, __name__ and __file__ included (MicroPython's
# dict of 13-17 entries takes 320 B, of 18-23 416 B; 17 now): mhttp._lazy is read as
# _lazy.<name>, H1Error, ProtocolError and NEVER_INDEX_DEFAULT are
# imported where they are used (an error; a field name not yet cached: a plain exchange
# need not load mhttp.errors at all; H1Error is still importable from here, served by
# the module __getattr__), const is defined for CPython only
# (MicroPython's compiler replaces every const() call; `from micropython import const`
# would bind a global), and the public CLIENT, SERVER and EV_* are private const()s
# served by the module __getattr__ (on MicroPython a public const() stays a global).
from mhttp import _lazy

if hasattr(b"", "translate"):       # CPython
    def const(n):
        return n

# The roles (H1Protocol's first argument) and the kinds of event (the first item of a
# next_event() tuple): public as CLIENT, SERVER, EV_HEADERS, EV_DATA, EV_TRAILERS and
# EV_CLOSED (through __getattr__ below).
_CLIENT = const(0)
_SERVER = const(1)

_EV_HEADERS = const(1)
_EV_DATA = const(2)
_EV_TRAILERS = const(3)
_EV_CLOSED = const(4)


def __getattr__(name):
    # PEP 562 (MicroPython too): SERVER here (mhttp.server reads it once per server);
    # CLIENT, the EV_* kinds, H1Error and __all__ from mhttp._h1_rare._modattr (board RAM: their
    # names and values are not carried by every program).
    if name == "SERVER":
        return _SERVER
    if name[:1] == "_" and name != "__all__":
        raise AttributeError(name)      # (a probe for __path__ &c. loads nothing)
    from mhttp._h1_rare import _modattr
    return _modattr(name)

_RS_WAIT = const(0)
_RS_HEAD = const(1)
_RS_CL = const(2)
_RS_CHUNK_SIZE = const(3)
_RS_CHUNK_DATA = const(4)
_RS_CHUNK_CRLF = const(5)
_RS_TRAILERS = const(6)
_RS_CLOSE = const(7)
_RS_DONE = const(8)
_RS_TUNNEL = const(9)
_RS_ERROR = const(10)

_SS_IDLE = const(0)
_SS_CL = const(1)
_SS_CHUNKED = const(2)
_SS_CLOSE = const(3)
_SS_DONE = const(4)
_SS_TUNNEL = const(5)

def _err(n, args=None, code=400):
    # The exception numbered n: its text is line n of mhttp._h1_text.text (formatted with
    # args, a value or a tuple, unless args is None); an H1Error with status_hint `code`,
    # or a ProtocolError (our own side broke a rule: nothing to answer) when code is None.
    # (Argument names here and below are ones MicroPython has built in: a new one costs
    # an interned name, ~24 B of heap.)
    # The texts are not literals here: on a board they would cost ~5 KB of heap loaded
    # with this module (as .mpy; ~2 KB executed in place from ROMFS); mhttp._h1_text is
    # loaded by the first error instead.  Raise sites carry the text as a comment.
    try:
        from mhttp._h1_text import text
    except (ImportError, MemoryError):
        # No heap left for the texts (or a deployment without them): the same class and
        # status, a bare message.
        text = None
    if text is None:
        msg = "HTTP/1.1 error #%d" % n
    else:
        i = 0
        while n:
            i = text.find("\n", i) + 1
            n -= 1
        msg = text[i:text.find("\n", i)]
        if args is not None:
            msg = msg % args
    if code is None:
        from mhttp.errors import ProtocolError
        return ProtocolError(msg)
    from mhttp.errors import H1Error
    return H1Error(msg, code)


# Field kinds that steer framing: each the position of its name in the one constant
# b" host content-length transfer-encoding connection expect " (_name_entry).
_K_HOST = const(1)
_K_CL = const(6)
_K_TE = const(21)
_K_CONN = const(39)
_K_EXPECT = const(50)

# ---- character classes (RFC 9110 §5.6.2 token, §5.5 field-value; RFC 3986) ----
# _CLASS[c] holds one bit per class byte c belongs to: 1 tchar (token), 2 VCHAR, 4 what a
# field-value, reason-phrase or chunk-ext may hold (HTAB, SP, VCHAR, obs-text), 8 HEXDIG,
# 16 uri-host [":" port] (ALPHA DIGIT and "-._~!$&'()*+,;=:[]%"), 32 reg-name or IPv4address
# (the same without ":[]": a Host of these alone needs no further check).  One bytes
# literal: on a board it stays in flash (ROMFS, frozen) where building the table and its
# source strings cost ~0.5 KB of heap.  (Not a const(): a bytes const() needs a MicroPython 1.19+
# compiler, and CircuitPython compiles these sources on the board.)
# tests_host/core/test_h1_ram.py rebuilds it from these sets.
_CLASS = (
    b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00"  # 00
    b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"  # 10
    b"\x04\x37\x06\x07\x37\x37\x37\x37\x36\x36\x37\x37\x36\x37\x37\x06"  # 20
    b"\x3f\x3f\x3f\x3f\x3f\x3f\x3f\x3f\x3f\x3f\x16\x36\x06\x36\x06\x06"  # 30
    b"\x06\x3f\x3f\x3f\x3f\x3f\x3f\x37\x37\x37\x37\x37\x37\x37\x37\x37"  # 40
    b"\x37\x37\x37\x37\x37\x37\x37\x37\x37\x37\x37\x16\x06\x16\x07\x37"  # 50
    b"\x07\x3f\x3f\x3f\x3f\x3f\x3f\x37\x37\x37\x37\x37\x37\x37\x37\x37"  # 60
    b"\x37\x37\x37\x37\x37\x37\x37\x37\x37\x37\x37\x06\x07\x06\x37\x00"  # 70
    b"\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04"  # 80
    b"\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04"  # 90
    b"\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04"  # a0
    b"\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04"  # b0
    b"\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04"  # c0
    b"\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04"  # d0
    b"\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04"  # e0
    b"\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04"  # f0
)

# The classes as the second argument of _bad(): on MicroPython the bit in _CLASS; on
# CPython the set of allowed bytes (replaced below).  All are const()s, inlined by
# MicroPython (no global, no interned name; mhttp._h1_client, _h1_server and _h1_rare
# repeat the ones they use, and take CPython's sets from mhttp._h1_cpy as this module
# does).
_TOKEN = const(1)
_VCHAR = const(2)
_VALUE = const(4)
_HEX = const(8)
_HOST = const(16)
_RNAME = const(32)
_NAME_CACHE_MAX = const(32)

if hasattr(b"", "translate"):
    # CPython: _bad(s, allowed) is one bytes.translate() (the allowed sets are built from
    # _CLASS in mhttp._h1_cpy, which MicroPython never loads: on a board that code, its
    # names and tables would only cost heap).  update() puts _bad, _bad_block, the sets
    # (_TOKEN, _VALUE, ...) and a larger _NAME_CACHE_MAX into this module's globals: a
    # `from ... import` naming them would intern those names on MicroPython too, where
    # this branch is compiled but never runs.
    from mhttp import _h1_cpy
    _h1_cpy.update(globals())
else:
    # MicroPython has no translate: _bad(s, flags) looks each byte up in _CLASS.

    def _bad(s, flags):
        t = _CLASS
        for c in s:
            if not t[c] & flags:
                return True
        return False

    def _bad_block(s, items):
        # `int in bytes` is a Python-level scan on MicroPython (31 of them over a 60-byte
        # head cost 80 us per request): 0x7f is found by a bytes search, the rest by
        # min() per line at C speed (no allocation: items, when not None, are the lines
        # of s split at CRLF); only a line holding a byte below 0x20 (a tab, say) is then
        # looked at byte by byte.  (No default argument: a function with one takes 64 B
        # of a board's heap, one without 32.)
        if b"\x7f" in s:
            return True
        for line in items or s.split(b"\r\n"):
            if line and min(line) < 32:
                for c in line:
                    if c < 32 and c != 9 and c != 13 and c != 10:
                        return True
        return False

# Raw field name -> (lowercase name, kind): kind is a _K_* (> 0) for the fields that
# steer framing, -1 for a field never indexed (NEVER_INDEX_DEFAULT: none of those steers
# framing), else 0.  (A 2-tuple: one heap block per cached name on a board, a 3-tuple
# takes two.)  Shared by every connection and bounded (_NAME_CACHE_MAX): a peer sending
# endless new names only costs the validation, never memory.  On a board each entry
# holds ~176 B for the life of the process (64-bit unix port: the raw name, its
# lowercase copy, the tuple, the dict slot): there it caches none (_name_entry), 480
# names on CPython (mhttp._h1_cpy's bound, 512, less 32).
_NAME_CACHE = {}


def _version(v, server_side):
    # b"HTTP/1.1" / b"HTTP/1.0" -> b"1.1" / b"1.0"; other 1.x minors count as 1.1.
    if len(v) == 8 and v.startswith(b"HTTP/") and v[6] == 46 and 48 <= v[5] <= 57 \
            and 48 <= v[7] <= 57:
        if v[5] != 49:
            raise _err(4, v, 505 if server_side else 400)  # unsupported HTTP version %r
        return b"1.0" if v[7] == 48 else b"1.1"
    raise _err(5, v[:20])  # malformed HTTP version %r


def _parse_cl(value, max_body):
    # RFC 9112 §6.3 / RFC 9110 §8.6: 1*DIGIT; a list of identical values may be merged.
    if b"," in value:
        # (a loop, not a comprehension: its code object costs heap on a board, even from
        # ROMFS)
        vals = []
        for x in value.split(b","):
            vals.append(x.strip(b" \t"))
        for x in vals:
            if x != vals[0]:
                raise _err(6)  # differing Content-Length values
        value = vals[0]
    if not value or not value.isdigit() or len(value) > 15:
        raise _err(7, value[:20])  # malformed Content-Length %r
    n = int(value)
    if max_body is not None and n > max_body:
        raise _err(8, (n, max_body), 413)  # Content-Length %d exceeds the body limit %d
    return n


# RAM on boards: the role-specific halves (parsing a request head and writing a response:
# mhttp._h1_server; the reverse: mhttp._h1_client) are imported by the first H1Protocol
# of that role, so a server never loads the client half, nor a client the server half.
_SRV = None
_CLI = None

# Rare methods of H1Protocol (sending trailers, 100 Continue, diagnosing a bad field
# line) live in mhttp._h1_rare, bound to the class on first use (mhttp._lazy); so does
# _r_rare, next_event's reader of a chunked body, its trailer section, a close-delimited
# body and of a head that arrived in part.
# (one str, repeated in the settle() call at the end: equal literals are one object)


class H1Protocol:
    # Board RAM: defaults live on the class; an instance's dict holds only what differs
    # (limits given, state a connection actually changed).  start_next_cycle resets
    # the rarely used per-cycle fields only when they were set.
    # role: the class default is SERVER (a server's connection then writes no `role`
    # slot: with the per-cycle fields a plain server exchange writes, 8 in all, its
    # attribute table is 128 B instead of 160 B, board RAM); a client sets it.  (The
    # class dict is full at 37 entries on MicroPython: one more would grow it to 47, so
    # _take is a module function, below.)
    role = _SERVER
    max_line = 8190
    max_header_bytes = 16384
    max_headers = 100
    max_body = None
    max_chunk_line = 4096
    scheme = b"http"
    _buf = b""
    _pos = 0
    _scan = 0          # bytes past _pos already checked by the incomplete-head path
    _eof = False
    _err = None
    keep_alive = True
    their_version = None
    upgraded = False
    _ss = _SS_IDLE
    _rleft = 0
    _rbody = 0
    _sleft = 0
    _method = None      # the request method of this cycle (server: None until its head
                        # is parsed; the response to HEAD then carries no body)
    expect_continue = False
    our_done = False
    their_done = False

    def __init__(self, role, max_line=8190, max_header_bytes=16384, max_headers=100,
                 scheme=b"http", max_body=None, max_chunk_line=4096):
        if role != _SERVER:
            self.role = role
        if max_line != 8190:
            self.max_line = max_line
        if max_header_bytes != 16384:
            self.max_header_bytes = max_header_bytes
        if max_headers != 100:
            self.max_headers = max_headers
        if max_body is not None:
            self.max_body = max_body
        if max_chunk_line != 4096:
            self.max_chunk_line = max_chunk_line
        if type(scheme) is not bytes:
            from mhttp.headers import _b
            scheme = _b(scheme)
        if scheme != b"http":
            self.scheme = scheme
        global _SRV, _CLI
        if role == _SERVER:
            if _SRV is None:
                from mhttp import _h1_server as _SRV
        elif _CLI is None:
            # Board RAM: a collection first (MicroPython only; once), so that the client
            # half and the connection being set up fill the holes the garbage of what
            # ran before left, instead of splitting the free space later requests need
            # (h1 client 100 GETs: 42 -> 40 KiB ROMFS, 63 -> 61 KiB fs).
            if not hasattr(b"", "translate"):
                import gc
                gc.collect()
            from mhttp import _h1_client as _CLI
        # The receive state and the fields every exchange writes (a server's: those of a
        # plain GET answered with a content-length), set now to their class defaults, so
        # that the attribute table takes its final size here (a connection's set-up)
        # instead of growing step by step in the middle of the first request and
        # response, where the heap is tightest (a server's first requests on ten
        # connections at once: a 128 B table failed there, in a fragmented heap).
        # Other per-cycle fields keep their class defaults until a cycle writes them (a
        # client never writes absolute_target, nor _sleft without a request body: on
        # MicroPython a smaller attribute table, ~8 B a slot, per connection).
        self._rs = _RS_HEAD if role == _SERVER else _RS_WAIT
        if role == _SERVER:
            self._buf = b""
            self.their_version = None
            self._method = None
            self.their_done = False
            self._ss = _SS_IDLE
            self.our_done = False
            self._sleft = 0
        else:
            self._method = None
            self._ss = _SS_IDLE
            self.our_done = False
            self.their_done = False
            self.their_version = None
            self._buf = b""
            self._pos = 0
            self._rleft = 0

    def __getattr__(self, name):
        # Reached only when normal lookup misses: a rare method (bound on first use).
        return _lazy.bind(self, name,
                          "_h1_rare send_trailers send_continue _bad_field_line _r_rare", None)

    # ------------------------------------------------------------------ receiving

    def receive_data(self, data):
        # Appends bytes from the peer; b"" means the peer closed its side (EOF).
        if not data:
            self._eof = True
            return
        if self._eof:
            raise _err(12, None, None)  # receive_data after EOF
        if type(data) is not bytes:
            data = bytes(data)
        pos = self._pos
        if pos >= len(self._buf):
            self._buf = data
        else:
            self._buf = self._buf[pos:] + data
        if pos:
            # (written only when moved: a plain server exchange never writes _pos, one
            # slot less in every connection's attribute table, board RAM)
            self._pos = 0

    def next_event(self):
        # The next event tuple, or None when more bytes (or our side) are needed.
        # (Three slots: on MicroPython a frame of more than 11 words takes a heap block
        # for as long as the call runs, 160 B for this one with its handler, 256 B with
        # the head's locals in it.  A head is found and checked by _head, whose frame is
        # freed before the head is parsed: board RAM, the deepest point of a message.)
        if self._err is not None:
            raise self._err
        try:
            # The receive transitions (see the top of this module); the readers of a
            # chunked body, its trailers and a close-delimited body are in _h1_rare.
            rs = self._rs
            if rs == _RS_HEAD:
                rs = _head(self)    # the head's lines, else what to return
                if type(rs) is not list:
                    return rs
                if self.role == _SERVER:
                    return _SRV.request_head(self, rs)
                return _CLI.response_head(self, rs)
            elif rs == _RS_CL:
                if self._pos >= len(self._buf):
                    if self._eof:
                        raise _err(26)  # connection closed before the end of the body
                    return None
                if self.expect_continue:
                    # (written only when set: a client's instance dict never holds it)
                    self.expect_continue = False
                # (rs: the body bytes, a slot reused, see above)
                rs = _take(self, self._rleft)
                self._rleft -= len(rs)
                if self._rleft:
                    return (_EV_DATA, rs, False)
                self._rs = _RS_DONE
                self.their_done = True
                return (_EV_DATA, rs, True)
            elif rs == _RS_DONE or rs == _RS_WAIT:
                # Their message is complete (a next one waits for start_next_cycle),
                # or a client's request head has not gone out: only EOF is news.
                if self._eof and (rs == _RS_DONE or self._pos >= len(self._buf)):
                    self.keep_alive = False
                    return (_EV_CLOSED,)
                return None
            elif rs == _RS_TUNNEL:
                if self._pos < len(self._buf):
                    return (_EV_DATA, _take(self, len(self._buf)), False)
                if self._eof:
                    self._rs = _RS_DONE
                    return (_EV_DATA, b"", True)
                return None
            # A chunked body, its trailers, a close-delimited body (mhttp._h1_rare).
            return self._r_rare()
        except Exception as e:
            # An H1Error?  (mhttp.errors is imported where one is made, see the module
            # globals above: if it is not loaded, this is not one, and nothing is imported
            # here.)  A MemoryError mid-parse fails the message too (the read position
            # may have moved past what was being parsed; on a board it may be the first
            # H1Error's import of mhttp.errors that ran out of heap): it is raised again
            # by every later call, and the connection is not kept alive.
            # (rs: a slot reused)
            import sys as rs
            rs = rs.modules.get("mhttp.errors")
            if not isinstance(e, MemoryError) and (rs is None or not isinstance(e, rs.H1Error)):
                raise
            self._err = e
            self._rs = _RS_ERROR
            self.keep_alive = False
            raise

    def _name_entry(self, name):
        # Validates a field name (RFC 9110 §5.1: a token) and caches its entry.
        if not name or _bad(name, _TOKEN):
            return None
        lname = name if name.islower() else name.lower()   # lower() always copies
        # The kind (_K_*) is the position of the name between two spaces in this one
        # constant (five separate literals would cost five objects of heap on a board),
        # else 0.  (A token holds no space: found between two, it is a whole word.)
        t = b" host content-length transfer-encoding connection expect "
        k = t.find(lname)
        if k < 1 or t[k - 1] != 32 or t[k + len(lname)] != 32:
            k = 0
        from mhttp.headers import NEVER_INDEX_DEFAULT
        if lname in NEVER_INDEX_DEFAULT:
            k = -1
        e = (lname, k)
        # (A board caches none: an entry made amid a first exchange outlives it where the
        # heap is tightest; a client's names are the server's, in whatever case it sends
        # them, h1 client 100 GETs 33536 -> 33024 B from ROMFS; a server's, its peers'
        # and its handlers' (h1 server, 10 connections, from ROMFS: live after 1000
        # requests 41472 -> 40960 B, 50688-51456 -> 50176-50432 B of heap, 3 runs each
        # at 256 B steps), with no loss of speed on MicroPython (the unix port parses a
        # 4-field request in the same ~18 us without it).  On CPython the bound, 512,
        # leaves 480.)
        if len(_NAME_CACHE) < _NAME_CACHE_MAX - 32:
            _NAME_CACHE[name] = e
        return e

    def _fields(self, items, dest, server_side):
        # Parses the field lines `items` into the list dest (server_side: a request's, with
        # its Host taken apart); returns (host, cl, te, conn, expect), each the raw value
        # (comma-joined when repeated) or None.  items is consumed: each line is taken
        # from its front as it is parsed (on a board the lines parsed already are garbage
        # while the rest are parsed, and the loop needs no iterator: a frame of fewer
        # slots, a smaller heap block at the deepest point of a message; see next_event).
        # (Callers drop a start line with `del lines[0]`: no copy of the list, as
        # lines[1:] would make.)
        host = cl = te = conn = expect = None
        while items:
            line = items.pop(0)
            # Most lines read "Name: value": splitting at ": " leaves a value that strip()
            # returns as is (no copy).  Anything else takes the general ":" path.  (k:
            # the separator first, a slot reused.)
            name, k, value = line.partition(b": ")
            e = _NAME_CACHE.get(name)
            if e is None or not k:
                name, k, value = line.partition(b":")
                e = _NAME_CACHE.get(name)
                if e is None:
                    e = self._name_entry(name)
                if e is None or not k:
                    # (the error for this line, from mhttp._h1_rare; None when it was
                    # an obs-fold a client joined to the field before it)
                    e = self._bad_field_line(line, dest)
                    if e is None:
                        continue
                    raise e
            value = value.strip(b" \t")
            k = e[1]
            if k > 0:
                if k == _K_HOST and server_side:
                    if host is not None:
                        # more than one Host field (RFC 9112 §3.2: a server MUST respond with 400)
                        raise _err(24)
                    host = value
                    continue
                if k == _K_CL:
                    cl = value if cl is None else cl + b"," + value
                elif k == _K_TE:
                    te = value if te is None else te + b"," + value
                elif k == _K_CONN:
                    conn = value if conn is None else conn + b"," + value
                elif k == _K_EXPECT:
                    expect = value
            dest.append((e[0], value, k < 0))
        return host, cl, te, conn, expect

    def _out_fields(self, headers, dest):
        # Validates and serialises regular fields, appending the pieces to the list dest;
        # returns (cl, te, conn) raw values.
        cl = te = conn = None
        cache = _NAME_CACHE
        for f in headers:
            name = f[0]
            value = f[1]
            if type(name) is not bytes or type(value) is not bytes:
                from mhttp.headers import _b
                name = _b(name).lower() if type(name) is not bytes else name
                value = _b(value)
            if name and name[0] == 58:     # ":" (no slice: RAM on boards)
                continue
            e = cache.get(name)
            if e is None:
                e = self._name_entry(name)
                if e is None:
                    raise _err(42, name[:40], None)  # invalid header name %r
            if _bad(value, _VALUE):
                # invalid characters (CR, LF, NUL, CTL) in the value of %r
                raise _err(43, name[:40], None)
            k = e[1]
            if k > 0:
                if k == _K_CL:
                    cl = value
                elif k == _K_TE:
                    te = value
                elif k == _K_CONN:
                    conn = value
            dest.append(name)
            dest.append(b": ")
            dest.append(value)
            dest.append(b"\r\n")
        return cl, te, conn

    def send_headers(self, headers, end_stream=False, extra=None):
        # extra (server): field lines already serialised, a sequence of bytes pieces
        # such as (b"date: ", date, b"\r\n"), written after the given fields.
        if self.role == _SERVER:
            return _SRV.send_response(self, headers, end_stream, extra)
        return _CLI.send_request(self, headers, end_stream)

    def send_data(self, data, end_stream=False):
        # Returns the pieces to write, in order (data itself is never copied).
        ss = self._ss
        n = len(data)
        if ss == _SS_TUNNEL:
            return [data] if n else []
        if ss == _SS_CL:
            if n > self._sleft:
                # %d body bytes exceed the content-length (%d left)
                raise _err(44, (n, self._sleft), None)
            self._sleft -= n
            if end_stream:
                if self._sleft:
                    # body ended %d bytes short of the content-length
                    raise _err(45, self._sleft, None)
                self._ss = _SS_DONE
                self.our_done = True
            return [data] if n else []
        if ss == _SS_CHUNKED:
            out = [b"%x\r\n" % n, data, b"\r\n"] if n else []
            if end_stream:
                out.append(b"0\r\n\r\n")
                self._ss = _SS_DONE
                self.our_done = True
            return out
        if ss == _SS_CLOSE:
            if end_stream:
                self._ss = _SS_DONE
                self.our_done = True
            return [data] if n else []
        if ss == _SS_DONE and self.role == _SERVER and self._method == b"HEAD":
            return []       # a response to HEAD carries no body: the bytes are dropped
        if ss == _SS_DONE and not n:
            return []
        raise _err(46, ss, None)  # send_data in send state %d (no body may be sent now)

    _upgrade = False    # client: this cycle's request carried Upgrade (a 101 may follow)
    absolute_target = None  # server: this cycle's request-target when in absolute-form

    def start_next_cycle(self):
        # Both messages done and the connection reusable: reset for the next pair.
        if not (self.our_done and self.their_done):
            raise _err(51, None, None)  # start_next_cycle before both messages are complete
        if not self.keep_alive or self.upgraded:
            raise _err(52, None, None)  # start_next_cycle on a connection that must close
        if self._upgrade:
            self._upgrade = False
        if self.absolute_target is not None:
            self.absolute_target = None
        self._rs = _RS_HEAD if self.role == _SERVER else _RS_WAIT
        self._ss = _SS_IDLE
        self._method = None
        self.our_done = False
        self.their_done = False
        if self._rleft:
            self._rleft = 0
        if self._rbody:
            self._rbody = 0
        if self._sleft:
            self._sleft = 0
        if self.expect_continue:
            self.expect_continue = False


def _head(self):
    # next_event's reader of a message head (_RS_HEAD) for H1Protocol self: the head's
    # lines, split at CRLF and checked (the start line first), once a whole head is
    # buffered, else what next_event returns (None: more bytes needed).  A module
    # function, not a method: see H1Protocol.role.
    buf = self._buf
    pos = self._pos
    if self.role == _SERVER:
        # RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the
        # request-line.
        while buf.startswith(b"\r\n", pos):
            pos += 2
            self._pos = pos
    end = buf.find(b"\r\n\r\n", pos + (self._scan - 3 if self._scan > 3 else 0))
    if end < 0:
        if pos >= len(buf):
            if self._eof:
                self.keep_alive = False
                return (_EV_CLOSED,)
            return None
        # Part of a head (self._pos == pos): checked so far by
        # mhttp._h1_rare._head_incomplete, through _r_rare.
        return self._r_rare()
    if self._scan:
        self._scan = 0
    if end - pos > self.max_header_bytes:
        # header section larger than %d bytes
        raise _err(13, self.max_header_bytes, 431)
    block = buf[pos:end]
    if end + 4 == len(buf):
        self._buf = b""     # all parsed: an idle connection keeps no bytes alive
        if pos:
            self._pos = 0
    else:
        self._pos = end + 4
    lines = block.split(b"\r\n")
    n = len(lines) - 1
    if block.count(b"\n") != n or block.count(b"\r") != n:
        # bare CR or LF in the message head (RFC 9112 §2.2: CRLF only)
        raise _err(14)
    if _bad_block(block, lines):
        raise _err(15)  # control character in the message head
    if n > self.max_headers:
        raise _err(16, self.max_headers, 431)  # more than %d header fields
    if end - pos > self.max_line:
        # Only a block longer than max_line can hold an over-long line.
        # (n, block: slots reused)
        n = self.max_line
        if len(lines[0]) > n:
            if self.role == _SERVER:
                raise _err(17, n, 414)  # request-line longer than %d bytes
            raise _err(18, n)  # status-line longer than %d bytes
        for block in lines:
            if len(block) > n:
                raise _err(19, n, 431)  # field line longer than %d bytes
    return lines


def _take(self, n):
    # Up to n body bytes from the buffer of H1Protocol self (no copy when the buffer is
    # exactly that).  (A module function, not a method: see H1Protocol.role.)
    buf = self._buf
    pos = self._pos
    have = len(buf) - pos
    if have <= n:
        data = buf if pos == 0 else buf[pos:]
        self._buf = b""
        if pos:
            self._pos = 0
    else:
        data = buf[pos:pos + n]
        self._pos = pos + n
    return data


# ------------------------------------------------------------------ sending


def _out_framing(self, length, encoding, end_stream):
    # The framing of an outgoing message of H1Protocol self that carries its own
    # content-length (length) or transfer-encoding (encoding), for both roles: sets
    # self._sleft / self._ss.
    if length is not None:
        if not length.isdigit() or len(length) > 15:
            raise _err(53, length[:20], None)  # invalid content-length %r
        n = int(length)
        if end_stream and n:
            raise _err(54, n, None)  # end_stream with content-length %d and no body
        self._sleft = n
        self._ss = _SS_CL if n else _SS_DONE
    else:
        # (a transfer-encoding the caller wrote: checked by mhttp._h1_rare)
        from mhttp._h1_rare import _te_out
        _te_out(self, encoding)


# CPython: bound now, no __getattr__
_lazy.settle(H1Protocol, "_h1_rare send_trailers send_continue _bad_field_line _r_rare",
             None)
