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
_NAME_CACHE_MAX = 512         # mhttp.h1's field-name cache (32 on MicroPython)


def _bad(s, allowed):
    return s.translate(None, allowed)


def _bad_block(s, items=None):
    return s.translate(None, _BLOCK)


def update(g):
    # g: the globals of mhttp.h1, mhttp._h1_rare or mhttp._h1_server, where these replace
    # the MicroPython versions (bits for _bad; a smaller name cache).
    global _SETS, _BLOCK
    if _SETS is None:
        cls = g.get("_CLASS")
        if cls is None:
            from mhttp.h1 import _CLASS as cls
        sets = {}
        for name, bit in (("_TOKEN", 1), ("_VCHAR", 2), ("_VALUE", 4), ("_HEX", 8),
                          ("_HOST", 16), ("_RNAME", 32)):
            sets[name] = bytes([c for c in range(256) if cls[c] & bit])
        _BLOCK = b"\r\n" + sets["_VALUE"]
        _SETS = sets
    g.update(_SETS)
    g.update(_NAME_CACHE_MAX=_NAME_CACHE_MAX, _bad=_bad, _bad_block=_bad_block)
