# mhttp._headers_more: the rarely used methods of mhttp.headers.Headers, bound to the
# class on first use by Headers.__getattr__ (mhttp._lazy.bind): a board that only builds,
# reads and writes headers (every request and response) never loads this module.  Each
# function is written as a method (`self` first); call them as h.sort(), h.dump(), ...
from mhttp.headers import Headers, _b, _name

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
    name, _, ni = self._l[i]
    if never_index is None:
        never_index = ni
    self._l[i] = (name, _b(value), bool(never_index))


def sort(self):
    # Pseudo-headers first (in their current order), then the rest by name; fields of
    # one name keep their relative order.  MicroPython's sort is not stable, so the
    # sort key carries the original position.
    pseudo = [f for f in self._l if f[0][:1] == b":"]
    rest = [(self._l[i][0], i) for i in range(_len(self._l)) if self._l[i][0][:1] != b":"]
    rest.sort()
    self._l = pseudo + [self._l[k[1]] for k in rest]


def dump(self, file=None, prefix=""):
    # Writes "name: value" lines (for debugging) to file, or returns them as str.
    out = []
    for f in self._l:
        out.append("%s%s: %s\n" % (prefix, f[0].decode(), f[1].decode()))
    s = "".join(out)
    if file is not None:
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
        if never_index is None:
            never_index = self._l[found][2]
        self._l[found] = (name, _b(value), bool(never_index))
