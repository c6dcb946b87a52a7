# mhttp.hpack: HPACK header compression (RFC 7541), sans-I/O, portable.
#
# Theory of operation
#   A header block is a sequence of representations (RFC 7541 §6): an indexed field
#   (1xxxxxxx), a literal with incremental indexing (01xxxxxx), a dynamic table size
#   update (001xxxxx, only at the start of a block, §4.2), a literal without indexing
#   (0000xxxx) or a never-indexed literal (0001xxxx).  Both ends keep the same dynamic
#   table (§2.3.2): a FIFO of (name, value) whose size is sum(len(name)+len(value)+32)
#   and never exceeds its maximum; adding an entry evicts the oldest ones (§4.4).
#   Index 1..61 is the static table (Appendix A), 62.. the dynamic table, newest first.
#
#   Encoder(table_size=4096, huffman=True)   table_size: the size both ends start with
#     .encode(headers) -> bytes      headers: a mhttp.headers.Headers, or a list of
#                                    (name, value) / (name, value, never_index); bytes or
#                                    str.  A full match in either table is sent indexed;
#                                    otherwise a literal with incremental indexing (the
#                                    entry is added), except never_index fields (sent as
#                                    never-indexed literals, §6.2.3, and never added) and
#                                    entries larger than the whole table (sent without
#                                    indexing).  Strings are Huffman coded unless that is
#                                    longer (huffman=False: never).  Names are sent as
#                                    given (mhttp.headers lowercases them).
#     .table_size                    settable: the table size we use, at most the peer's
#                                    SETTINGS_HEADER_TABLE_SIZE.  The next block starts with
#                                    the size update(s): the smallest size set since the
#                                    last block, then the final one if larger (§4.2).
#   Decoder(max_table_size=4096, max_header_list_size=65536)  the table starts that big
#     .decode(data) -> [(name, value)]                bytes in, bytes out
#     .decode_fields(data) -> [(name, value, never_index)]   what HTTP/2 uses
#     .max_table_size                the SETTINGS_HEADER_TABLE_SIZE we advertised (set it
#                                    when the peer ACKs a change): a size update above it
#                                    is a CompressionError; lowering it below the table's
#                                    current size makes a size update compulsory at the
#                                    start of the next block.
#     .max_header_list_size          bound on the decoded list, counted as in RFC 7541
#                                    §4.1 / RFC 9113 §6.5.2: len(name)+len(value)+32 per
#                                    field.  Also the HPACK-bomb guard: repeated indexed
#                                    references to a big entry count every time.
#   Errors: every malformed block raises mhttp.errors.CompressionError (a connection
#   error, COMPRESSION_ERROR): index 0 or past the tables, integers above 2**28 or with
#   more than 4 continuation octets, a string longer than the data left, Huffman padding
#   longer than 7 bits or not all ones, the EOS symbol, a size update above the limit or
#   after the first field, a missing compulsory size update, a truncated block.
#   HeaderListTooLarge (a CompressionError subclass defined here) is different: the block
#   was well formed and has been decoded to the end, so the dynamic table is still in step
#   with the peer; only the list was too large.  HTTP/2 may catch it first and refuse the
#   stream (RST_STREAM / 431) instead of ending the connection.
#
# lua-resty-http2 (resty.http2.hpack) names, for readers coming from there:
#   hpack.encode(src, dst, lower)  -> encode(src, dst=None, lower=False): appends the
#                                     string literal of src (Huffman unless longer) to dst (a
#                                     bytearray or list); returns dst, or bytes if dst is None
#   hpack.indexed(index)           -> indexed(index): the Indexed Header Field
#                                     representation of index, as bytes
#   hpack.incr_indexed(index)      -> incr_indexed(index): the first octets of a Literal with
#                                     Incremental Indexing whose name is index, as bytes
#   hpack.new(size)                -> new(size=4096): a Decoder (the stateful context)
#   h:insert_entry(name, value)    -> Decoder/Encoder.insert_entry(name, value): True, or
#                                     False when the entry is larger than the table (which
#                                     is then emptied, §4.4)
#   h:resize(new_size)             -> .resize(new_size): False when above the limit
#                                     (Decoder: max_table_size)
#   h:decode(dst)                  -> Decoder.decode(data): takes the complete block (what
#                                     lua keeps in h.cached) and returns the list
#   h:get_indexed_header(index)    -> .get_indexed_header(index): (name, value) or None
#
# Board RAM: lua-resty-http2's module functions, the _Table methods dynamic_table /
# insert_entry and the error texts live in mhttp._hpack_more, loaded on first use (HTTP/2
# runs none of them; the texts at the first malformed block).
# Memory (MicroPython 1.29 unix port, 64-bit, .mpy; gc.mem_alloc() deltas after
# gc.collect(), mhttp.errors already loaded; tests_host/core/test_hpack_mem.py checks the
# bounds; tools/bench/bench_board_h2_ram.py prints them; from ROMFS in parentheses):
#   import _hpack_tables ................... 4.6 KB   (0.6 KB; the bytes literals, ~3.5 KiB)
#   import hpack (code) .................... 9.6 KB   (4.4 KB)
#   first use, once per process ............ +2.6 KB  61 static slots (entries made when
#                                                     used); Huffman codes read from HUFF_CODE
#   an Encoder + a Decoder ................. +0.6 KB  plus their dynamic tables
#   Frozen into firmware, the bytes literals and the bytecode stay in flash.
# Tables (lib/mhttp/_hpack_tables.py, generated by tools/gen_hpack_tables.py): STATIC
# packed bytes, SNAMES/SNAME_IDX (static names for find()), HUFF_TREE (the Huffman tree,
# 1 KiB: boards decode bit by bit), HUFF_CODE and HUFF_LEN.  CPython decodes octet by
# octet with rows built from nghttp2's 12 KiB nibble automaton (_hpack_huffdec, loaded
# only by the CPython fast path, mhttp._hpack_cpy).  The Huffman encoder flushes byte by
# byte so its ints stay below 2**30.
# Two small bounded module-level caches (Huffman-encoded and Huffman-decoded strings;
# CACHE_ENTRIES each, cleared when full; never-indexed values never enter them, nor, on
# boards, strings that enter the dynamic table) make repeated values cheap even across
# fresh Encoder/Decoder objects.

import sys

# (the tables through the module: one global, not six; board RAM, the module dict)
from mhttp import _hpack_tables
from mhttp._lazy import bind, settle

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

CACHE_ENTRIES = 64      # per cache; 0 disables the caches
CACHE_MAX_LEN = 256     # longest string that is cached
# DEFAULT_TABLE_SIZE, DEFAULT_MAX_HEADER_LIST_SIZE and STATIC_COUNT: public through the
# module __getattr__ (board RAM: private const()s here, no interned names)
_DEFAULT_TABLE_SIZE = const(4096)
_DEFAULT_MAX_HEADER_LIST_SIZE = const(65536)
_STATIC_COUNT = const(61)


# HeaderListTooLarge (the decoded list passed max_header_list_size, the block itself was
# valid) lives in mhttp._hpack_more, loaded when first raised; mhttp.hpack.HeaderListTooLarge
# reaches it through the module __getattr__ (board RAM: a class and a def less at import).


# The static table, built on first use.  CPython: a tuple of the 61 (name, value) pairs
# and a {name: lowest index} dict.  Boards: a list of 61 slots, each entry made from the
# packed STATIC bytes the first time it is used (a GET touches about ten), and names
# found with one find() in SNAMES (no dict).
_static = None
_s_name = None      # CPython only: {name: lowest index}
_enc_cache = {}     # value -> encoded string literal (length prefix included)
# CPython takes faster Huffman coders built from the same tables (mhttp._hpack_cpy);
# boards keep the bit-wise tree walk and the byte-wise flush below.  _BIG is read at each
# call (tests switch it off to run the board path on CPython).
_BIG = sys.implementation.name not in ("micropython", "circuitpython")
# Board RAM: sys and const leave the module dict once used (38 -> 36 entries: its table
# 752 -> 592 bytes; deleted before the defs, so it never grows past 37)
del sys, const
_dec_cache = {}     # Huffman octets -> decoded bytes


def _load_static():
    global _static, _s_name
    if not _BIG:
        _static = [None] * _STATIC_COUNT
        return
    # Names are shared between entries and b"" is one object: 61 entries, 52 names.
    t = []
    sn = {}
    d = _hpack_tables.STATIC
    i = 0
    while i < len(d):
        n = d[i]
        name = d[i + 1:i + 1 + n]
        i += 1 + n
        if name in sn:
            name = t[sn[name] - 1][0]
        else:
            sn[name] = len(t) + 1
        n = d[i]
        t.append((name, d[i + 1:i + 1 + n] if n else b"", False))
        i += 1 + n
    _s_name = sn
    _static = tuple(t)


def _st(idx):
    # Static entry idx (1..61), made from STATIC on first use (boards).
    e = _static[idx - 1]
    if e is None:
        d = _hpack_tables.STATIC
        i = _off(idx)
        n = d[i]
        name = d[i + 1:i + 1 + n]
        first = _sname(name)
        if first != idx:
            name = _st(first)[0]     # one object per name
        i += 1 + n
        n = d[i]
        e = _static[idx - 1] = (name, d[i + 1:i + 1 + n] if n else b"", False)
    return e


def _sname(name):
    # Lowest static index with this name, or None.
    if _s_name is not None:
        return _s_name.get(name)
    # (Board RAM: found in place, not as b"\0" + name + b"\0": two copies per field
    # looked up, ~100 bytes for each :status of a response.)
    if b"\0" in name or not name:
        return None
    d = _hpack_tables.SNAMES
    j = d.find(name)
    while j > 0:
        if d[j - 1] == 0 and d[j + len(name)] == 0:
            return _hpack_tables.SNAME_IDX[d.count(b"\0", 0, j - 1)]
        j = d.find(name, j + 1)
    return None


def _static_pair(name, value):
    # Index of (name, value) in the static table, or None.  Entries of one name are
    # contiguous there (RFC 7541 Appendix A), so the name index is the place to look.
    k = _sname(name)
    if k is None:
        return None
    if _s_name is not None:
        while k <= _STATIC_COUNT:
            i = _static[k - 1]
            if i[0] != name:
                return None
            if i[1] == value:
                return k
            k += 1
        return None
    # Boards: compared in the packed STATIC octets, no entry made (board RAM: an h2c
    # server's first response made five entries here, :status 200, content-type and
    # content-length, two of them only to see that the next name differs: ~0.7 KB kept
    # for the life of the process).  (No local for the table: this frame stays at 11
    # words, on the C stack, not a heap block per call.)
    i = _off(k)
    while k <= _STATIC_COUNT:
        if _hpack_tables.STATIC[i] != len(name) or \
                _hpack_tables.STATIC.find(name, i + 1, i + 1 + len(name)) != i + 1:
            return None
        i += 1 + len(name)
        if _hpack_tables.STATIC[i] == len(value) and \
                _hpack_tables.STATIC.find(value, i + 1, i + 1 + len(value)) == i + 1:
            return k
        i += 1 + _hpack_tables.STATIC[i]
        k += 1
    return None


def _off(idx):
    # The offset of static entry idx (1..61) in the packed STATIC octets.
    d = _hpack_tables.STATIC
    i = 0
    while idx > 1:
        i += 1 + d[i]
        i += 1 + d[i]
        idx -= 1
    return i


def _b(x):
    if isinstance(x, bytes):
        return x
    if isinstance(x, str):
        return x.encode()
    return bytes(x)


def _herr(n, args=None):
    # Board RAM: the exception for message n of mhttp._hpack_more.ERRORS (its text is
    # the comment above each call), so the texts stay out of this module until an error.
    from mhttp import _hpack_more
    return _hpack_more.F[0](n, args)


# -- integers (RFC 7541 §5.1) -------------------------------------------------------

def _put_int(dest, v, n, flags):
    m = (1 << n) - 1
    if v < m:
        dest.append(flags | v)
        return
    dest.append(flags | m)
    v -= m
    while v >= 128:
        dest.append((v & 127) | 128)
        v >>= 7
    dest.append(v)


def _get_int(data, pos, flags):
    # d[i] & mask == mask: the value continues.  Returns (value, next index).
    n = len(data)
    v = flags
    m = 0
    pos += 1
    while True:
        if pos >= n:
            # truncated integer
            raise _herr(0)
        b = data[pos]
        pos += 1
        v += (b & 127) << m
        if b < 128:
            return v, pos
        m += 7
        if m > 21:
            # RFC 7541 §5.1: "Integer encodings that exceed implementation limits -- in
            # value or octet length -- MUST be treated as decoding errors."
            # integer longer than 4 continuation octets
            raise _herr(1)


# -- Huffman (RFC 7541 §5.2, Appendix B) -----------------------------------------------

def _huffman_encode_small(s):
    # Codes read from HUFF_CODE (4 octets each, in flash with ROMFS / frozen) as needed:
    # no table of them in RAM.  A code is at most 30 bits: a small int on 32-bit boards.
    c = _hpack_tables.HUFF_CODE
    lens = _hpack_tables.HUFF_LEN
    out = bytearray()
    acc = 0
    nb = 0
    for ch in s:
        n = lens[ch]
        k = ch << 2
        code = (c[k] << 24) | (c[k + 1] << 16) | (c[k + 2] << 8) | c[k + 3]
        if n > 23:
            # Long (rare) codes go in two parts so acc stays below 2**30.
            acc = (acc << (n - 16)) | (code >> 16)
            nb += n - 16
            while nb >= 8:
                nb -= 8
                out.append((acc >> nb) & 255)
            acc &= (1 << nb) - 1
            n = 16
            code &= 0xffff
        acc = (acc << n) | code
        nb += n
        while nb >= 8:
            nb -= 8
            out.append((acc >> nb) & 255)
        acc &= (1 << nb) - 1
    if nb:
        # Pad with the most significant bits of EOS (all ones).
        out.append(((acc << (8 - nb)) | (255 >> nb)) & 255)
    return bytes(out)


def _huffman_decode_small(s):
    # Walks HUFF_TREE one bit at a time: node*4 + bit*2 is the child's 2-octet entry.
    t = _hpack_tables.HUFF_TREE
    out = bytearray()
    node = 0
    pad = 0             # bits since the last symbol, -1 once one of them was a 0
    for b in s:
        m = 128
        while m:
            if b & m:
                j = (node << 2) | 2
                if pad >= 0:
                    pad += 1
            else:
                j = node << 2
                pad = -1
            if t[j]:
                # a leaf: 256 + symbol
                if t[j] == 2:
                    # EOS symbol in a Huffman string
                    raise _herr(2)
                out.append(t[j + 1])
                node = 0
                pad = 0
            else:
                node = t[j + 1]
            m >>= 1
    if pad < 0 or pad > 7:
        # RFC 7541 §5.2: "A padding strictly longer than 7 bits MUST be treated as a
        # decoding error. A padding not corresponding to the most significant bits of the
        # code for the EOS symbol MUST be treated as a decoding error."
        # bad Huffman padding
        raise _herr(3)
    return bytes(out)


if _BIG:
    from mhttp import _hpack_cpy

    def huffman_encode(s):
        if _BIG:
            return _hpack_cpy.encode(s)
        return _huffman_encode_small(s)

    def huffman_decode(s):
        if _BIG:
            return _hpack_cpy.decode(s)
        return _huffman_decode_small(s)
else:
    # boards: the bit-wise coders themselves (two defs less at import)
    huffman_encode = _huffman_encode_small
    huffman_decode = _huffman_decode_small


def _literal(s, huffman, mode):
    # The string literal representation of s (RFC 7541 §5.2), length prefix included.
    # mode False: not cached.  Board RAM: boards cache no string that enters the dynamic
    # table (the connection refers to it by index from then on; the caches would hold a
    # copy per value for the life of the process: an h2c server's first request and
    # response left four, ~0.3 KB), CPython caches them too (a fresh connection then
    # codes them without Huffman work).
    mode = mode and huffman
    if mode:
        r = _enc_cache.get(s)
        if r is not None:
            return r
    out = bytearray()
    h = huffman_encode(s) if huffman and s else None
    if h is not None and len(h) <= len(s):
        _put_int(out, len(h), 7, 0x80)
        out += h
    else:
        _put_int(out, len(s), 7, 0)
        out += s
    r = bytes(out)
    if mode and len(s) <= CACHE_MAX_LEN and CACHE_ENTRIES:
        if len(_enc_cache) >= CACHE_ENTRIES:
            _enc_cache.clear()
        _enc_cache[s] = r
    return r


# -- the dynamic table (RFC 7541 §2.3.2, §4) -------------------------------------------


class _Table:
    # _ents: (name, value, False) oldest first, so dynamic index 62 is _ents[-1].  The
    # static entries are (name, value, False) too: decode_fields hands an indexed field
    # out as the table's own tuple (no tuple made per field).

    def __getattr__(self, name):
        # dynamic_table, insert_entry and get_indexed_header live in mhttp._hpack_more
        # (loaded on first use).
        return bind(self, name, "mhttp._hpack_more",
                    "dynamic_table insert_entry get_indexed_header")

    def __init__(self, size):
        if _static is None:
            _load_static()
        self._ents = []
        self.size = 0           # current size in octets (§4.1)
        self._max = size        # current maximum size

    def _entry(self, index):
        # The table entry at index: (name, value, False), or None.
        if index < 1:
            return None
        if index <= _STATIC_COUNT:
            return _static[index - 1] or _st(index)
        k = index - _STATIC_COUNT
        if k > len(self._ents):
            return None
        return self._ents[-k]

    def _evict(self, limit):
        ents = self._ents
        while self.size > limit:
            e = ents.pop(0)
            self.size -= len(e[0]) + len(e[1]) + 32
            self._evicted(e)

    def _evicted(self, e):
        pass

    def _add(self, name, value, e=None):
        # e: the entry when the caller has it already, (name, value, False).
        sz = len(name) + len(value) + 32
        if sz > self._max:
            self._evict(0)
            return False
        self._evict(self._max - sz)
        self._ents.append(e or (name, value, False))
        self.size += sz
        self._inserted(name, value)
        return True

    def _inserted(self, name, value):
        pass

    def resize(self, new_size):
        if new_size < 0:
            return False
        self._max = new_size
        self._evict(new_size)
        return True


# -- encoder ---------------------------------------------------------------------------

class Encoder(_Table):
    # CPython finds a dynamic entry through two dicts, _pairs ((name, value) -> insertion
    # number) and _names (name -> newest insertion number).  Boards have none (the class's
    # None) and look through the entries, newest first (_dyn): board RAM, an h2c
    # connection's encoder ~250 bytes smaller and no (name, value) tuple per field encoded.
    _pairs = None

    def __init__(self, table_size=_DEFAULT_TABLE_SIZE, huffman=True):
        super().__init__(table_size)
        self.huffman = huffman
        if _BIG:
            self._pairs = {}
            self._names = {}
        self._ins = 0           # insertions so far
        self._upd_min = -1      # smallest size set since the last block, -1: none

    def _inserted(self, name, value):
        if self._pairs is not None:
            self._pairs[(name, value)] = self._ins
            self._names[name] = self._ins
        self._ins += 1

    def _dyn(self, name, value):
        # Boards: the index (62...) of the newest dynamic entry (name, value), or, value
        # None, of the newest one named name; None when there is none.
        ents = self._ents
        i = len(ents)
        while i:
            i -= 1
            e = ents[i]
            if e[0] == name and (value is None or e[1] == value):
                return _STATIC_COUNT + len(ents) - i
        return None

    def _evicted(self, e):
        if self._pairs is None:
            return
        seq = self._ins - len(self._ents) - 1   # insertion number of the entry just popped
        k = (e[0], e[1])
        if self._pairs.get(k) == seq:
            del self._pairs[k]
        if self._names.get(e[0]) == seq:
            del self._names[e[0]]

    def resize(self, new_size):
        if new_size < 0:
            return False
        if self._upd_min < 0 or new_size < self._upd_min:
            self._upd_min = new_size
        return _Table.resize(self, new_size)

    @property
    def table_size(self):
        return self._max

    @table_size.setter
    def table_size(self, n):
        if not self.resize(n):
            # table size must be >= 0
            raise _herr(4)

    def encode(self, headers, buf=None):
        # buf: a bytearray the block is appended to (then returned; mhttp.h2 passes one
        # holding the frame header's 9 octets: board RAM, no copies to prefix it).
        out = bytearray() if buf is None else buf
        if self._upd_min >= 0:
            # RFC 7541 §4.2: the smallest size since the last block, then the final one.
            if self._upd_min < self._max:
                _put_int(out, self._upd_min, 5, 0x20)
            _put_int(out, self._max, 5, 0x20)
            self._upd_min = -1
        if _static is None:
            _load_static()
        sn = _s_name.get if _s_name is not None else _sname
        pairs = self._pairs
        names = None if pairs is None else self._names
        huff = self.huffman
        for h in headers:
            name = h[0]
            value = h[1]
            if name.__class__ is not bytes:
                name = _b(name)
            if value.__class__ is not bytes:
                value = _b(value)
            if len(h) > 2 and h[2]:
                # RFC 7541 §6.2.3 never-indexed literal; the name may still be indexed.
                i = sn(name)
                if i is None:
                    if names is None:
                        i = self._dyn(name, None)
                    else:
                        i = names.get(name)
                        if i is not None:
                            i = self._ins - i + _STATIC_COUNT
                if i is None:
                    out.append(0x10)
                    out += _literal(name, huff, True)
                else:
                    _put_int(out, i, 4, 0x10)
                out += _literal(value, huff, False)
                continue
            if pairs is None:
                i = self._dyn(name, value)
            else:
                i = pairs.get((name, value))
                if i is not None:
                    i = self._ins - i + _STATIC_COUNT
            if i is not None:
                if i < 127:
                    out.append(0x80 | i)
                else:
                    _put_int(out, i, 7, 0x80)
                continue
            i = _static_pair(name, value)
            if i is not None:
                out.append(0x80 | i)
                continue
            i = sn(name)
            if i is None:
                if names is None:
                    i = self._dyn(name, None)
                else:
                    i = names.get(name)
                    if i is not None:
                        i = self._ins - i + _STATIC_COUNT
            if len(name) + len(value) + 32 <= self._max:
                flags = 0x40
                bits = 6
            else:
                flags = 0
                bits = 4
            # (boards cache no string that enters the table: see _literal)
            if i is None:
                out.append(flags)
                out += _literal(name, huff, _BIG or not flags)
            else:
                _put_int(out, i, bits, flags)
            out += _literal(value, huff, _BIG or not flags)
            if flags:
                self._add(name, value)
        return bytes(out) if buf is None else out


# -- decoder ---------------------------------------------------------------------------

class Decoder(_Table):

    def __init__(self, max_table_size=_DEFAULT_TABLE_SIZE,
                 max_header_list_size=_DEFAULT_MAX_HEADER_LIST_SIZE):
        super().__init__(max_table_size)
        self._limit = max_table_size
        self._need_update = False
        self.max_header_list_size = max_header_list_size

    @property
    def max_table_size(self):
        return self._limit

    @max_table_size.setter
    def max_table_size(self, n):
        self._limit = n
        if n < self._max:
            # RFC 7541 §4.2: the encoder MUST signal the reduction at the start of the
            # next block.
            self._need_update = True

    @property
    def table_size(self):
        return self._max

    def resize(self, new_size):
        if new_size < 0 or new_size > self._limit:
            return False
        return _Table.resize(self, new_size)

    def decode(self, data):
        return self._decode(data, False)

    def decode_fields(self, data):
        return self._decode(data, True)

    def _string(self, data, pos, mode):
        # A string literal at d[i]: returns (bytes, next index).  mode False: a Huffman
        # string decoded is not cached (see _literal).
        b = data[pos]
        if b & 0x7f == 0x7f:
            n, pos = _get_int(data, pos, 0x7f)
        else:
            n = b & 0x7f
            pos += 1
        e = pos + n
        if e > len(data):
            # string length %d past the end of the block
            raise _herr(5, (n,))
        s = data[pos:e]
        if b & 0x80:
            r = _dec_cache.get(s)
            if r is None:
                r = huffman_decode(s)
                if mode and n <= CACHE_MAX_LEN and CACHE_ENTRIES:
                    if len(_dec_cache) >= CACHE_ENTRIES:
                        _dec_cache.clear()
                    _dec_cache[s] = r
            s = r
        return s, e

    def _decode(self, data, mode):
        if data.__class__ is not bytes:
            data = bytes(data)
        out = []
        n = len(data)
        i = 0
        total = 0
        limit = self.max_header_list_size
        static = _static
        ents = self._ents
        fields = False      # a field was seen: size updates no longer allowed
        while i < n:
            b = data[i]
            if b & 0x80:
                # §6.1 indexed header field
                if b == 0xff:
                    idx, i = _get_int(data, i, 0x7f)
                else:
                    idx = b & 0x7f
                    i += 1
                if idx <= _STATIC_COUNT:
                    if idx == 0:
                        # index 0
                        raise _herr(6)
                    e = static[idx - 1] or _st(idx)
                else:
                    k = idx - _STATIC_COUNT
                    if k > len(ents):
                        # index %d past the dynamic table
                        raise _herr(7, (idx,))
                    e = ents[-k]
                name = e[0]
                value = e[1]
                f = e
            elif b & 0xe0 == 0x20:
                # §6.3 dynamic table size update, only at the start of a block (§4.2)
                if fields:
                    # dynamic table size update after a header field
                    raise _herr(8)
                if b == 0x3f:
                    sz, i = _get_int(data, i, 0x1f)
                else:
                    sz = b & 0x1f
                    i += 1
                if sz > self._limit:
                    # dynamic table size update %d above the limit %d
                    raise _herr(9, (sz, self._limit))
                _Table.resize(self, sz)
                self._need_update = False
                continue
            else:
                # §6.2 literals: 01 incremental indexing (6-bit name index), 0000 without
                # indexing, 0001 never indexed (4-bit name index).
                if b & 0x40:
                    mask = 0x3f
                    ni = False
                else:
                    mask = 0x0f
                    ni = (b & 0x10) != 0
                idx = b & mask
                if idx == mask:
                    idx, i = _get_int(data, i, mask)
                else:
                    i += 1
                if i >= n:
                    # truncated literal
                    raise _herr(10)
                # (boards cache no string that enters the table: see _literal)
                k = _BIG or not b & 0x40
                if idx == 0:
                    name, i = self._string(data, i, k)
                else:
                    e = self._entry(idx)
                    if e is None:
                        # name index %d past the tables
                        raise _herr(11, (idx,))
                    name = e[0]
                if i >= n:
                    # truncated literal
                    raise _herr(10)
                value, i = self._string(data, i, k and not ni)   # (never-indexed: never cached)
                f = (name, value, ni)
                if b & 0x40:
                    self._add(name, value, f)
            if self._need_update:
                # missing dynamic table size update (RFC 7541 §4.2)
                raise _herr(12)
            fields = True
            total += len(name) + len(value) + 32
            if total <= limit:
                if mode:
                    out.append(f)       # indexed: the table's own (name, value, False)
                else:
                    out.append((name, value))
        if self._need_update:
            # an empty block still owes the size update (RFC 7541 §4.2: the first block
            # after the change)
            raise _herr(12)
        if total > limit:
            from mhttp import _hpack_more
            raise _hpack_more.HeaderListTooLarge(total, limit)
        return out


def __getattr__(name):
    # PEP 562: lua-resty-http2's module functions, HeaderListTooLarge, CompressionError,
    # the tables (STATIC ... HUFF_TREE) and DEFAULT_TABLE_SIZE,
    # DEFAULT_MAX_HEADER_LIST_SIZE and STATIC_COUNT, served by mhttp._hpack_more
    # (mod_attr).  Board RAM: the names and the tests on them are str constants there,
    # not heap objects of this module.  (__path__, which CPython's import asks for, loads
    # nothing.)
    if name == "__path__":
        raise AttributeError(name)
    from mhttp import _hpack_more
    return _hpack_more.F[1](globals(), name)


# CPython: bound now, no __getattr__ (the names as in _Table.__getattr__: one constant, no
# global), and settle leaves the module dict (board RAM: 35 -> 28 entries with the tables
# through their module, its table 592 -> 464 bytes)
settle(_Table, "mhttp._hpack_more", "dynamic_table insert_entry get_indexed_header")
del settle
