# mhttp._hpack_cpy: CPython-only fast paths for mhttp.hpack's Huffman coders.  Imported
# by mhttp.hpack only when sys.implementation.name is neither "micropython" nor
# "circuitpython", so a board never loads this code nor the 12 KiB automaton it uses
# (mhttp._hpack_huffdec); boards walk mhttp._hpack_tables.HUFF_TREE instead.
#
#   encode(s) -> bytes   joins per-symbol bit strings and converts once (int(bits, 2))
#   decode(s) -> bytes   steps one octet at a time through rows of 256 (next state,
#                        output, accept) built lazily per state from nghttp2's nibble
#                        automaton (a few hundred KB at most)
# Both give exactly what the portable coders in mhttp.hpack give (tests_host/core/
# test_hpack.py runs the same stories through both).
from mhttp.errors import CompressionError
from mhttp._hpack_tables import HUFF_CODE, HUFF_LEN

_bits = tuple(["{:0{}b}".format(int.from_bytes(HUFF_CODE[4 * k:4 * k + 4], "big"), HUFF_LEN[k])
               for k in range(257)])
_HUFF_DEC = None
_rows = [None] * 256
_ONE = [bytes((k,)) for k in range(256)]


def encode(s):
    b = "".join(map(_bits.__getitem__, s))
    n = len(b)
    pad = -n % 8
    if not n:
        return b""
    return int(b + "1" * pad, 2).to_bytes((n + pad) >> 3, "big")


def _row(st):
    # The 256 octet transitions of state st, from the nibble automaton.
    global _HUFF_DEC
    t = _HUFF_DEC
    if t is None:
        from mhttp._hpack_huffdec import HUFF_DEC
        t = _HUFF_DEC = HUFF_DEC
    row = []
    for b in range(256):
        out = b""
        j = ((st << 4) | (b >> 4)) * 3
        f = t[j + 1]
        if f & 4:
            row.append(None)
            continue
        if f & 2:
            out = _ONE[t[j + 2]]
        j = ((t[j] << 4) | (b & 15)) * 3
        f = t[j + 1]
        if f & 4:
            row.append(None)
            continue
        if f & 2:
            out += _ONE[t[j + 2]]
        row.append((t[j], out, f & 1))
    _rows[st] = row
    return row


def decode(s):
    rows = _rows
    row = rows[0] or _row(0)
    out = []
    acc = 1
    for b in s:
        e = row[b]
        if e is None:
            raise CompressionError("EOS symbol in a Huffman string")
        st, o, acc = e
        out.append(o)
        row = rows[st] or _row(st)
    if not acc:
        raise CompressionError("bad Huffman padding")
    return b"".join(out)
