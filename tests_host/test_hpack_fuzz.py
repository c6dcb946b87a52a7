# The HPACK mutation fuzzer on CPython, bounded for `make test` (~8 s idle): fixed seeds, the
# engine of tests_host/core/_h2fuzz.py (portable; a short run on MicroPython is
# test_h2_fuzz_small.py) over more seeds (hpack-test-case stories of every implementation
# folder, ../shared/vectors/hpack), plus a differential check against Python's `hpack`
# package: when both decoders accept a block from a fresh state they agree on the header
# list, and neither accepts what the other refuses (RFC 7541 decides; see
# test_differential_hpack_package for the cases recorded), and the same through stories
# block by block (test_differential_sequences_hpack_package).  Round trip: our Encoder's output
# for random lists decodes back identically through our Decoder and through hpack's.
#
# Longer standalone runs:  MHTTP_FUZZ_SECONDS=600 .venv/bin/python tests_host/test_hpack_fuzz.py
import glob
import json
import os
import sys
import time

import hpack as ref

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "core"))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))

import _h2fuzz as F  # noqa: E402
from mhttp.hpack import Decoder  # noqa: E402
from mhttp.errors import CompressionError  # noqa: E402

ITER = int(os.environ.get("MHTTP_FUZZ_ITERATIONS", "3000"))
VECTORS = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "vectors", "hpack"))


def story_seeds(per_folder=3, cases=6):
    # The first cases of a few stories of each implementation folder, as block sequences
    # (header_table_size changes are left out: the fuzzer's decoders start at their limit).
    seqs = []
    for d in sorted(glob.glob(os.path.join(VECTORS, "*"))):
        if not os.path.isdir(d) or d.endswith("raw-data"):
            continue
        for p in sorted(glob.glob(os.path.join(d, "story_*.json")))[:per_folder]:
            with open(p) as f:
                st = json.load(f)
            seqs.append([bytes.fromhex(c["wire"]) for c in st["cases"][:cases]])
    return seqs


SEEDS = F.hpack_seeds() + story_seeds()


def test_seeds_present():
    assert len(SEEDS) > 20, "HPACK vectors missing: %s" % VECTORS


def test_fuzz_decoder():
    t = time.time()
    assert F.fuzz_hpack(31, ITER, SEEDS) == ITER
    assert time.time() - t < 60


def _ours(b, limit=65536):
    d = Decoder(4096, limit)
    try:
        return [(n, v) for n, v in d.decode(b)]
    except CompressionError as e:
        return e


def _theirs(b, limit=65536):
    d = ref.Decoder(max_header_list_size=limit)
    try:
        return [(bytes(n), bytes(v)) for n, v in d.decode(b, raw=True)]
    except ref.HPACKError as e:
        return e


def _light(rng, b, others):
    # Valid blocks weighted up: one mutation at most, half the time.
    if rng.below(2):
        return b
    return F.mutate_block(rng, b, others)[:len(b) + 40] if rng.below(2) else \
        F.mutate_block(rng, b, others)


def test_differential_hpack_package():
    # Fresh decoders on both sides.  Disagreements on acceptance are failures unless
    # recorded here with the RFC 7541 text that decides them (none so far).
    rng = F.Rng(32)
    others = [b for s in SEEDS for b in s]
    firsts = [s[0] for s in SEEDS]
    enc_blocks = []
    for _ in range(200):
        from mhttp.hpack import Encoder
        e = Encoder(4096, huffman=rng.below(3) != 0)
        enc_blocks.append(e.encode(F.random_headers(rng)))
    pool = firsts + enc_blocks
    both = 0
    diffs = []
    slow = 0.0
    for i in range(ITER * 2):
        b = _light(rng, rng.pick(pool), others) if rng.below(10) else rng.bytes(rng.below(30))
        t = time.time()
        a = _ours(b)
        slow = max(slow, time.time() - t)
        r = _theirs(b)
        if isinstance(a, list) and isinstance(r, list):
            both += 1
            if a != r:
                diffs.append(("lists differ", b, a, r))
        elif isinstance(a, list) != isinstance(r, list):
            diffs.append(("acceptance differs", b, a, r))
    assert not diffs, diffs[:3]
    assert both > ITER // 2, both      # the comparison really compared lists
    assert slow < 0.5, slow            # no block takes long (no hang)


def test_differential_sequences_hpack_package():
    # One decoder on each side through a story (one block mutated at times), the limit
    # lowered first at times (SETTINGS_HEADER_TABLE_SIZE acked: the next block must start
    # with a size update, RFC 7541 §4.2; the first block given one half of those times):
    # the same list or both refuse, block after block.
    rng = F.Rng(35)
    others = [b for s in SEEDS for b in s]
    diffs = []
    n = 0
    for _ in range(ITER // 2):
        s = list(rng.pick(SEEDS))
        if rng.below(2):
            j = rng.below(len(s))
            s[j] = F.mutate_block(rng, s[j], others)
        ts = rng.pick((0, 256, 4096, 4096))
        ours = Decoder(4096, 1 << 20)
        theirs = ref.Decoder(max_header_list_size=1 << 20)
        if ts != 4096:
            ours.max_table_size = ts
            theirs.max_allowed_table_size = ts
            if rng.below(2):
                s[0] = F.put_int(rng.below(ts + 1), 5, 0x20) + s[0]
        for blk in s:
            try:
                a = [(x, y) for x, y in ours.decode(blk)]
            except CompressionError:
                a = None
            try:
                b = [(bytes(x), bytes(y)) for x, y in theirs.decode(blk, raw=True)]
            except ref.HPACKError:
                b = None
            n += 1
            if a != b:
                diffs.append((ts, blk, a, b))
                break
            if a is None:
                break
    assert not diffs, diffs[:3]
    assert n > ITER, n


def test_differential_header_list_size():
    # The RFC 7541 §4.1 size bound, counted the same way: a list one octet over the limit
    # is refused by both, at the limit accepted by both.
    from mhttp.hpack import Encoder
    hs = [(b"x-a", b"v" * 100), (b"x-b", b"w" * 50)]
    size = sum(len(n) + len(v) + 32 for n, v in hs)
    b = Encoder().encode(hs)
    assert _ours(b, size) == hs and _theirs(b, size) == hs
    assert isinstance(_ours(b, size - 1), CompressionError)
    assert isinstance(_theirs(b, size - 1), ref.HPACKError)


class _Peer:
    # hpack.Decoder kept in step with ours (its limit set as SETTINGS would).
    def __init__(self, limit):
        # both ends start at the size the fuzzer's Encoder and Decoder are made with
        self.d = ref.Decoder(max_header_list_size=1 << 20)
        self.d.header_table_size = limit
        self.d.max_allowed_table_size = limit

    def __call__(self, block, limit):
        if block is None:
            self.d.max_allowed_table_size = limit
            return None
        return [(bytes(n), bytes(v)) for n, v in self.d.decode(block, raw=True)]


def _peer(block, limit):
    if block is None and limit is not None:
        return _Peer(limit)
    raise AssertionError("unused")


def test_round_trip_through_both_decoders():
    assert F.roundtrip(33, ITER, _peer) >= ITER


def test_round_trip_board_huffman_path():
    # The same through the boards' bit-wise Huffman coders (hpack._BIG off on CPython).
    from mhttp import hpack
    big = hpack._BIG
    hpack._BIG = False
    hpack._enc_cache.clear()
    hpack._dec_cache.clear()
    try:
        assert F.roundtrip(34, ITER // 3, _peer) >= ITER // 3
    finally:
        hpack._BIG = big
        hpack._enc_cache.clear()
        hpack._dec_cache.clear()


def main():
    secs = float(os.environ.get("MHTTP_FUZZ_SECONDS", "60"))
    end = time.time() + secs
    seed = 1000
    n = 0
    fails = 0
    while time.time() < end:
        for fn in (lambda: F.fuzz_hpack(seed, 300, SEEDS), lambda: F.roundtrip(seed, 300, _peer)):
            try:
                n += fn()
            except AssertionError as e:
                fails += 1
                print("seed %d: %s" % (seed, str(e)[:3000]))
        seed += 1
    print("%d inputs, %d failing seeds, seeds 1000..%d" % (n, fails, seed - 1))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
