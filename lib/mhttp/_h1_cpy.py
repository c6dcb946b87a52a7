# mhttp._h1_cpy: CPython's character-class checks for mhttp.h1, imported only where bytes
# has translate() (CPython; MicroPython never loads this module: a board would only carry
# its code, names and tables).  _bad(s, allowed) deletes every allowed byte with one
# bytes.translate() at C speed; what is left is bad.  The allowed sets are built from
# mhttp.h1._CLASS (see there for the bits), so both runtimes check the same classes.
# update(g) installs them into a module's globals (mhttp.h1, mhttp._h1_rare,
# mhttp._h1_server).
# Nothing is imported from mhttp.h1 at import time: mhttp.h1 imports this module while it
# initialises (this one imported first would otherwise find it half-initialised); the
# first update() builds the sets, from the _CLASS of the globals it is given (mhttp.h1's)
# or, when those have none, from mhttp.h1 itself.
_SETS = None                  # {"_TOKEN": allowed bytes, ...}, built by the first update()
_BLOCK = None                 # a whole head; CR/LF pairing checked apart
_BLOCK_V = None               # the sets _head_fast uses (field-value, token, reg-name)
_SETS_TOKEN = None
_SETS_RNAME = None
_NAME_CACHE_MAX = 512         # mhttp.h1's field-name cache (32 on MicroPython)


def _bad(s, allowed):
    return s.translate(None, allowed)


def _bad_block(s, items=None):
    return s.translate(None, _BLOCK)


def update(g):
    # g: the globals of mhttp.h1, mhttp._h1_rare or mhttp._h1_server, where these replace
    # the MicroPython versions (bits for _bad; a smaller name cache).
    global _SETS, _BLOCK, _BLOCK_V, _SETS_TOKEN, _SETS_RNAME
    if _SETS is None:
        cls = g.get("_CLASS")
        if cls is None:
            from mhttp.h1 import _CLASS as cls
        sets = {}
        for name, bit in (("_TOKEN", 1), ("_VCHAR", 2), ("_VALUE", 4), ("_HEX", 8),
                          ("_HOST", 16), ("_RNAME", 32)):
            sets[name] = bytes([c for c in range(256) if cls[c] & bit])
        _BLOCK = b"\r\n" + sets["_VALUE"]
        _BLOCK_V = sets["_VALUE"]
        _SETS_TOKEN = sets["_TOKEN"]
        _SETS_RNAME = sets["_RNAME"]
        _SETS = sets
    g.update(_SETS)
    g.update(_NAME_CACHE_MAX=_NAME_CACHE_MAX, _bad=_bad, _bad_block=_bad_block)
    if g.get("__name__") == "mhttp._h1_server":
        install(g["h1"])


# ---- CPython's fast path for a whole request head (server side) ----
# install(h1) (called by update() with mhttp._h1_server's globals, so only a server
# that made an H1Protocol(SERVER) pays for it, and mhttp.h1 is complete by then)
# replaces mhttp.h1._head, next_event's reader of a head, with _head_fast: for a server,
# a head that is all there and plain (origin-form target, HTTP/1.1 or 1.0, field lines
# "name: value" with names already cached or valid tokens, one Host of reg-name or IPv4
# [":" port], at most one Content-Length of digits only, no Transfer-Encoding, no
# repeated Connection) is parsed here in one pass and its EV_HEADERS event returned
# (next_event returns whatever _head gives that is not a list); anything else, a head
# in part, a client's response head, any check that does not pass, goes to the
# portable reader (mhttp.h1._head, then mhttp._h1_server.request_head) from the start,
# which accepts it or raises the error it always has.  So this path rejects nothing
# itself: it accepts a subset of what the portable one accepts, with the same result
# (tests_host/test_h1_fast_path.py runs both on the bad-input corpus, on every
# single-byte edit of plain heads and on mutants of the fuzzer's seeds, and compares
# events, state and errors).  Where the portable path's time went (browser GET, 15
# fields, ~8.9 us a request on the machine it was measured on): the head's bytes scanned
# by find, split, two counts (CR/LF pairing) and a translate (~2.3 us); each field line
# popped from the front of the list, partitioned, looked up through a dict method call
# (~3.1 us); the request-line cut with count, find, rfind and slices, the method and
# target checked through _bad() calls, the Host field inserted at the front after the
# fields, Headers built through _trusted() (~2 us).  Here: splitlines() (cheaper than
# split), one translate() whose result (CR, LF and nothing else, in CRLF pairs) tells
# both the control characters and the CR/LF pairing, the request-line one split(), the
# fields one loop with a dict subscript, Host's slot kept in place: ~6.1 us (the
# small POST, its body event included: ~5.7 -> ~3.9 us).
_PORTABLE = None              # mhttp.h1._head as it was (the portable reader)
_Headers = None               # mhttp.headers.Headers
_NAMES = None                 # mhttp.h1._NAME_CACHE
_GET = (b":method", b"GET", False)
_HTTP = (b":scheme", b"http", False)


def install(h1):
    global _PORTABLE, _Headers, _NAMES
    if _PORTABLE is None:
        from mhttp.headers import Headers
        _Headers = Headers
        _NAMES = h1._NAME_CACHE
        _PORTABLE = h1._head
        h1._head = _head_fast


def _head_fast(self):
    # mhttp.h1._head on CPython (see above): a plain request head's EV_HEADERS event, its
    # state set, else the portable reader's answer (nothing here changed before it runs:
    # every check comes before the first write to self, but for the field-name cache).
    if self.role != 1:                          # a client
        return _PORTABLE(self)
    buf = self._buf
    pos = self._pos
    end = buf.find(b"\r\n\r\n", pos)
    if end <= pos or end - pos > self.max_line or end - pos > self.max_header_bytes:
        return _PORTABLE(self)  # in part, a leading CRLF, or long enough for a limit
    block = buf[pos:end]
    lines = block.splitlines()
    n = len(lines) - 1
    # What translate leaves of the block is its CRs, LFs and bytes no field-value may
    # hold (HTAB SP VCHAR obs-text pass): n CRLFs and nothing else, with the block not
    # ending in CR or LF, means every line break splitlines() found (CRLF, CR or LF) is
    # a CRLF (CRs = pairs + bare CRs = n, LFs = pairs + bare LFs = n, breaks = pairs +
    # bare CRs + bare LFs = n: no bare one) and every other byte passed.  (A block
    # ending in HTAB, below 14 too, just takes the portable path.)
    if block.translate(None, _BLOCK_V) != b"\r\n" * n or not n or block[-1] < 14 \
            or n > self.max_headers:
        return _PORTABLE(self)
    rl = lines[0].split(b" ")
    if len(rl) != 3:
        return _PORTABLE(self)
    method, target, ver = rl
    if ver == b"HTTP/1.1":
        ver = b"1.1"
    elif ver == b"HTTP/1.0":
        ver = b"1.0"
    else:
        return _PORTABLE(self)
    if method == b"GET":
        rl = _GET
        method = b"GET"
    elif not method or method.translate(None, _SETS_TOKEN) or method == b"CONNECT":
        return _PORTABLE(self)
    else:
        rl = (b":method", method, False)
    # origin-form, VCHAR only (the block check left HTAB SP VCHAR obs-text; no SP here)
    if not target or target[0] != 47 or not target.isascii() or 9 in target:
        return _PORTABLE(self)
    hl = [rl, (b":path", target, False), None,
          _HTTP if self.scheme == b"http" else (b":scheme", self.scheme, False)]
    ap = hl.append
    cache = _NAMES
    host = cl = conn = expect = None
    del lines[0]
    for line in lines:
        # as mhttp.h1's H1Protocol._fields
        name, sep, value = line.partition(b": ")
        try:
            lname, k = cache[name]
        except KeyError:
            k = None
        if k is None or not sep:
            # "name:value", or a name not cached (a token: mhttp.h1 caches it; else the
            # portable reader says what is wrong with the line)
            name, sep, value = line.partition(b":")
            e = cache.get(name)
            if e is None:
                e = self._name_entry(name)
            if e is None or not sep:
                return _PORTABLE(self)
            lname, k = e
        value = value.strip(b" \t")
        if k:
            if k < 0:
                ap((lname, value, True))
                continue
            if k == 1:                  # _K_HOST
                if host is not None:
                    return _PORTABLE(self)
                host = value
                continue
            if k == 6:                  # _K_CL
                if cl is not None:
                    return _PORTABLE(self)
                cl = value
            elif k == 39:               # _K_CONN
                if conn is not None:
                    return _PORTABLE(self)
                conn = value
            elif k == 50:               # _K_EXPECT
                expect = value
            else:                       # Transfer-Encoding
                return _PORTABLE(self)
        ap((lname, value, False))
    if host is None:
        return _PORTABLE(self)
    if host.translate(None, _SETS_RNAME):
        # a reg-name or IPv4 ":" port (as mhttp._h1_server checks it), else the portable
        # path (an IP-literal; or what it rejects)
        name, sep, value = host.rpartition(b":")
        if not name or name.translate(None, _SETS_RNAME) or value and not value.isdigit():
            return _PORTABLE(self)
    if cl is not None:
        if not cl.isdigit() or len(cl) > 15:
            return _PORTABLE(self)
        k = int(cl)
        if self.max_body is not None and k > self.max_body:
            return _PORTABLE(self)
    # Accepted: the state mhttp.h1._head and mhttp._h1_server.request_head set.
    if self._scan:
        self._scan = 0
    if end + 4 == len(buf):
        self._buf = b""
        if pos:
            self._pos = 0
    else:
        self._pos = end + 4
    hl[2] = (b":authority", host, False)
    self.their_version = ver
    self._method = method
    # keep-alive: RFC 9112 §9.3 (as in mhttp._h1_server.request_head).
    if conn is not None:
        if conn != b"keep-alive":
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
    if cl is None or not k:
        self._rs = 8                    # _RS_DONE
        self.their_done = True
        body = False
    else:
        self._rleft = k
        self._rs = 2                    # _RS_CL
        body = True
        if expect is not None and ver == b"1.1" and expect.lower() == b"100-continue":
            self.expect_continue = True
    return (1, _Headers(None, hl), not body)    # EV_HEADERS (as Headers._trusted)
