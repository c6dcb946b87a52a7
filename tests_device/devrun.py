# Device-side test runner: runs ON the board (real or virtual), from /tests.
# Every /tests/test_*.mpy|py and dt_*.mpy|py module is imported in turn and its test_* functions called
# with no arguments; an exception is a failure, a returned "SKIP: why" string a skip.
# After each module, it and every module it loaded (mhttp.*) are dropped from sys.modules
# and the heap collected, so each test module starts from the board's boot heap; after each
# test the asyncio task queue is replaced (tasks a failed test left behind do not run on
# into the next one).  main("mod,mod::test_x") runs only those modules / tests.
# Output, one line each (tests_device/run.py parses it):
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


def _drop_tasks():
    # MicroPython's asyncio.run leaves the tasks a test started and did not finish (a
    # server task after a failed assertion, a handler still sleeping) in the global task
    # queue, where the next test's asyncio.run would run them, with their buffers still
    # in the heap.  CPython's asyncio.run cancels them; here a fresh task queue drops
    # them, so each test starts from the heap and the loop its module left.
    aio = sys.modules.get("asyncio")
    if aio is not None and hasattr(aio, "new_event_loop"):
        aio.new_event_loop()


def main(only=None):
    if "/tests" not in sys.path:
        sys.path.insert(0, "/tests")
    tests_only = None
    if only:
        # "mod" or "mod::test_x" entries (comma-separated)
        tests_only = [o for o in only.split(",") if "::" in o]
        only = [o.split("::")[0] for o in only.split(",")]
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
            if tests_only and name + "::" + t not in tests_only and name in [
                    o.split("::")[0] for o in tests_only]:
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
            _drop_tasks()
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
