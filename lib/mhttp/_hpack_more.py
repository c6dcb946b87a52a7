# mhttp._hpack_more: the rarely used half of mhttp.hpack (private): lua-resty-http2's
# module functions (encode, indexed, incr_indexed, new), reached as mhttp.hpack.X through
# that module's __getattr__, and the _Table methods dynamic_table, insert_entry and
# get_indexed_header, found by _Table.__getattr__ (mhttp._lazy.bind) on first use; and
# ERRORS, the texts of the errors mhttp.hpack raises (_herr(n, ...), each text quoted at
# its call site).  See mhttp.hpack for the API.
from mhttp.errors import CompressionError
from mhttp.hpack import Decoder, _b, _literal, _put_int
# (mhttp.hpack.DEFAULT_TABLE_SIZE is served from here: see mod_attr)
DEFAULT_TABLE_SIZE = 4096


def encode(src, dst=None, lower=False):
    # lua-resty-http2 hpack.encode: the string literal of src appended to dst.
    src = _b(src)
    if lower:
        src = src.lower()
    r = _literal(src, True, False)
    if dst is None:
        return r
    if isinstance(dst, list):
        dst.append(r)
    else:
        dst += r
    return dst


def indexed(index):
    # Indexed Header Field Representation (RFC 7541 §6.1) of index.
    out = bytearray()
    _put_int(out, index, 7, 0x80)
    return bytes(out)


def incr_indexed(index):
    # First octets of a Literal Header Field with Incremental Indexing -- Indexed Name
    # (RFC 7541 §6.2.1); the value's string literal follows.
    out = bytearray()
    _put_int(out, index, 6, 0x40)
    return bytes(out)


class HeaderListTooLarge(CompressionError):
    # The decoded list passed max_header_list_size (RFC 9113 §6.5.2); the block itself was
    # valid and fully processed, so the decoder can go on being used.  (mhttp.hpack raises
    # it and serves it as mhttp.hpack.HeaderListTooLarge.)
    def __init__(self, size, limit):
        super().__init__("header list size %d exceeds max_header_list_size %d" % (size, limit))
        self.size = size
        self.limit = limit


def new(size=DEFAULT_TABLE_SIZE):
    # lua-resty-http2 hpack.new(size): the stateful decoding context.
    return Decoder(size)


# -- _Table methods

def dynamic_table(self):
    # The dynamic table as the RFC prints it: [(name, value)], index 62 first.
    r = [(e[0], e[1]) for e in self._ents]
    r.reverse()
    return r


def get_indexed_header(self, index):
    # (name, value) at index (static 1..61, then dynamic), or None.
    e = self._entry(index)
    return None if e is None else (e[0], e[1])


def insert_entry(self, name, value):
    # RFC 7541 §4.4: an entry larger than the table empties it and is not added.
    return self._add(_b(name), _b(value))


ERRORS = (
    (CompressionError, 'truncated integer'),  # 0
    (CompressionError, 'integer longer than 4 continuation octets'),  # 1
    (CompressionError, 'EOS symbol in a Huffman string'),  # 2
    (CompressionError, 'bad Huffman padding'),  # 3
    (ValueError, 'table size must be >= 0'),  # 4
    (CompressionError, 'string length %d past the end of the block'),  # 5
    (CompressionError, 'index 0'),  # 6
    (CompressionError, 'index %d past the dynamic table'),  # 7
    (CompressionError, 'dynamic table size update after a header field'),  # 8
    (CompressionError, 'dynamic table size update %d above the limit %d'),  # 9
    (CompressionError, 'truncated literal'),  # 10
    (CompressionError, 'name index %d past the tables'),  # 11
    (CompressionError, 'missing dynamic table size update (RFC 7541 §4.2)'),  # 12
)


def herr(n, args):
    cls, msg = ERRORS[n]
    return cls(msg % args if args is not None else msg)


def mod_attr(g, name):
    # mhttp.hpack's module __getattr__ (PEP 562; g: that module's globals), here so that
    # its names and tests are str constants of this module, not heap objects of
    # mhttp.hpack.  (One str with spaces: no interned names.)
    if name == "__all__":     # `from ... import *` (mhttp._star)
        from mhttp._star import names
        return names(g, "HeaderListTooLarge CompressionError STATIC SNAMES SNAME_IDX "
                     "HUFF_CODE HUFF_LEN HUFF_TREE")
    if name in "encode indexed incr_indexed new HeaderListTooLarge CompressionError".split():
        return globals()[name]
    if name in "STATIC SNAMES SNAME_IDX HUFF_CODE HUFF_LEN HUFF_TREE".split():
        return getattr(g["_hpack_tables"], name)     # (as imported there before)
    k = "DEFAULT_TABLE_SIZE DEFAULT_MAX_HEADER_LIST_SIZE STATIC_COUNT".split()
    if name in k:
        return (4096, 65536, 61)[k.index(name)]
    raise AttributeError(name)


# mhttp.hpack reaches these as F[0] and F[1]: no interned name of their own on a board's
# plain path.
F = (herr, mod_attr)
