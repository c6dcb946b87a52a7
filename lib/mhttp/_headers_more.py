# mhttp._headers_more: the rarely used methods of mhttp.headers.Headers, bound to the
# class on first use by Headers.__getattr__ (mhttp._lazy.bind): a board that only builds,
# reads and writes headers (every request and response) never loads this module.  Each
# function is written as a method (`self` first); call them as h.sort(), h.dump(), ...
from mhttp.headers import Headers, _b, _name, NEVER_INDEX_DEFAULT

_len = len     # the builtin: this module defines a method called len


def _err(n, name=None):
    # mhttp.headers' errors, with their texts: 0 for _b, 1 for upsert (below).
    if n:
        return ValueError("upsert: more than one %r field" % name)
    return TypeError("header name or value must be bytes or str")


def clone(self):
    return Headers._trusted(list(self._l))


def len(self):
    return _len(self._l)


def each(self):
    return iter(self._l)


def delete(self, name):
    # Removes every field with this name; True if any was there.
    name = _name(name)
    n = _len(self._l)
    self._l = [f for f in self._l if f[0] != name]
    return _len(self._l) != n


def geti(self, i):
    # The i-th field (0-based) as (name, value, never_index).
    return self._l[i]


def get_comma_separated(self, name):
    # All values of this name joined with ", " (RFC 9110 §5.3), or None.
    vals = self.get_as_sequence(name)
    if not vals:
        return None
    return b", ".join(vals)


def modifyi(self, i, value, never_index=None):
    # lua-http headers:modifyi (its entry:modify): the i-th field gets value and
    # never_index; never_index None is the name's default, as append's (true for
    # authorization, proxy-authorization, cookie, set-cookie), not the field's old flag.
    name = self._l[i][0]
    if never_index is None:
        never_index = name in NEVER_INDEX_DEFAULT
    self._l[i] = (name, _b(value), bool(never_index))


def sort(self):
    # lua-http headers:sort(): "by their field name, ordering those starting with ':'
    # first.  If names are equal then sort by value, then by never_index" (a never-index
    # field first, as lua-http's comparison has it).  The position closes the key: every
    # key differs, so MicroPython's unstable sort gives the one order too.
    l = self._l
    k = [(l[i][0][:1] != b":", l[i][0], l[i][1], not l[i][2], i) for i in range(_len(l))]
    k.sort()
    self._l = [l[f[4]] for f in k]


def _text(b):
    # bytes -> str: UTF-8, else each byte past ASCII as \xNN (obs-text, RFC 9110 §5.5;
    # MicroPython has no "backslashreplace" error handler)
    try:
        return b.decode()
    except UnicodeError:
        return "".join([chr(c) if c < 128 else "\\x%02x" % c for c in b])


def dump(self, file=None, prefix=""):
    # lua-http headers:dump(file, prefix): "name: value" lines, each after prefix, to
    # file, or to stderr when no file is given (bytes that are not UTF-8 as \xNN).  The
    # text is returned too.
    out = []
    for f in self._l:
        out.append("%s%s: %s\n" % (prefix, _text(f[0]), _text(f[1])))
    s = "".join(out)
    if file is None:
        import sys
        file = sys.stderr
    file.write(s)
    return s


def upsert(self, name, value, never_index=None):
    # Replaces the value of the single field of this name, or appends one.
    # Like lua-http, more than one existing field of that name is an error.
    name = _name(name)
    found = -1
    for i in range(_len(self._l)):
        if self._l[i][0] == name:
            if found >= 0:
                raise _err(1, name)   # ValueError: upsert: more than one %r field
            found = i
    if found < 0:
        self.append(name, value, never_index)
    else:
        modifyi(self, found, value, never_index)   # (lua-http's upsert too)
