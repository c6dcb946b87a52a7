#!/usr/bin/env python3
# Board RAM on 32 bits, measured: the live heap of the same scenarios on the 64-bit
# MicroPython unix port (8-byte pointers, 32-byte GC blocks: every other board RAM figure
# here) and on a 32-bit MicroPython (4-byte pointers, 16-byte GC blocks, 31-bit small
# ints: what ESP32 and RP2040 boards run), with the ratio 32-bit / 64-bit.
#
#   .venv/bin/python tools/bench/bench_board_32bit.py          # everything (~1 minute)
#   .venv/bin/python tools/bench/bench_board_32bit.py --quick  # scenarios only, no import table
#                                          (also with $MHTTP_BENCH_QUICK=1: run.py --quick)
#
# The 32-bit MicroPython is the wasm32 port, npm's @micropython/micropython-webassembly-
# pyscript (VERSION, pinned in tools/wasm32_port.py), run by node: installed with npm
# into .venv/node (git-ignored) by `make setup` or here (tools/wasm32_port.install, which
# fails when node or npm is missing).  Nothing goes over the network but that npm install
# (once): the scenarios (tools/bench/wasm32/scenarios.py)
# have no sockets; every peer is an in-memory object in the same heap (so the exchange
# figures include the peer, on both ports alike).  mhttp is loaded as .mpy from the
# filesystem: the unix bundle of tools/bundle.py, bytecode only, which both ports load
# when the .mpy version matches (checked below; otherwise both run the .py sources, and
# the report says so).  No ROMFS: the wasm32 port has none.
#
# What this measures and what it does not:
# - "live": gc.mem_alloc() after a collection at each checkpoint, above the heap in use
#   before the scenario started.  Not the smallest heap (tools/heapmin.py's figure): the
#   wasm32 port grows its heap on demand (MICROPY_GC_SPLIT_HEAP_AUTO), so no bisection;
#   and it only collects between calls from JavaScript, which tools/bench/wasm32/run.mjs
#   arranges (see scenarios.py).  Multiply a 64-bit smallest heap by the ratio of its
#   scenario for a 32-bit estimate; fragmentation differs (16-byte blocks).
# - A scenario that fails on either port is reported and the others still run; exit
#   status 1 then.  (It doubles as a check on an older MicroPython: 1.27 against the unix
#   port's 1.29 preview, e.g. a bytes method 1.27 lacks.)
# - The wasm32 port is not a board: its builtins differ a little (asyncio runs on the JS
#   event loop; double floats), interned names are the same mechanism.
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import _harness as H          # noqa: E402
import bundle                 # noqa: E402

from wasm32_port import PACKAGE, VERSION, PKG_DIR   # noqa: E402
import wasm32_port            # noqa: E402
WASM = os.path.join(HERE, "wasm32")
SCENARIOS = os.path.join(WASM, "scenarios.py")
RUN_MJS = os.path.join(WASM, "run.mjs")
TIMEOUT = 300

# The modules of tools/bench/bench_board_ram.py's import table, each alone.
from bench_board_ram import IMPORTS       # noqa: E402
# (label, scenario args): as tools/bench/bench_board_ram.py / bench_board_h2_ram.py load.
RUNS = (
    ("h1 client, 100 keep-alive GETs", ["h1client", "100"]),
    ("h1 server, 10 conns x 100 requests", ["h1server", "10", "100"]),
    ("h1 server, 1 conn x 100 requests", ["h1server", "1", "100"]),
    ("h2c client, 100 GETs", ["h2client", "100"]),
    ("h2c server, 1000 requests, 10 at a time", ["h2server", "1000", "10"]),
    ("ws, 1000 x 1 KiB echoes", ["ws", "1000", "1024"]),
)


def install():
    # The pinned wasm32 port in .venv/node (tools/wasm32_port.py, shared with the tests).
    return wasm32_port.install("bench_board_32bit")


def stage(tmp, node):
    # The module directory both ports load: the .mpy bundle when the wasm32 port takes its
    # .mpy version, else the sources.  Returns (directory, what it holds).
    b = bundle.build("unix", quiet=True, out=os.path.join(tmp, "bundle"))
    out = subprocess.run([node, RUN_MJS, PKG_DIR, str(1 << 20), b["dir"], SCENARIOS, "mpy"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, timeout=60)
    m = re.search(rb"MPY (\d+)", out.stdout)
    if not m:
        raise SystemExit("bench_board_32bit: the wasm32 port did not run:\n%s"
                         % out.stdout.decode(errors="replace"))
    mpy = int(m.group(1))
    with open(os.path.join(b["dir"], "mhttp", "h1.mpy"), "rb") as f:
        head = f.read(4)
    # .mpy header: b"M", version, feature flags (0: bytecode only), small-int bits
    # (the 32-bit port's small ints have 31)
    if head[:1] == b"M" and head[1] == mpy & 0xFF and head[2] == 0 and head[3] <= 31:
        return b["dir"], ".mpy v%d (mpy-cross, bytecode only; the port reads v%d)" % (
            head[1], mpy & 0xFF)
    src = os.path.join(tmp, "src")
    shutil.copytree(os.path.join(H.ROOT, "lib", "mhttp"), os.path.join(src, "mhttp"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    for n in os.listdir(os.path.join(H.ROOT, "ports", "unix")):
        if n.endswith(".py"):
            shutil.copy(os.path.join(H.ROOT, "ports", "unix", n), src)
    return src, ".py sources (the .mpy header %r does not fit the port's _mpy %d)" % (
        head, mpy)


def run_one(argv, timeout=TIMEOUT):
    # CP lines -> [(label, live bytes, interned names)]; SystemExit unless it ran to DONE.
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT,
                       timeout=timeout, env=dict(os.environ, MICROPYPATH=_mpypath[0]))
    out = r.stdout.decode(errors="replace")
    if r.returncode != 0 or "\nDONE" not in "\n" + out:
        raise Failed("%s failed (exit %d):\n%s" % (" ".join(argv), r.returncode, out))
    cps = []
    for m in re.finditer(r"^CP (.*) (\d+)\n.*?n_pool=(\d+), n_qstr=(\d+)", out, re.M):
        cps.append((m.group(1), int(m.group(2)), "%s (%s)" % (m.group(4), m.group(3))))
    info = [l[5:] for l in out.splitlines() if l.startswith("INFO ")]
    mods = set()
    for l in out.splitlines():
        if l.startswith("MODULES "):
            mods = set(l.split()[1:])
    return cps, info, mods


_mpypath = [""]


class Failed(Exception):
    pass


def both(node, mods, args):
    u, info, mu = run_one([H.MICROPYTHON, "-X", "heapsize=4M", SCENARIOS] + args)
    w, info32, mw = run_one([node, RUN_MJS, PKG_DIR, str(1 << 20), mods, SCENARIOS] + args)
    if [c[0] for c in u] != [c[0] for c in w]:
        raise Failed("checkpoints differ: %r / %r" % (u, w))
    if info != info32:
        info = ["64-bit: %s" % i for i in info] + ["32-bit: %s" % i for i in info32]
    # modules only one port loaded (its firmware lacks what the other has built in, e.g.
    # hashlib.sha1 -> mhttp._sha1, or freezes .py modules the other has in C)
    if mw - mu:
        info.append("loaded on 32-bit only: %s" % " ".join(sorted(mw - mu)))
    if mu - mw:
        info.append("loaded on 64-bit only: %s" % " ".join(sorted(mu - mw)))
    return [(lu, a, b, qa, qb) for (lu, a, qa), (_, b, qb) in zip(u, w)], info


def kib(n):
    return "%.1f" % (n / 1024.0)


def ratio(a, b):
    return "%.2f" % (b / float(a)) if a else "n/a"


def main(argv):
    if not os.access(H.MICROPYTHON, os.X_OK):
        raise SystemExit("bench_board_32bit: %s missing (make setup)" % H.MICROPYTHON)
    node = install()
    tmp = tempfile.mkdtemp(prefix="mhttp-32bit-")
    try:
        mods, what = stage(tmp, node)
        _mpypath[0] = ".frozen:" + mods
        print("board RAM, 64-bit unix port (%s) vs 32-bit wasm32 port (%s@%s, node); "
              "mhttp as %s" % (H.MICROPYTHON, PACKAGE, VERSION, what))
        print("live heap after a collection (KiB above the start); ratio = 32-bit / 64-bit;"
              " names = interned names (qstr_info n_qstr) and, in (), name pools: a new pool"
              " is a step in the heap (e.g. a name pool line crossed on one port only)\n")
        print("| scenario | checkpoint | 64-bit | 32-bit | ratio | above imports 64/32 "
              "| ratio | names 64/32 |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        failed = []
        for label, args in RUNS:
            try:
                rows, info = both(node, mods, args)
            except Failed as e:
                # (a scenario that fails on one port: reported, the others still run)
                print("| %s | FAILED | | | | | | |" % label)
                failed.append("%s: %s" % (label, e))
                continue
            base = rows[1]      # (rows[0]: "start", 0 bytes, the names before)
            for cp, a, b, qa, qb in rows:
                da, db = a - base[1], b - base[2]
                later = cp not in ("start", base[0])
                if cp == "start":
                    print("| %s | start | | | | | | %s / %s |" % (label, qa, qb))
                    continue
                print("| %s | %s | %s | %s | %s | %s | %s | %s / %s |" % (
                    label, cp, kib(a), kib(b), ratio(a, b),
                    ("%s/%s" % (kib(da), kib(db))) if later else "",
                    ratio(da, db) if later else "", qa, qb))
            for i in info:
                print("| | (%s) | | | | | | |" % i)
            cp, a, b = rows[-1][:3]
            H.summary("board_32bit", "%s: live 32/64" % label, round(b / float(a), 2))
            sys.stdout.flush()
        if "--quick" not in argv and not H.quick():
            print("\nimport only (each module alone, live after the import):\n")
            print("| module | 64-bit KiB | 32-bit KiB | ratio | names 64/32 |")
            print("|---|---:|---:|---:|---:|")
            ta = tb = 0
            for m in IMPORTS:
                try:
                    rows, _ = both(node, mods, ["import", m])
                except Failed as e:
                    print("| %s | FAILED | | | |" % m)
                    failed.append("import %s: %s" % (m, e))
                    continue
                _, a, b, qa, qb = rows[-1]
                ta += a
                tb += b
                print("| %s | %s | %s | %s | %s / %s |" % (m, kib(a), kib(b), ratio(a, b),
                                                         qa, qb))
                sys.stdout.flush()
            print("| (sum) | %s | %s | %s | |" % (kib(ta), kib(tb), ratio(ta, tb)))
            H.summary("board_32bit", "imports (sum of the table): live 32/64",
                      round(tb / float(ta), 2))
        for f in failed:
            print("\nFAILED %s" % f)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
