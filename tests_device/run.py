#!/usr/bin/env python3
"""Runs the device tests ON a board, through mpremote, exactly as a user would deploy.

    .venv/bin/python tests_device/run.py                      # esp32 and rp2 virtual boards
    .venv/bin/python tests_device/run.py --board rp2          # one virtual board
    MHTTP_DEVICE=/dev/ttyACM0 .venv/bin/python tests_device/run.py   # a real board

For each target: ask the board its sys.platform (esp32 / rp2), build the .mpy bundle for
it (tools/bundle.py), compile the tests to .mpy (tests_device/dt_*.py, the portable core
tests tests_host/core/*.py with their helpers and data, and _board_profile.py written
from tools/vboard.py's profile), wipe and copy them with `mpremote fs cp` into /lib and
/tests, then `mpremote exec` tests_device/devrun.py's main() on the board and parse its
PASS/FAIL/SKIP lines.  Any failure, a missing mpremote, a board that prints no summary,
or zero tests passed is a failure (exit 1).  The closing line is "N passed, N failed".
--romfs: the bundle goes into the board's ROMFS partition with `mpremote romfs deploy`
(mounted at /rom after a soft reset, .mpy executed in place; the virtual boards then get
a partition, tools/vboard.py --romfs); the esp32 profile's 128 KiB partition is too small
for the full bundle, the rp2 profile's 256 KiB holds it.
"""
import glob
import os
import re
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import bundle  # noqa: E402
import vboard  # noqa: E402

HERE = os.path.join(ROOT, "tests_device")
CORE = os.path.join(ROOT, "tests_host", "core")
# Unix-port modules no board firmware has: they must fail to import on every board.
UNIX_ONLY = ["termios", "ffi", "argparse"]


class DeviceError(Exception):
    pass


def mpremote_path():
    p = os.environ.get("MHTTP_MPREMOTE") or os.path.join(ROOT, ".venv", "bin", "mpremote")
    if not os.access(p, os.X_OK):
        raise DeviceError("mpremote not found at %s (pip install mpremote; make setup)" % p)
    return p


def mpr(dev, args, timeout=60, check=True, soft_reset=False):
    cmd = [mpremote_path(), "connect", dev] + ([] if soft_reset else ["resume"]) + list(args)
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise DeviceError("mpremote timed out after %ss: %s" % (timeout, " ".join(args)[:200]))
    out = r.stdout.decode("utf-8", "replace").replace("\r\n", "\n")
    _last.text = "mpremote exit %d%s" % (r.returncode, (", stderr: " + r.stderr.decode(
        "utf-8", "replace").strip()[-1500:]) if r.stderr.strip() else "")
    if check and r.returncode != 0:
        raise DeviceError("mpremote %s failed (%d):\n%s%s" % (
            " ".join(args)[:200], r.returncode, out, r.stderr.decode("utf-8", "replace")))
    return out


# what the last mpremote call of this thread ended with (runs may go on in threads)
_last = threading.local()


def write_profile(path, board, virtual, heap):
    p = vboard.PROFILES[board]
    present = sorted(m for m in p["modules"] if m not in ("__main__",))
    with open(path, "w") as f:
        f.write("# Written by tests_device/run.py from tools/vboard.py's profile.\n")
        f.write("PLATFORM = %r\n" % p["platform"])
        f.write("PRESENT = %r\n" % present)
        f.write("ABSENT = %r\n" % (UNIX_ONLY + (p["not_emulated"] if virtual else [])))
        f.write("HASHLIB = %r\n" % sorted(p["hashlib"]))
        f.write("VIRTUAL = %r\n" % virtual)
        f.write("HEAP = %d\n" % heap)
        # The GC table takes ~1/65 of the heap; a real board may hold a little less than
        # the cited figure after boot.py: accept 90%.
        f.write("HEAP_MIN = %d\n" % (int(heap * 0.97) if virtual else int(heap * 0.9)))


def build_tests(board, virtual, heap):
    out = os.path.join(ROOT, "build", "devtests", board)
    if os.path.isdir(out):
        for f in glob.glob(os.path.join(out, "*")):
            os.remove(f)
    os.makedirs(out, exist_ok=True)
    srcs = sorted(glob.glob(os.path.join(HERE, "dt_*.py")))
    srcs += [os.path.join(HERE, "devrun.py")]
    srcs += sorted(glob.glob(os.path.join(CORE, "*.py")))
    prof = os.path.join(out, "_board_profile.py")
    write_profile(prof, board, virtual, heap)
    srcs.append(prof)
    files = []
    for s in srcs:
        name = os.path.basename(s)[:-3]
        dst = os.path.join(out, name + ".mpy")
        bundle._compile(s, dst, os.path.basename(s))
        files.append(dst)
    return files


_WIPE = """
import os
def _rm(p):
    try:
        st = os.stat(p)
    except OSError:
        return
    if st[0] & 0x4000:
        for e in os.listdir(p):
            _rm(p + '/' + e)
        os.rmdir(p)
    else:
        os.remove(p)
_rm('/tests')
_rm('/lib/mhttp')
for _f in ('/lib/_mhttp_port.mpy', '/lib/_mhttp_mp.mpy', '/lib/_mhttp_port.py', '/lib/_mhttp_tls.mpy'):
    _rm(_f)
try:
    os.mkdir('/lib')
except OSError:
    pass
os.mkdir('/lib/mhttp')
os.mkdir('/tests')
"""


# Deploys share build/bundle/<board> and build/devtests/<board>: runs made at once (the
# pytest entry runs its virtual boards in threads) take turns from build to copy.
_DEPLOY_LOCK = threading.Lock()


def deploy(dev, board, virtual, heap):
    with _DEPLOY_LOCK:
        return _deploy(dev, board, virtual, heap)


def _deploy(dev, board, virtual, heap):
    b = bundle.build(board, quiet=True)
    tests = build_tests(board, virtual, heap)
    mpr(dev, ["exec", _WIPE])
    mods = [os.path.join(b["dir"], "mhttp", f) for f in sorted(os.listdir(os.path.join(b["dir"], "mhttp")))]
    mpr(dev, ["fs", "cp"] + mods + [":/lib/mhttp/"], timeout=120)
    glue = sorted(glob.glob(os.path.join(b["dir"], "_mhttp_*.mpy")))
    mpr(dev, ["fs", "cp"] + glue + [":/lib/"])
    mpr(dev, ["fs", "cp"] + tests + [":/tests/"], timeout=120)
    return b


def deploy_romfs(dev, board, virtual, heap):
    with _DEPLOY_LOCK:
        return _deploy_romfs(dev, board, virtual, heap)


def _deploy_romfs(dev, board, virtual, heap):
    # The bundle into the board's ROMFS partition with `mpremote romfs deploy`, as a user
    # of a board with a ROMFS partition does (mounted at /rom after a soft reset, .mpy
    # executed in place); the tests still go to /tests on the filesystem.
    b = bundle.build(board, quiet=True)
    tests = build_tests(board, virtual, heap)
    mpr(dev, ["exec", _WIPE])
    out = mpr(dev, ["romfs", "deploy", b["dir"]], timeout=180)
    if "ROMFS image deployed" not in out:
        raise DeviceError("mpremote romfs deploy failed on %s:\n%s" % (board, out[-2000:]))
    mpr(dev, ["fs", "cp"] + tests + [":/tests/"], timeout=120)
    where = mpr(dev, ["exec", "import mhttp.h1, _mhttp_port\n"
                      "print(mhttp.h1.__file__, _mhttp_port.__file__)"], soft_reset=True).split()
    if len(where) != 2 or not all(w.startswith("/rom/") for w in where):
        raise DeviceError("after romfs deploy + soft reset mhttp is not imported from /rom: %r"
                          % where)
    return b


_LINE = re.compile(r"^(\d+) passed, (\d+) failed, (\d+) skipped$", re.M)


def test_module_names(only=None):
    # Device-side tests: tests_device/dt_*.py (not test_*.py, which pytest would collect
    # on the host) and the portable core tests tests_host/core/test_*.py.
    names = [os.path.basename(f)[:-3] for f in glob.glob(os.path.join(HERE, "dt_*.py"))
             + glob.glob(os.path.join(CORE, "test_*.py"))]
    names = sorted(set(names))
    if only:
        mods = [o.split("::")[0] for o in only]
        names = [n for n in names if n in mods]
    return names


def _indent(text):
    return "\n".join("    | " + l for l in text.splitlines())


def run_module(dev, name, timeout=300):
    """Runs one test module after a soft reset -> (output, why): why is None when the
    module printed exactly one summary line, else what went wrong (its output is kept)."""
    cmd = ["exec", "import sys\nsys.path.insert(0, '/tests')\nimport devrun\n"
           "devrun.main(%r)" % name]
    try:
        out = mpr(dev, cmd, timeout=timeout, check=False, soft_reset=True)
    except DeviceError as e:            # mpremote timed out: the module hung
        return "", str(e)
    n = len(_LINE.findall(out))
    if n == 1:
        return out, None
    if n == 0:
        return out, ("module printed no summary line (it crashed the interpreter, or "
                     "mpremote lost the board): %s" % getattr(_last, "text", ""))
    return out, "module printed %d summary lines" % n


def run_on(dev, virtual, heap=None, only=None, echo=True, romfs=False):
    """Deploys and runs on `dev`; returns a result dict (see keys below).  romfs: deploy
    mhttp into the board's ROMFS partition (mpremote romfs deploy) instead of /lib."""
    t0 = time.monotonic()
    plat = mpr(dev, ["exec", "import sys; print(sys.platform)"]).strip()
    if plat not in vboard.PROFILES:
        raise DeviceError("board reports sys.platform %r: no profile for it (have %s)"
                          % (plat, ", ".join(vboard.PROFILES)))
    if heap is None:            # a real board: its own heap, the profile's figure
        heap = vboard.PROFILES[plat]["heap"]
    b = (deploy_romfs if romfs else deploy)(dev, plat, virtual, heap)
    t_deploy = time.monotonic() - t0
    # One soft reset per test module: each starts from the board's boot heap, as a user's
    # program would (qstrs interned by earlier imports stay in the heap otherwise and
    # fragment it).
    names = test_module_names(only)
    out = ""
    crashed = []
    for name in names:
        sel = [o for o in only if o.split("::")[0] == name] if only else [name]
        mod_out, why = run_module(dev, ",".join(sel))
        if why:
            # No summary line: the module crashed the board, hung, or mpremote failed.
            # Reported by name with its output as one failure; the run goes on (the
            # next module starts with a soft reset).
            crashed.append(name)
            mod_out += "\nFAIL %s::<crash>: %s\n%s\n0 passed, 1 failed, 0 skipped\n" % (
                name, why, _indent(mod_out[-3000:]))
        out += mod_out
    t_total = time.monotonic() - t0
    if echo:
        for line in out.splitlines():
            if not line.startswith("PASS "):
                print("  [%s] %s" % (plat, line))
    sums = _LINE.findall(out)
    if len(sums) != len(names):     # run_module guarantees one per module
        raise DeviceError("board %s printed %d summary lines for %d test modules:\n%s"
                          % (plat, len(sums), len(names), out[-4000:]))
    m = [sum(int(x[i]) for x in sums) for i in range(3)]
    heaps = re.findall(r"^HEAP total=(\d+) free_min=(\d+) peak=(\S+)$", out, re.M)
    return {
        "board": plat, "virtual": virtual, "romfs": romfs, "passed": m[0],
        "failed": m[1], "skipped": m[2], "output": out, "modules": names,
        "failures": [l for l in out.splitlines() if l.startswith("FAIL ")],
        "crashed": crashed,
        "passes": [l[5:] for l in out.splitlines() if l.startswith("PASS ")],
        "bundle_bytes": b["total"],
        "heap_total": max(int(h[0]) for h in heaps) if heaps else None,
        "heap_free_min": min(int(h[1]) for h in heaps) if heaps else None,
        "seconds_deploy": round(t_deploy, 2), "seconds": round(t_total, 2),
    }


def is_memory_failure(line):
    # "FAIL mod::test: MemoryError('memory allocation failed, allocating N bytes',)"
    return ": MemoryError(" in line


def run_virtual(board, only=None, echo=True, romfs=False):
    with vboard.VBoard(board, romfs=romfs) as vb:
        return run_on(vb.device, True, vb.heap, only, echo, romfs)


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description="device tests on (virtual) boards")
    ap.add_argument("--board", action="append", choices=sorted(vboard.PROFILES),
                    help="virtual board(s) (default: all); ignored with MHTTP_DEVICE")
    ap.add_argument("-k", dest="only", help="comma-separated test module names, or "
                    "module::test_name for single tests")
    ap.add_argument("--romfs", action="store_true",
                    help="deploy mhttp with `mpremote romfs deploy` into the board's ROMFS "
                         "partition (virtual boards get one: tools/vboard.py --romfs)")
    ap.add_argument("--allow-memoryerror", action="store_true",
                    help="count tests that ran out of the board's heap (MemoryError) as "
                         "reported, not failed")
    a = ap.parse_args(argv)
    only = a.only.split(",") if a.only else None
    results = []
    try:
        mpremote_path()
        dev = os.environ.get("MHTTP_DEVICE")
        if dev:
            results.append(run_on(dev, False, None, only, romfs=a.romfs))
        else:
            for b in (a.board or sorted(vboard.PROFILES)):
                results.append(run_virtual(b, only, romfs=a.romfs))
    except DeviceError as e:
        print("DEVICE TESTS FAILED: %s" % e)
        print("0 passed, 1 failed")
        return 1
    passed = failed = 0
    for r in results:
        print("%s%s%s: %d passed, %d failed, %d skipped; heap total %s, min free %s; "
              "bundle %d bytes; %.1fs (deploy %.1fs)" % (
                  r["board"], " (virtual)" if r["virtual"] else "",
                  " mhttp in ROMFS" if r["romfs"] else "", r["passed"], r["failed"],
                  r["skipped"], r["heap_total"], r["heap_free_min"], r["bundle_bytes"],
                  r["seconds"], r["seconds_deploy"]))
        for f in r["failures"]:
            print("  " + f)
        mem = [f for f in r["failures"] if is_memory_failure(f)]
        passed += r["passed"]
        failed += r["failed"] + (1 if r["passed"] == 0 else 0)
        if a.allow_memoryerror and mem:
            failed -= len(mem)
            print("  (%d of those ran out of the board's heap: reported, not counted)"
                  % len(mem))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
