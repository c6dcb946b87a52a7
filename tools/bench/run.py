# `make bench`: runs every tools/bench/bench_*.py in turn (sorted by name), each as its
# own process with a time limit, lets each print its tables, then prints a summary: each
# script's status and time, and the headline figures the scripts recorded with
# _harness.summary().
#
#   .venv/bin/python tools/bench/run.py                 all of them
#   .venv/bin/python tools/bench/run.py hpack h1        only names containing a word
#   .venv/bin/python tools/bench/run.py --list          names only
#   .venv/bin/python tools/bench/run.py --quick         sets $MHTTP_BENCH_QUICK=1 for the
#                                                       scripts that honour it (short runs)
# Extra arguments after "--" go to every matched script as they are.
# Exit status: 1 when any script failed or timed out, else 0.
import glob
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PY = os.path.join(ROOT, ".venv", "bin", "python")
if not os.path.exists(PY):
    PY = sys.executable
LIMIT = int(os.environ.get("MHTTP_BENCH_LIMIT", "600"))  # seconds per script


def main(argv):
    extra = []
    if "--" in argv:
        i = argv.index("--")
        extra = argv[i + 1:]
        argv = argv[:i]
    scripts = sorted(glob.glob(os.path.join(HERE, "bench_*.py")))
    words = [a for a in argv if not a.startswith("-")]
    if words:
        scripts = [s for s in scripts if any(w in os.path.basename(s) for w in words)]
    if "--list" in argv:
        for s in scripts:
            print(os.path.basename(s))
        return 0
    if not scripts:
        print("no benchmark matched")
        return 1
    fd, summ = tempfile.mkstemp(prefix="mhttp-bench-", suffix=".jsonl")
    os.close(fd)
    env = dict(os.environ)
    env["MHTTP_BENCH_SUMMARY"] = summ
    env["PYTHONUNBUFFERED"] = "1"
    if "--quick" in argv:
        env["MHTTP_BENCH_QUICK"] = "1"
    status = []
    try:
        for s in scripts:
            name = os.path.basename(s)
            print()
            print("=" * 78)
            print("== %s" % name)
            print("=" * 78)
            sys.stdout.flush()
            t0 = time.monotonic()
            try:
                p = subprocess.Popen([PY, s] + extra, cwd=ROOT, env=env,
                                     start_new_session=True)
                try:
                    rc = p.wait(LIMIT)
                    st = "ok" if rc == 0 else "FAILED (exit %d)" % rc
                except subprocess.TimeoutExpired:
                    import signal
                    try:
                        os.killpg(p.pid, signal.SIGKILL)
                    except OSError:
                        p.kill()
                    p.wait()
                    st = "TIMEOUT (%d s)" % LIMIT
            except OSError as e:
                st = "FAILED (%s)" % e
            status.append((name, st, time.monotonic() - t0))
        figures = []
        with open(summ) as f:
            for line in f:
                line = line.strip()
                if line:
                    try:
                        figures.append(json.loads(line))
                    except ValueError:
                        pass
    finally:
        os.unlink(summ)

    print()
    print("=" * 78)
    print("== summary")
    print("=" * 78)
    for name, st, dt in status:
        print("%-34s %-22s %6.1f s" % (name, st, dt))
    if figures:
        print()
        w = max(len("%s: %s" % (b, k)) for b, k, _ in figures)
        for b, k, v in figures:
            if isinstance(v, float):
                v = "%.3g" % v
            print("%-*s  %s" % (w, "%s: %s" % (b, k), v))
    bad = [n for n, st, _ in status if st != "ok"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
