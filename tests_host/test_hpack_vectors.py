# mhttp.hpack against the hpack-test-case stories (CPython only: reads JSON files and uses
# Python's `hpack` package as the reference peer).
#   - every story of every implementation folder (all but raw-data) decodes, with one
#     Decoder per story, to its header lists (header_table_size honoured per case);
#   - our encoder's output for every raw-data story, at table sizes 0, 256 and 4096,
#     decodes back through our Decoder and through hpack.Decoder;
#   - hpack.Encoder's output (Huffman on and off) decodes through ours;
#   - lib/mhttp/_hpack_tables.py is what tools/gen_hpack_tables.py generates.
# The vectors live beside the repository (../shared/vectors/hpack); a missing folder FAILS.
import glob
import json
import os
import subprocess
import sys

import hpack as ref
import pytest

from mhttp import hpack

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VECTORS = os.path.normpath(os.path.join(ROOT, "..", "shared", "vectors", "hpack"))


def _stories(raw):
    if not os.path.isdir(VECTORS):
        return []
    out = []
    for d in sorted(os.listdir(VECTORS)):
        if not os.path.isdir(os.path.join(VECTORS, d)) or (d == "raw-data") != raw:
            continue
        out += sorted(glob.glob(os.path.join(VECTORS, d, "story_*.json")))
    return out


STORIES = _stories(False)
RAW = _stories(True)


def _id(p):
    return "%s/%s" % (os.path.basename(os.path.dirname(p)), os.path.basename(p)[:-5])


def _headers(case):
    out = []
    for h in case["headers"]:
        for k, v in h.items():
            out.append((k.encode(), v.encode()))
    return out


def _load(path):
    with open(path) as f:
        return json.load(f)


def test_vectors_present():
    assert os.path.isdir(VECTORS), "HPACK vectors missing: %s" % VECTORS
    # 6 implementation folders x 31-32 stories (191 here), plus raw-data.
    assert len(STORIES) >= 180, len(STORIES)
    assert len(RAW) >= 30, len(RAW)


@pytest.mark.parametrize("path", STORIES, ids=_id)
def test_story_decodes(path):
    story = _load(path)
    d = hpack.Decoder()
    assert story["cases"]
    for case in story["cases"]:
        if case.get("header_table_size") is not None:     # swift-nio writes null
            d.max_table_size = case["header_table_size"]
        got = d.decode(bytes.fromhex(case["wire"]))
        assert got == _headers(case), "seqno %s" % case.get("seqno")


def _ref_decode(dec, wire):
    return [(bytes(n), bytes(v)) for n, v in dec.decode(wire, raw=True)]


@pytest.mark.parametrize("size", [0, 256, 4096])
@pytest.mark.parametrize("path", RAW, ids=_id)
def test_raw_data_round_trip(path, size):
    story = _load(path)
    e = hpack.Encoder()
    if size != 4096:
        e.table_size = size          # emitted as a size update in the first block
    ours = hpack.Decoder()
    theirs = ref.Decoder()
    theirs.max_header_list_size = 1 << 20
    total = 0
    for case in story["cases"]:
        hs = _headers(case)
        w = e.encode(hs)
        total += len(w)
        assert ours.decode(w) == hs
        assert _ref_decode(theirs, w) == hs
        assert ours.dynamic_table() == e.dynamic_table()
        assert e.size <= size
    if size == 4096:
        # Compression actually happens: well under the raw header bytes.
        raw_len = sum(len(n) + len(v) for c in story["cases"] for n, v in _headers(c))
        assert total < raw_len


@pytest.mark.parametrize("huffman", [True, False])
@pytest.mark.parametrize("path", RAW, ids=_id)
def test_decodes_hpack_package_output(path, huffman):
    story = _load(path)
    enc = ref.Encoder()
    ours = hpack.Decoder()
    for n, case in enumerate(story["cases"]):
        if n == 5:
            enc.header_table_size = 512
        if n == 10:
            enc.header_table_size = 4096
        hs = _headers(case)
        assert ours.decode(enc.encode(hs, huffman=huffman)) == hs


def test_generated_tables_are_current():
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen_hpack_tables.py"),
                        "--check"], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_tables_match_reference():
    # Our generated tables agree with python-hyper/hpack's (static table, Huffman code).
    from hpack import huffman_constants as hc
    from hpack.table import HeaderTable
    d = hpack.Decoder()
    for i, e in enumerate(HeaderTable.STATIC_TABLE):
        assert d.get_indexed_header(i + 1) == e
    for sym in range(256):
        assert hpack.huffman_encode(bytes([sym])) == ref.huffman.HuffmanEncoder(
            hc.REQUEST_CODES, hc.REQUEST_CODES_LENGTH).encode(bytes([sym]))
