# mhttp._h1_cpy: CPython's character-class checks for mhttp.h1, imported only where bytes
# has translate() (CPython; MicroPython never loads this module: a board would only carry
# its code, names and tables).  _bad(s, allowed) deletes every allowed byte with one
# bytes.translate() at C speed; what is left is bad.  The allowed sets are built from
# mhttp.h1._CLASS (see there for the bits), so both runtimes check the same classes.
from mhttp.h1 import _CLASS


def _allowed(bit):
    return bytes([c for c in range(256) if _CLASS[c] & bit])


_TOKEN = _allowed(1)
_VCHAR = _allowed(2)
_VALUE = _allowed(4)
_HEX = _allowed(8)
_HOST = _allowed(16)
_BLOCK = b"\r\n" + _VALUE     # a whole head; CR/LF pairing checked apart


def _bad(s, allowed):
    return s.translate(None, allowed)


def _bad_block(s, items=None):
    return s.translate(None, _BLOCK)
