# mhttp.headers: lua-http's http.headers in Python idiom.
#
# Design criteria (after lua-http's http/headers.lua):
#   - an ordered list: the order fields arrive in is the order they are written out;
#   - multi-valued: a name may appear many times and each value is kept;
#   - each field carries never_index, the HPACK "never indexed" flag (RFC 7541 §7.1.3),
#     true by default for authorization, proxy-authorization, cookie and set-cookie
#     (append, and as lua-http's, modifyi and upsert given no never_index: the name's
#     default, not the old field's flag).
#
# Names and values are bytes end to end (MicroPython only knows UTF-8, so str values
# would not survive a round trip of arbitrary octets).  Every method that takes a name or
# value also accepts str and encodes it as UTF-8; names are lowercased on the way in.
# Pseudo-header fields (":method", ":path", ":authority", ":scheme", ":status",
# ":protocol") live in the same list as in HTTP/2; the HTTP/1 core maps them to and from
# the request and status lines.
#
# Indexes are 0-based (Python), where lua-http counts from 1.  sort() and dump(file,
# prefix) are lua-http's: pseudo-headers first then by name, equal names by value then
# never_index; dump writes to stderr when no file is given (and returns the text).

# (mhttp._lazy as a module, its functions read from it: this module's dict holds eight
# entries, a table of 128 B on a board, not nine in 160)
import mhttp._lazy as _lazy

NEVER_INDEX_DEFAULT = (b"authorization", b"proxy-authorization", b"cookie", b"set-cookie")


def _b(v):
    # (Private functions take argument names MicroPython has built in: a new name costs
    # an interned string, ~24 B of heap on a board.)
    if isinstance(v, bytes):
        return v
    if isinstance(v, str):
        return v.encode()
    if isinstance(v, (bytearray, memoryview)):
        return bytes(v)
    if isinstance(v, int):
        # (what b"%d" % v gives, bools too, without a bytes constant: a heap object on a
        # board, even from ROMFS)
        return str(int(v)).encode()
    # TypeError: header name or value must be bytes or str (its text in
    # mhttp._headers_more: a str constant is a heap object on a board, even from ROMFS;
    # the module by __import__ with its name as a str, not an import statement: board
    # RAM, a name longer than 10 characters in a str is not interned)
    # (the module's name: the first word of the table of Headers' rare methods, the
    # same str constant as below, "mhttp." from this module's name: no constant of its own)
    m = __name__[:6] + "_headers_more clone len each delete geti get_comma_separated " \
        "modifyi sort dump upsert".split(None, 1)[0]
    raise __import__(m, None, None, (m,))._err(0)


def _name(v):
    # Lowercase bytes; an already lowercase name is returned as is (no copy: most names
    # come from code as lowercase literals, and lower() always allocates).
    v = _b(v)
    return v if v.islower() else v.lower()


# RAM on boards: methods that no plain request or response path calls (clone, len, each,
# delete, geti, get_comma_separated, modifyi, sort, dump, upsert) live in
# mhttp._headers_more, bound to the class on first use (mhttp._lazy); on MicroPython each
# def costs ~70 B of heap even from ROMFS, and from a .mpy file its bytecode too.  Hot
# paths use append, get, get_as_sequence (a WebSocket handshake), has and iteration.  (The
# list is written out in __getattr__ and settle below, not kept in a global: board RAM,
# one interned name less.)


class Headers:
    # _l is a list of (name, value, never_index) tuples.

    def __init__(self, items=None, _l=None):
        # _l: private, a list of fields taken as is (see _trusted).
        self._l = [] if _l is None else _l
        if items is not None:
            if isinstance(items, Headers):
                self._l = list(items._l)
            else:
                for it in items:
                    if len(it) == 3:
                        self.append(it[0], it[1], it[2])
                    else:
                        self.append(it[0], it[1])

    @classmethod
    def _trusted(self, items):
        # Internal fast path for parsers that already produced a list of lowercase bytes
        # (name, value, never_index) tuples.  self: the class (a name MicroPython has
        # built in, unlike cls: board RAM).
        # (MicroPython has no cls.__new__ to call, hence the private argument.)
        return self(None, items)

    def append(self, name, value, never_index=None):
        name = _name(name)
        if never_index is None:
            never_index = name in NEVER_INDEX_DEFAULT
        self._l.append((name, _b(value), bool(never_index)))

    def __len__(self):
        return len(self._l)

    def __iter__(self):
        return iter(self._l)

    def has(self, name):
        name = _name(name)
        for f in self._l:
            if f[0] == name:
                return True
        return False

    __contains__ = has

    def get_as_sequence(self, name):
        name = _name(name)
        # (loops, not comprehensions, here and in __repr__: a comprehension's code object
        # costs heap on a board, even from ROMFS)
        r = []
        for f in self._l:
            if f[0] == name:
                r.append(f[1])
        return r

    def get(self, name, default=None):
        # The first value of this name (lua-http returns them all: see get_as_sequence).
        name = _name(name)
        for f in self._l:
            if f[0] == name:
                return f[1]
        return default

    def __getattr__(self, name):
        # Reached only when normal lookup misses: a rare method (bound on first use).
        return _lazy.bind(self, name, "_headers_more clone len each delete geti "
                          "get_comma_separated modifyi sort dump upsert", None)

    def __eq__(self, obj):
        if isinstance(obj, Headers):
            return self._l == obj._l
        return NotImplemented

    def __repr__(self):
        # (short str literals are interned names; "Headers(%r)" would be a heap object on
        # a board, even from ROMFS)
        r = []
        for f in self._l:
            r.append((f[0], f[1]))
        return "%s(%r)" % ("Headers", r)


new = Headers   # lua-http's headers.new(): new(items=None) -> Headers


# CPython: bound now, no __getattr__
_lazy.settle(Headers, "_headers_more clone len each delete geti "
             "get_comma_separated modifyi sort dump upsert", None)
