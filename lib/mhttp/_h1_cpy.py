# mhttp._h1_cpy: CPython's character-class checks for mhttp.h1, imported only where bytes
# has translate() (CPython; MicroPython never loads this module: a board would only carry
# its code, names and tables).  _bad(s, allowed) deletes every allowed byte with one
# bytes.translate() at C speed; what is left is bad.  The allowed sets are built from
# mhttp.h1._CLASS (see there for the bits), so both runtimes check the same classes.
# update(g) installs them into a module's globals (mhttp.h1, mhttp._h1_rare).
from mhttp.h1 import _CLASS


def _allowed(bit):
    return bytes([c for c in range(256) if _CLASS[c] & bit])


_TOKEN = _allowed(1)
_VCHAR = _allowed(2)
_VALUE = _allowed(4)
_HEX = _allowed(8)
_HOST = _allowed(16)
_BLOCK = b"\r\n" + _VALUE     # a whole head; CR/LF pairing checked apart
_NAME_CACHE_MAX = 512         # mhttp.h1's field-name cache (64 on MicroPython)


def _bad(s, allowed):
    return s.translate(None, allowed)


def _bad_block(s, items=None):
    return s.translate(None, _BLOCK)


def update(g):
    # g: the globals of mhttp.h1 or mhttp._h1_rare, where these replace the MicroPython
    # versions (bits for _bad; a smaller name cache).
    g.update(_TOKEN=_TOKEN, _VCHAR=_VCHAR, _VALUE=_VALUE, _HEX=_HEX, _HOST=_HOST,
             _NAME_CACHE_MAX=_NAME_CACHE_MAX, _bad=_bad, _bad_block=_bad_block)
