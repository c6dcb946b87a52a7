#!/usr/bin/env python3
"""heapmin: the smallest MicroPython heap (-X heapsize) at which a scenario still succeeds.

    .venv/bin/python tools/heapmin.py SCENARIO.py [options] [-- scenario args]

The scenario
------------
A MicroPython script, run as `micropython -X heapsize=N SCENARIO.py ARGS...` on the unix
port with mhttp loaded as .mpy from the bundle (tools/bundle.py --board unix, built
fresh into a private temporary directory; MICROPYPATH = .frozen:<probe>:<bundle>), cwd =
the repository.  --romfs: the bundle is a ROMFS image in a memory-mapped "flash" outside
the heap (tools/romfs.py), mounted at /rom: .mpy executed in place, as from a board's
ROMFS partition (MICROPYPATH = .frozen:<probe>, then /rom).  It succeeds when it exits with status 0 (an uncaught exception, a
MemoryError included, exits 1) and, with --driver, the driver exits 0 too.

Optional checkpoints, for the peak heap use report:

    try:
        from _heapmin import checkpoint     # present only under heapmin
    except ImportError:
        def checkpoint(label=""): pass
    ...
    checkpoint("after 1000 requests")       # records gc.mem_alloc() (live + garbage) and,
                                            # after a gc.collect(), the live bytes

At exit the probe prints one line per checkpoint (max over calls):
`HEAPMIN alloc=<bytes> live=<bytes> checkpoint=<label>`.  heapmin reports them for the
smallest passing heap (and --verbose for every run).  Checkpoints sit where the scenario
put them, usually at quiet moments: they are not the peak.  The peak live heap is
measured in one more run at --hi, not part of the bisection: a probe thread collects and
reads gc.mem_alloc() every --sample-ms (2) milliseconds whatever the scenario is doing
(ten requests in flight at once, a frame being assembled): "sampled peak live".  The
smallest heap is above it by what fragmentation costs (MicroPython's GC never moves an
object: a block of N bytes needs N contiguous free bytes).

A host-side driver (--driver 'shell command'): the scenario prints a line containing
HEAPMIN READY when it is ready (e.g. listening); then the driver runs; its exit status
counts.  "{port}" in the driver command and in the scenario args is replaced by a free
TCP port on 127.0.0.1 (also in the environment as HEAPMIN_PORT for both; with
HEAPMIN_PORTS=LO-HI in the environment, a free one in that range).  Example:

    tools/heapmin.py bench/serve_keepalive.py --driver \\
        'h2load -n 1000 -c 10 --h1 http://127.0.0.1:{port}/' -- {port}

Bounds: bisection between --lo (8K) and --hi (512K) to --res (1K), each run killed after
--timeout seconds (60), at most 12 runs for the defaults.  The figure is for the 64-bit
unix port.  A 32-bit board needs less: objects take about half (4-byte pointers, 16-byte
GC blocks), bytecode and bytes buffers the same.  tools/bench/bench_board_32bit.py
measured the live heap of our scenarios on a 32-bit MicroPython at 0.66..0.76 of the
64-bit figure (docs/internals.md, "Board RAM"); the report prints the figure scaled by
that range (an estimate: fragmentation on the board is not measured).
Exit status: 0 with a figure, 2 when the scenario fails even at --hi, 3 on bad usage.
As a library: find_min_heap(scenario, args=(), driver=None, ...) -> dict.
"""
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))

# Live heap on a 32-bit MicroPython / on this 64-bit port, lowest and highest measured
# over our scenarios by tools/bench/bench_board_32bit.py (docs/internals.md).
BOARD_RATIO = (0.66, 0.76)

_PROBE = r'''
import gc, sys
_points = {}
_order = []


def checkpoint(label=""):
    a = gc.mem_alloc()
    gc.collect()
    live = gc.mem_alloc()
    p = _points.get(label)
    if p is None:
        _points[label] = [a, live]
        _order.append(label)
    else:
        if a > p[0]:
            p[0] = a
        if live > p[1]:
            p[1] = live


# The sampled peak (heapmin's last run, HEAPMIN_SAMPLE_MS set): a thread collects and
# reads gc.mem_alloc() every period, whatever the scenario is doing.  Checkpoints sit at
# quiet moments (after a request, all connections idle) and miss the real peak: ten
# requests in flight at once, a frame being assembled.
_peak = [0, 0, 0]      # max live, samples, stop flag


def _sample(_):
    # Runs in the main thread (micropython.schedule: between two bytecodes, wherever the
    # scenario is), so the collection sees exactly what the program holds at that point.
    gc.collect()
    a = gc.mem_alloc()
    _peak[1] += 1
    if a > _peak[0]:
        _peak[0] = a


def _sampler(ms):
    # The thread only asks: a collection run from this thread would race the main
    # thread's allocations (measured: the figure grew with the heap size).
    import time
    import micropython
    while not _peak[2]:
        time.sleep_ms(ms)
        try:
            micropython.schedule(_sample, None)
        except RuntimeError:    # the schedule queue is full: the last one has not run yet
            pass


def start_sampler():
    import os
    ms = os.getenv("HEAPMIN_SAMPLE_MS")
    if ms:
        import _thread
        gc.collect()
        _peak[0] = gc.mem_alloc()
        _thread.start_new_thread(_sampler, (int(ms),))


def report():
    _peak[2] = 1
    for label in _order:
        p = _points[label]
        print("HEAPMIN alloc=%d live=%d checkpoint=%s" % (p[0], p[1], label))
    if _peak[1]:
        print("HEAPMIN sampled live=%d samples=%d" % (_peak[0], _peak[1]))
    # The interned names at exit ("qstr pool: n_pool=P, n_qstr=N, ..."): MicroPython
    # keeps them in pools of 20, 40, 80, ... entries, each allocated in one block when
    # the last one is full, so one name more can cost a whole pool (3.5 KB at the 320 one)
    import micropython
    micropython.qstr_info()
'''

# --romfs: the bundle is a ROMFS image in a memory-mapped "flash" outside the heap
# (tools/romfs.py), mounted at /rom as a board's firmware does at boot.
_ROM_PRELUDE = r'''
import sys
%s
if not _romfs_mount():
    raise SystemExit("heapmin: no ROMFS image at MHTTP_ROMFS_ADDR")
del _romfs_mount
sys.path.append("/rom")
'''

_WRAPPER = r'''
import sys
_path = sys.argv[1]
sys.argv[:] = sys.argv[1:]  # sys.argv itself cannot be rebound on MicroPython
import _heapmin
_heapmin.start_sampler()
_g = {"__name__": "__main__", "__file__": _path}
try:
    exec(open(_path).read(), _g)
finally:
    _heapmin.report()
'''


def parse_size(s):
    s = str(s).strip()
    mult = 1
    if s[-1:] in "kK":
        mult, s = 1024, s[:-1]
    elif s[-1:] in "mM":
        mult, s = 1024 * 1024, s[:-1]
    return int(float(s) * mult)


def free_port():
    """A free TCP port on 127.0.0.1; HEAPMIN_PORTS=LO-HI picks one in that range (for
    concurrent runs that were each given their own ports)."""
    rng = os.environ.get("HEAPMIN_PORTS")
    cands = [0]
    if rng:
        lo, _, hi = rng.partition("-")
        cands = list(range(int(lo), int(hi) + 1))
        import random
        random.shuffle(cands)
    for c in cands:
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", c))
        except OSError:
            s.close()
            continue
        p = s.getsockname()[1]
        s.close()
        return p
    raise SystemExit("heapmin: no free port in %s" % rng)


def micropython():
    mp = os.environ.get("MHTTP_MICROPYTHON") or os.path.join(ROOT, ".venv", "bin", "micropython")
    if not os.access(mp, os.X_OK):
        raise SystemExit("MicroPython unix port not found at %s" % mp)
    return mp


def _kill(p):
    if p.poll() is None:
        p.kill()
    p.wait(10)


def run_once(scenario, heap, args=(), driver=None, timeout=60.0, bundle_dir=None,
             probe_dir=None, flash=None, sample_ms=0):
    """One run at `heap` bytes; returns {"ok", "why", "checkpoints", "sampled", "names",
    "output", "seconds"}.  names: the interned names at exit, {"pools", "names",
    "bytes"} from micropython.qstr_info() (None when the scenario died first).  flash: a ROMFS flash file (tools/romfs.py) holding the bundle, instead of
    bundle_dir.  sample_ms: a probe thread samples the live heap every sample_ms
    milliseconds ("sampled": the largest, or None)."""
    t0 = time.monotonic()
    port = free_port()
    sub = lambda s: s.replace("{port}", str(port))  # noqa: E731
    env = dict(os.environ)
    env["MICROPYPATH"] = (".frozen:%s" % probe_dir) if flash else (
        ".frozen:%s:%s" % (probe_dir, bundle_dir))
    env["HEAPMIN_PORT"] = str(port)
    env.pop("HEAPMIN_SAMPLE_MS", None)
    if sample_ms:
        env["HEAPMIN_SAMPLE_MS"] = str(int(sample_ms))
    if flash:
        import romfs
        head = romfs.launch_cmd(flash) + ["-X", "heapsize=%d" % heap,
                                          os.path.join(probe_dir, "_wrap_rom.py")]
    else:
        head = [micropython(), "-X", "heapsize=%d" % heap, os.path.join(probe_dir, "_wrap.py")]
    cmd = head + [os.path.abspath(scenario)] + [sub(a) for a in args]
    p = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    out = []
    why = None
    deadline = t0 + timeout
    try:
        if driver:
            ready = False
            while time.monotonic() < deadline:
                line = p.stdout.readline()
                if not line:
                    break
                out.append(line.decode("utf-8", "replace"))
                if "HEAPMIN READY" in out[-1]:
                    ready = True
                    break
            if not ready:
                why = "scenario never printed HEAPMIN READY"
            else:
                try:
                    d = subprocess.run(sub(driver), shell=True, cwd=ROOT, env=env,
                                       capture_output=True,
                                       timeout=max(1.0, deadline - time.monotonic()))
                    if d.returncode != 0:
                        why = "driver exited %d: %s" % (
                            d.returncode, (d.stdout + d.stderr).decode("utf-8", "replace")[-500:])
                except subprocess.TimeoutExpired:
                    why = "driver timed out"
        try:
            rest, _ = p.communicate(timeout=max(0.5, deadline - time.monotonic()))
            out.append(rest.decode("utf-8", "replace"))
        except subprocess.TimeoutExpired:
            why = why or "scenario timed out after %ss" % timeout
            _kill(p)
            rest = p.stdout.read() if p.stdout else b""
            out.append(rest.decode("utf-8", "replace"))
    finally:
        _kill(p)
    text = "".join(out)
    if why is None and p.returncode != 0:
        last = [l for l in text.splitlines() if l.strip()][-1:] or [""]
        why = "scenario exited %s: %s" % (p.returncode, last[0][:300])
    if why is not None:
        me = [l for l in text.splitlines() if "MemoryError" in l]
        if me and me[-1].strip() not in why:
            why += " [%s]" % me[-1].strip()[:200]
    cps = {}
    for line in text.splitlines():
        if line.startswith("HEAPMIN alloc="):
            head, _, label = line.partition(" checkpoint=")
            kv = dict(x.split("=", 1) for x in head[8:].split(" ") if "=" in x)
            cps[label] = (int(kv["alloc"]), int(kv["live"]))
    sampled = None
    for line in text.splitlines():
        if line.startswith("HEAPMIN sampled live="):
            sampled = int(line.split()[2].split("=")[1])
    names = None
    for line in text.splitlines():
        if line.startswith("qstr pool: n_pool="):
            kv = dict(x.strip().split("=", 1) for x in line[11:].split(","))
            names = {"pools": int(kv["n_pool"]), "names": int(kv["n_qstr"]),
                     "bytes": int(kv["n_total_bytes"])}
    return {"ok": why is None, "why": why, "checkpoints": cps, "sampled": sampled,
            "names": names, "output": text,
            "seconds": round(time.monotonic() - t0, 2)}


def _prepare(probe_dir, romfs):
    """A fresh private bundle and the probe files in probe_dir (concurrent heapmin runs
    must not rebuild each other's bundle); with romfs, its ROMFS flash image.  Returns
    (bundle dict, flash path or None)."""
    import bundle
    b = bundle.build("unix", quiet=True, out=os.path.join(probe_dir, "bundle"))
    with open(os.path.join(probe_dir, "_heapmin.py"), "w") as f:
        f.write(_PROBE)
    with open(os.path.join(probe_dir, "_wrap.py"), "w") as f:
        f.write(_WRAPPER)
    flash = None
    if romfs:
        import romfs as R
        with open(os.path.join(probe_dir, "_wrap_rom.py"), "w") as f:
            f.write(_ROM_PRELUDE % R.MOUNT_SRC + _WRAPPER)
        img = R.image(b["dir"])
        flash = R.make_flash(os.path.join(probe_dir, "romfs.flash"),
                             (len(img) + R.SECTOR - 1) // R.SECTOR * R.SECTOR, img)
    return b, flash


def run_at(scenario, heap, args=(), driver=None, timeout=60.0, romfs=False):
    """One run of `scenario` at `heap` bytes with a fresh bundle (as find_min_heap's
    runs): run_once's dict.  For checks at a fixed heap, e.g. the interned names a path
    leaves ("names")."""
    import shutil
    probe_dir = tempfile.mkdtemp(prefix="heapmin-")
    try:
        b, flash = _prepare(probe_dir, romfs)
        return run_once(scenario, heap, args, driver, timeout, b["dir"], probe_dir, flash)
    finally:
        shutil.rmtree(probe_dir, ignore_errors=True)


def find_min_heap(scenario, args=(), driver=None, lo=8 * 1024, hi=512 * 1024, res=1024,
                  timeout=60.0, verbose=False, log=print, romfs=False, sample_ms=2):
    """Bisects the smallest passing heap in [lo, hi] to `res` bytes.  Returns a dict:
    min_heap (bytes, or None when even `hi` fails), runs, checkpoints (at min_heap),
    sampled_live (the largest live heap a probe thread saw every sample_ms milliseconds
    in one more run at `hi`, none of the bisection runs being perturbed by it; None
    with sample_ms=0), last_failure (why the heap just below failed), seconds.  romfs=True: the bundle is
    imported from a ROMFS image mapped outside the heap (.mpy executed in place, as from
    a board's ROMFS partition) instead of from .mpy files (copied into the heap)."""
    t0 = time.monotonic()
    probe_dir = tempfile.mkdtemp(prefix="heapmin-")
    b, flash = _prepare(probe_dir, romfs)
    runs = []

    def attempt(h):
        r = run_once(scenario, h, args, driver, timeout, b["dir"], probe_dir, flash)
        runs.append((h, r["ok"], r["seconds"]))
        if verbose:
            log("  heap %7d: %s (%.2fs)%s" % (h, "ok" if r["ok"] else "FAIL", r["seconds"],
                                              "" if r["ok"] else " " + r["why"]))
        return r

    try:
        top = attempt(hi)
        if not top["ok"]:
            return {"min_heap": None, "runs": runs, "checkpoints": {},
                    "last_failure": top["why"], "output": top["output"],
                    "seconds": round(time.monotonic() - t0, 2)}
        best, bad = top, None
        good_h, bad_h = hi, lo - res
        bottom = attempt(lo)
        if bottom["ok"]:
            best, good_h = bottom, lo
        else:
            bad, bad_h = bottom, lo
            while good_h - bad_h > res:
                mid = (good_h + bad_h) // 2 // res * res
                if mid <= bad_h:
                    mid = bad_h + res
                if mid >= good_h:
                    break
                r = attempt(mid)
                if r["ok"]:
                    best, good_h = r, mid
                else:
                    bad, bad_h = r, mid
        sampled = None
        if sample_ms:
            sampled = run_once(scenario, hi, args, driver, timeout, b["dir"], probe_dir, flash,
                               sample_ms)["sampled"]
        return {"min_heap": good_h, "sampled_live": sampled, "board_range": (int(good_h * BOARD_RATIO[0]), int(good_h * BOARD_RATIO[1])),
                "romfs": bool(romfs),
                "runs": runs, "checkpoints": best["checkpoints"], "names": best.get("names"),
                "last_failure": bad["why"] if bad else None,
                "failed_at": bad_h if bad else None,
                "bundle_bytes": b["total"], "seconds": round(time.monotonic() - t0, 2)}
    finally:
        import shutil
        shutil.rmtree(probe_dir, ignore_errors=True)


def main(argv):
    import argparse
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    else:
        extra = []
    ap = argparse.ArgumentParser(description="smallest MicroPython heap for a scenario")
    ap.add_argument("scenario")
    ap.add_argument("--driver", help="host-side shell command, run after HEAPMIN READY")
    ap.add_argument("--lo", default="8K")
    ap.add_argument("--hi", default="512K")
    ap.add_argument("--res", default="1K")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per run")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    ap.add_argument("--sample-ms", type=int, default=2,
                    help="period of the peak-live sampler in the extra run (0: no such run)")
    ap.add_argument("--romfs", action="store_true",
                    help="import the bundle from a ROMFS image mapped outside the heap "
                         "(.mpy executed in place, as from a board's ROMFS partition)")
    a = ap.parse_args(argv)
    lo, hi, res = parse_size(a.lo), parse_size(a.hi), parse_size(a.res)
    if not (0 < lo < hi) or res <= 0:
        print("heapmin: need 0 < --lo < --hi and --res > 0", file=sys.stderr)
        return 3
    r = find_min_heap(a.scenario, extra, a.driver, lo, hi, res, a.timeout, a.verbose,
                      romfs=a.romfs, sample_ms=a.sample_ms)
    if a.json:
        import json
        r.pop("output", None)
        print(json.dumps(r, indent=1, sort_keys=True))
    elif r["min_heap"] is None:
        print("heapmin: %s fails even at %d bytes: %s" % (a.scenario, hi, r["last_failure"]))
        print(r.get("output", "")[-2000:])
    else:
        print("heapmin: %s needs %d bytes (%.1f KiB) of heap on the 64-bit unix port, "
              "modules %s (a 32-bit board, estimated: %.1f..%.1f KiB); %d runs, %.1fs" % (
                  a.scenario, r["min_heap"], r["min_heap"] / 1024.0,
                  "in ROMFS (executed in place)" if a.romfs else ".mpy from the filesystem",
                  r["board_range"][0] / 1024.0, r["board_range"][1] / 1024.0,
                  len(r["runs"]), r["seconds"]))
        for label, (alloc, live) in sorted(r["checkpoints"].items()):
            print("  checkpoint %-30s alloc %8d  live %8d" % (label, alloc, live))
        if r.get("sampled_live"):
            print("  sampled peak live %d (a probe thread, every %d ms, in one more run)"
                  % (r["sampled_live"], a.sample_ms))
        if r.get("names"):
            print("  interned names at exit %(names)d in %(pools)d pools, %(bytes)d bytes"
                  % r["names"])
        if r["last_failure"]:
            print("  at %d bytes: %s" % (r["failed_at"], r["last_failure"]))
    return 0 if r["min_heap"] is not None else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
