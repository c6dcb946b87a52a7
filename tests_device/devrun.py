# Device-side test runner: runs ON the board (real or virtual), from /tests.
# Every /tests/test_*.mpy|py and dt_*.mpy|py module is imported in turn and its test_* functions called
# with no arguments; an exception is a failure, a returned "SKIP: why" string a skip.
# After each module, it and every module it loaded (mhttp.*) are dropped from sys.modules
# and the heap collected, so each test module starts from the board's boot heap.  Output, one line each (tests_device/run.py parses it):
#   PASS mod::test   FAIL mod::test: exc (traceback follows)   SKIP mod::test: why
#   MOD mod free_min=N      HEAP total=N free_min=N peak=N|-
#   N passed, N failed, N skipped
import gc
import os
import sys


def _modules(only):
    names = []
    for f in os.listdir("/tests"):
        if (f.startswith("test_") or f.startswith("dt_")) and \
                (f.endswith(".mpy") or f.endswith(".py")):
            n = f.rsplit(".", 1)[0]
            if n not in names and (not only or n in only):
                names.append(n)
    names.sort()
    return names


def main(only=None):
    if "/tests" not in sys.path:
        sys.path.insert(0, "/tests")
    if only:
        only = only.split(",")
    counts = [0, 0, 0]
    gc.collect()
    total = gc.mem_free() + gc.mem_alloc()
    low = gc.mem_free()
    for name in _modules(only):
        before = list(sys.modules)
        gc.collect()
        mod_low = gc.mem_free()
        try:
            mod = __import__(name)
        except Exception as e:
            counts[1] += 1
            print("FAIL %s::<import>: %r" % (name, e))
            sys.print_exception(e)
            mod = None
        tests = [n for n in dir(mod) if n.startswith("test_")] if mod else []
        tests.sort()
        fn = r = None
        for t in tests:
            fn = getattr(mod, t)
            if not callable(fn):
                continue
            gc.collect()
            try:
                r = fn()
            except Exception as e:
                counts[1] += 1
                print("FAIL %s::%s: %r" % (name, t, e))
                sys.print_exception(e)
            else:
                if isinstance(r, str) and r.startswith("SKIP"):
                    counts[2] += 1
                    print("SKIP %s::%s: %s" % (name, t, r[5:].strip()))
                else:
                    counts[0] += 1
                    print("PASS %s::%s" % (name, t))
            f = gc.mem_free()
            if f < mod_low:
                mod_low = f
        print("MOD %s free_min=%d" % (name, mod_low))
        if mod_low < low:
            low = mod_low
        mod = fn = r = None
        for m in list(sys.modules):
            if m not in before:
                del sys.modules[m]
        gc.collect()
    try:
        import micropython
        peak = str(micropython.mem_peak())
    except (ImportError, AttributeError):
        peak = "-"
    print("HEAP total=%d free_min=%d peak=%s" % (total, low, peak))
    print("%d passed, %d failed, %d skipped" % (counts[0], counts[1], counts[2]))
