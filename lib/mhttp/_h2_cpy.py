# mhttp._h2_cpy: CPython-only fast path for mhttp.h2's field-name check, imported only
# when sys.implementation.name == "cpython" (MicroPython's bytes has no translate, and a
# board would only carry the table).
# RFC 9113 §8.2.1: no 0x00-0x20, 0x41-0x5a (uppercase), 0x7f-0xff, no colon.
_TOKEN_BAD = bytes([c for c in range(256)
                    if c <= 0x20 or 0x41 <= c <= 0x5a or c >= 0x7f or c == 0x3a])


def bad_names(blob):
    # True when the concatenated names contain a forbidden octet.
    return len(blob.translate(None, _TOKEN_BAD)) != len(blob)
