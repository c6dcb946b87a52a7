# HPACK speed: mhttp.hpack against Python's `hpack` package, on a browser-like request
# header set (13 fields), warm (one long-lived encoder/decoder, dynamic table full of the
# fields) and cold (a fresh encoder/decoder for every block).
#   .venv/bin/python tools/bench/bench_hpack.py [seconds-per-case]
#   tools/micropython tools/bench/bench_hpack.py      (ours only, plus import RAM)
# "nocache" rows run ours with the module-level Huffman caches disabled.
import sys
import time

MP = sys.implementation.name == "micropython"

HEADERS = [
    (b":method", b"GET"),
    (b":scheme", b"https"),
    (b":authority", b"www.example.com"),
    (b":path", b"/search?q=hpack+rfc+7541&ie=utf-8"),
    (b"user-agent", b"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like "
                    b"Gecko) Chrome/120.0.0.0 Safari/537.36"),
    (b"accept", b"text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,"
                b"image/webp,*/*;q=0.8"),
    (b"accept-language", b"en-US,en;q=0.9,fr;q=0.8"),
    (b"accept-encoding", b"gzip, deflate, br"),
    (b"cookie", b"session=8f2a61c0d9e74b3f; theme=dark; _ga=GA1.2.1234567890.1700000000"),
    (b"referer", b"https://www.example.com/"),
    (b"upgrade-insecure-requests", b"1"),
    (b"sec-fetch-mode", b"navigate"),
    (b"cache-control", b"max-age=0"),
]


def now():
    if MP:
        return time.ticks_us() / 1e6
    return time.perf_counter()


def rate(fn, secs):
    # Calls fn in batches until secs have passed; returns calls per second.
    n = 0
    batch = 10
    t0 = now()
    while True:
        for _ in range(batch):
            fn()
        n += batch
        t = now() - t0
        if t >= secs:
            return n / t
        if t < secs / 10:
            batch *= 2


def bench_ours(secs):
    from mhttp import hpack as H
    e = H.Encoder()
    cold_wire = e.encode(HEADERS)
    warm_wire = e.encode(HEADERS)
    d = H.Decoder()
    d.decode(cold_wire)
    assert d.decode(warm_wire) == HEADERS
    r = {}
    r["encode warm"] = rate(lambda: e.encode(HEADERS), secs)
    r["encode cold"] = rate(lambda: H.Encoder().encode(HEADERS), secs)
    r["decode warm"] = rate(lambda: d.decode(warm_wire), secs)
    r["decode cold"] = rate(lambda: H.Decoder().decode(cold_wire), secs)
    saved = H.CACHE_ENTRIES
    H.CACHE_ENTRIES = 0
    H._enc_cache.clear()
    H._dec_cache.clear()
    r["encode cold nocache"] = rate(lambda: H.Encoder().encode(HEADERS), secs)
    r["decode cold nocache"] = rate(lambda: H.Decoder().decode(cold_wire), secs)
    H.CACHE_ENTRIES = saved
    return r, len(cold_wire), len(warm_wire)


def bench_ref(secs):
    import hpack
    e = hpack.Encoder()
    cold_wire = e.encode(HEADERS)
    warm_wire = e.encode(HEADERS)
    d = hpack.Decoder()
    d.decode(cold_wire, raw=True)
    assert d.decode(warm_wire, raw=True) == HEADERS
    r = {}
    r["encode warm"] = rate(lambda: e.encode(HEADERS), secs)
    r["encode cold"] = rate(lambda: hpack.Encoder().encode(HEADERS), secs)
    r["decode warm"] = rate(lambda: d.decode(warm_wire, raw=True), secs)
    r["decode cold"] = rate(lambda: hpack.Decoder().decode(cold_wire, raw=True), secs)
    return r, len(cold_wire), len(warm_wire)


def mem_import():
    # MicroPython: heap bytes held after importing mhttp.hpack, and after first use.
    import gc
    gc.collect()
    a = gc.mem_alloc()
    from mhttp import hpack as H
    gc.collect()
    b = gc.mem_alloc()
    e = H.Encoder()
    d = H.Decoder()
    d.decode(e.encode(HEADERS))
    H._enc_cache.clear()
    H._dec_cache.clear()
    del e, d
    gc.collect()
    c = gc.mem_alloc()
    print("import mhttp.hpack: %d bytes; after first Encoder/Decoder use: +%d bytes"
          % (b - a, c - b))


def main(argv):
    secs = float(argv[0]) if argv else 1.0
    if MP:
        mem_import()
    ours, oc, ow = bench_ours(secs)
    print("block sizes: cold %d bytes, warm %d bytes (ours)" % (oc, ow))
    ref = None
    if not MP:
        ref, rc, rw = bench_ref(secs)
        print("block sizes: cold %d bytes, warm %d bytes (hpack)" % (rc, rw))
    names = ["encode warm", "encode cold", "decode warm", "decode cold",
             "encode cold nocache", "decode cold nocache"]
    for k in names:
        line = "%-20s ours %9.0f ops/s" % (k, ours[k])
        if ref:
            base = ref[k.replace(" nocache", "")]
            line += "   hpack %9.0f ops/s   ratio %5.2fx" % (base, ours[k] / base)
        print(line)


main(sys.argv[1:])
