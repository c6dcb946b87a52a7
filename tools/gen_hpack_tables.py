#!/usr/bin/env python3
# Generates lib/mhttp/_hpack_tables.py and lib/mhttp/_hpack_huffdec.py from the RFC 7541
# tables below.
#
#   .venv/bin/python tools/gen_hpack_tables.py            # rewrites both files
#   .venv/bin/python tools/gen_hpack_tables.py --check    # exits 1 if either is stale
#
# Output (all plain bytes literals, so a .mpy or frozen module keeps them in flash).
# _hpack_tables.py, what every runtime loads (about 3.5 KB):
#   STATIC    the 61 static entries packed as [len(name)][name][len(value)][value] ...
#   SNAMES    the 52 distinct static names, each between NUL octets (b"\0:authority\0
#             :method\0...\0"): find(b"\0" + name + b"\0") locates a name (names with a
#             NUL never match) and the count of NULs before it is its ordinal
#   SNAME_IDX 52 octets: the lowest static index of each of those names
#   HUFF_TREE the Huffman tree, 256 internal nodes (root = 0) x 2 children x 2 octets
#             (big-endian): a child below 256 is an internal node, 256 + sym a leaf (sym
#             256 is EOS).  The boards' decoder walks it one bit at a time.
#   HUFF_CODE 257 x 4 bytes: the code of each symbol (big-endian, right-aligned)
#   HUFF_LEN  257 x 1 byte: its length in bits (5..30)
# _hpack_huffdec.py, loaded only by the CPython fast path (mhttp._hpack_cpy):
#   HUFF_DEC  nghttp2's Huffman decoding automaton: 256 states x 16 nibbles x 3 bytes
#             (next state, flags, symbol).  A state is an internal node of the Huffman
#             tree (root = 0); feeding one 4-bit nibble walks 4 edges, emitting at most one
#             symbol (the shortest code is 5 bits).  flags: 1 = ACCEPT (the bits since the
#             last symbol are all ones and at most 7: valid padding if the string ends
#             here), 2 = SYM (symbol byte is emitted), 4 = FAIL (the EOS code was decoded).
# The tables were checked against python-hyper/hpack and nghttp2 (same code, same static
# table); tests_host/core/test_hpack.py checks the generated file is current.
import os
import sys

# RFC 7541 Appendix A: the static table (index 1..61).
STATIC_TABLE = (
    (b':authority', b''),
    (b':method', b'GET'),
    (b':method', b'POST'),
    (b':path', b'/'),
    (b':path', b'/index.html'),
    (b':scheme', b'http'),
    (b':scheme', b'https'),
    (b':status', b'200'),
    (b':status', b'204'),
    (b':status', b'206'),
    (b':status', b'304'),
    (b':status', b'400'),
    (b':status', b'404'),
    (b':status', b'500'),
    (b'accept-charset', b''),
    (b'accept-encoding', b'gzip, deflate'),
    (b'accept-language', b''),
    (b'accept-ranges', b''),
    (b'accept', b''),
    (b'access-control-allow-origin', b''),
    (b'age', b''),
    (b'allow', b''),
    (b'authorization', b''),
    (b'cache-control', b''),
    (b'content-disposition', b''),
    (b'content-encoding', b''),
    (b'content-language', b''),
    (b'content-length', b''),
    (b'content-location', b''),
    (b'content-range', b''),
    (b'content-type', b''),
    (b'cookie', b''),
    (b'date', b''),
    (b'etag', b''),
    (b'expect', b''),
    (b'expires', b''),
    (b'from', b''),
    (b'host', b''),
    (b'if-match', b''),
    (b'if-modified-since', b''),
    (b'if-none-match', b''),
    (b'if-range', b''),
    (b'if-unmodified-since', b''),
    (b'last-modified', b''),
    (b'link', b''),
    (b'location', b''),
    (b'max-forwards', b''),
    (b'proxy-authenticate', b''),
    (b'proxy-authorization', b''),
    (b'range', b''),
    (b'referer', b''),
    (b'refresh', b''),
    (b'retry-after', b''),
    (b'server', b''),
    (b'set-cookie', b''),
    (b'strict-transport-security', b''),
    (b'transfer-encoding', b''),
    (b'user-agent', b''),
    (b'vary', b''),
    (b'via', b''),
    (b'www-authenticate', b''),
)

# RFC 7541 Appendix B: Huffman code (code, bit length) for symbols 0..255 and EOS (256).
HUFFMAN_CODE = (
    (0x1ff8, 13), (0x7fffd8, 23), (0xfffffe2, 28), (0xfffffe3, 28), (0xfffffe4, 28), (0xfffffe5, 28),
    (0xfffffe6, 28), (0xfffffe7, 28), (0xfffffe8, 28), (0xffffea, 24), (0x3ffffffc, 30), (0xfffffe9, 28),
    (0xfffffea, 28), (0x3ffffffd, 30), (0xfffffeb, 28), (0xfffffec, 28), (0xfffffed, 28), (0xfffffee, 28),
    (0xfffffef, 28), (0xffffff0, 28), (0xffffff1, 28), (0xffffff2, 28), (0x3ffffffe, 30), (0xffffff3, 28),
    (0xffffff4, 28), (0xffffff5, 28), (0xffffff6, 28), (0xffffff7, 28), (0xffffff8, 28), (0xffffff9, 28),
    (0xffffffa, 28), (0xffffffb, 28), (0x14, 6), (0x3f8, 10), (0x3f9, 10), (0xffa, 12),
    (0x1ff9, 13), (0x15, 6), (0xf8, 8), (0x7fa, 11), (0x3fa, 10), (0x3fb, 10),
    (0xf9, 8), (0x7fb, 11), (0xfa, 8), (0x16, 6), (0x17, 6), (0x18, 6),
    (0x0, 5), (0x1, 5), (0x2, 5), (0x19, 6), (0x1a, 6), (0x1b, 6),
    (0x1c, 6), (0x1d, 6), (0x1e, 6), (0x1f, 6), (0x5c, 7), (0xfb, 8),
    (0x7ffc, 15), (0x20, 6), (0xffb, 12), (0x3fc, 10), (0x1ffa, 13), (0x21, 6),
    (0x5d, 7), (0x5e, 7), (0x5f, 7), (0x60, 7), (0x61, 7), (0x62, 7),
    (0x63, 7), (0x64, 7), (0x65, 7), (0x66, 7), (0x67, 7), (0x68, 7),
    (0x69, 7), (0x6a, 7), (0x6b, 7), (0x6c, 7), (0x6d, 7), (0x6e, 7),
    (0x6f, 7), (0x70, 7), (0x71, 7), (0x72, 7), (0xfc, 8), (0x73, 7),
    (0xfd, 8), (0x1ffb, 13), (0x7fff0, 19), (0x1ffc, 13), (0x3ffc, 14), (0x22, 6),
    (0x7ffd, 15), (0x3, 5), (0x23, 6), (0x4, 5), (0x24, 6), (0x5, 5),
    (0x25, 6), (0x26, 6), (0x27, 6), (0x6, 5), (0x74, 7), (0x75, 7),
    (0x28, 6), (0x29, 6), (0x2a, 6), (0x7, 5), (0x2b, 6), (0x76, 7),
    (0x2c, 6), (0x8, 5), (0x9, 5), (0x2d, 6), (0x77, 7), (0x78, 7),
    (0x79, 7), (0x7a, 7), (0x7b, 7), (0x7ffe, 15), (0x7fc, 11), (0x3ffd, 14),
    (0x1ffd, 13), (0xffffffc, 28), (0xfffe6, 20), (0x3fffd2, 22), (0xfffe7, 20), (0xfffe8, 20),
    (0x3fffd3, 22), (0x3fffd4, 22), (0x3fffd5, 22), (0x7fffd9, 23), (0x3fffd6, 22), (0x7fffda, 23),
    (0x7fffdb, 23), (0x7fffdc, 23), (0x7fffdd, 23), (0x7fffde, 23), (0xffffeb, 24), (0x7fffdf, 23),
    (0xffffec, 24), (0xffffed, 24), (0x3fffd7, 22), (0x7fffe0, 23), (0xffffee, 24), (0x7fffe1, 23),
    (0x7fffe2, 23), (0x7fffe3, 23), (0x7fffe4, 23), (0x1fffdc, 21), (0x3fffd8, 22), (0x7fffe5, 23),
    (0x3fffd9, 22), (0x7fffe6, 23), (0x7fffe7, 23), (0xffffef, 24), (0x3fffda, 22), (0x1fffdd, 21),
    (0xfffe9, 20), (0x3fffdb, 22), (0x3fffdc, 22), (0x7fffe8, 23), (0x7fffe9, 23), (0x1fffde, 21),
    (0x7fffea, 23), (0x3fffdd, 22), (0x3fffde, 22), (0xfffff0, 24), (0x1fffdf, 21), (0x3fffdf, 22),
    (0x7fffeb, 23), (0x7fffec, 23), (0x1fffe0, 21), (0x1fffe1, 21), (0x3fffe0, 22), (0x1fffe2, 21),
    (0x7fffed, 23), (0x3fffe1, 22), (0x7fffee, 23), (0x7fffef, 23), (0xfffea, 20), (0x3fffe2, 22),
    (0x3fffe3, 22), (0x3fffe4, 22), (0x7ffff0, 23), (0x3fffe5, 22), (0x3fffe6, 22), (0x7ffff1, 23),
    (0x3ffffe0, 26), (0x3ffffe1, 26), (0xfffeb, 20), (0x7fff1, 19), (0x3fffe7, 22), (0x7ffff2, 23),
    (0x3fffe8, 22), (0x1ffffec, 25), (0x3ffffe2, 26), (0x3ffffe3, 26), (0x3ffffe4, 26), (0x7ffffde, 27),
    (0x7ffffdf, 27), (0x3ffffe5, 26), (0xfffff1, 24), (0x1ffffed, 25), (0x7fff2, 19), (0x1fffe3, 21),
    (0x3ffffe6, 26), (0x7ffffe0, 27), (0x7ffffe1, 27), (0x3ffffe7, 26), (0x7ffffe2, 27), (0xfffff2, 24),
    (0x1fffe4, 21), (0x1fffe5, 21), (0x3ffffe8, 26), (0x3ffffe9, 26), (0xffffffd, 28), (0x7ffffe3, 27),
    (0x7ffffe4, 27), (0x7ffffe5, 27), (0xfffec, 20), (0xfffff3, 24), (0xfffed, 20), (0x1fffe6, 21),
    (0x3fffe9, 22), (0x1fffe7, 21), (0x1fffe8, 21), (0x7ffff3, 23), (0x3fffea, 22), (0x3fffeb, 22),
    (0x1ffffee, 25), (0x1ffffef, 25), (0xfffff4, 24), (0xfffff5, 24), (0x3ffffea, 26), (0x7ffff4, 23),
    (0x3ffffeb, 26), (0x7ffffe6, 27), (0x3ffffec, 26), (0x3ffffed, 26), (0x7ffffe7, 27), (0x7ffffe8, 27),
    (0x7ffffe9, 27), (0x7ffffea, 27), (0x7ffffeb, 27), (0xffffffe, 28), (0x7ffffec, 27), (0x7ffffed, 27),
    (0x7ffffee, 27), (0x7ffffef, 27), (0x7fffff0, 27), (0x3ffffee, 26), (0x3fffffff, 30),
)


def build_tree():
    # Internal nodes get ids in creation order, root = 0; a child < 0 is leaf -1-sym.
    kids = [[None, None]]
    for sym in range(257):
        code, n = HUFFMAN_CODE[sym]
        node = 0
        for k in range(n - 1, -1, -1):
            bit = (code >> k) & 1
            if k == 0:
                assert kids[node][bit] is None
                kids[node][bit] = -1 - sym
            else:
                nxt = kids[node][bit]
                if nxt is None:
                    nxt = len(kids)
                    kids.append([None, None])
                    kids[node][bit] = nxt
                assert nxt >= 0
                node = nxt
    assert len(kids) == 256, len(kids)
    return kids


def pack_tree():
    out = bytearray()
    for node in build_tree():
        for c in node:
            v = c if c >= 0 else 256 + (-1 - c)
            out += v.to_bytes(2, "big")
    return bytes(out)


def build_decoder():
    kids = build_tree()
    # ACCEPT states: the all-ones path from the root, depth 0..7.
    accept = set()
    node = 0
    for depth in range(8):
        accept.add(node)
        node = kids[node][1]
    out = bytearray()
    for state in range(256):
        for nib in range(16):
            node = state
            flags = 0
            sym = 0
            for k in (3, 2, 1, 0):
                c = kids[node][(nib >> k) & 1]
                if c < 0:
                    if c == -257:
                        flags = 4
                        node = 0
                        break
                    sym = -1 - c
                    flags |= 2
                    node = 0
                else:
                    node = c
            if not flags & 4 and node in accept:
                flags |= 1
            out += bytes((node, flags, sym))
    return bytes(out)


def pack_static():
    out = bytearray()
    for n, v in STATIC_TABLE:
        out += bytes((len(n),)) + n + bytes((len(v),)) + v
    return bytes(out)


def static_names():
    names = []
    idx = []
    for i, (n, v) in enumerate(STATIC_TABLE):
        if n not in names:
            names.append(n)
            idx.append(i + 1)
    return b"\0" + b"\0".join(names) + b"\0", bytes(idx)


def literal(name, data, width=72):
    lines = []
    i = 0
    while i < len(data):
        # Grow the chunk while its repr fits the line.
        j = min(len(data), i + 16)
        while j < len(data) and len(repr(data[i:j + 1])) <= width:
            j += 1
        lines.append("    " + repr(data[i:j]))
        i = j
    return "%s = (\n%s\n)\n" % (name, "\n".join(lines))


def render():
    code = bytearray()
    ln = bytearray()
    for c, n in HUFFMAN_CODE:
        code += c.to_bytes(4, "big")
        ln.append(n)
    parts = [
        "# GENERATED by tools/gen_hpack_tables.py from RFC 7541 Appendices A and B: do not edit.\n"
        "# Layout and meaning: see the generator's header comment.\n\n",
        literal("STATIC", pack_static()), "\n",
        literal("SNAMES", static_names()[0]), "\n",
        literal("SNAME_IDX", static_names()[1]), "\n",
        literal("HUFF_TREE", pack_tree()), "\n",
        literal("HUFF_CODE", bytes(code)), "\n",
        literal("HUFF_LEN", bytes(ln)),
    ]
    return "".join(parts)


def render_dec():
    return ("# GENERATED by tools/gen_hpack_tables.py from RFC 7541 Appendix B: do not edit.\n"
            "# Layout and meaning: see the generator's header comment.  Loaded only by the\n"
            "# CPython fast path (mhttp._hpack_cpy), never on a board.\n\n"
            + literal("HUFF_DEC", build_decoder()))


def main(argv):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    outs = ((os.path.join(root, "lib", "mhttp", "_hpack_tables.py"), render()),
            (os.path.join(root, "lib", "mhttp", "_hpack_huffdec.py"), render_dec()))
    if "--check" in argv:
        for path, text in outs:
            try:
                with open(path) as f:
                    cur = f.read()
            except OSError:
                cur = None
            if cur != text:
                print("%s is stale: run tools/gen_hpack_tables.py" % path)
                return 1
        return 0
    for path, text in outs:
        with open(path, "w") as f:
            f.write(text)
        print("wrote %s (%d bytes)" % (path, len(text)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
