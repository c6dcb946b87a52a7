# Runs portable test modules on MicroPython (or CPython): every top-level function whose
# name starts with "test_" is called with no arguments; an exception is a failure.
#   tools/micropython tools/mptest.py tests_host/core/test_headers.py [-k substring]
# Prints one line per failure and a closing "N passed, N failed" line; exits 1 on any
# failure or when no test ran.
import sys
import gc

MP = sys.implementation.name == "micropython"


def _print_exc(e):
    if MP:
        sys.print_exception(e)
    else:
        import traceback
        traceback.print_exception(type(e), e, e.__traceback__)


def run_file(path, pattern, counts):
    d, _, f = path.rpartition("/")
    if d and d not in sys.path:
        sys.path.insert(0, d)
    name = f[:-3] if f.endswith(".py") else f
    mod = __import__(name)
    names = [n for n in dir(mod) if n.startswith("test_")]
    names.sort()
    for n in names:
        fn = getattr(mod, n)
        if not callable(fn) or (pattern and pattern not in n):
            continue
        try:
            fn()
            counts[0] += 1
        except Exception as e:
            counts[1] += 1
            print("FAILED %s::%s: %r" % (path, n, e))
            _print_exc(e)
        gc.collect()


def main(argv):
    pattern = None
    files = []
    i = 0
    while i < len(argv):
        if argv[i] == "-k":
            pattern = argv[i + 1]
            i += 2
            continue
        files.append(argv[i])
        i += 1
    counts = [0, 0]
    for p in files:
        try:
            run_file(p, pattern, counts)
        except Exception as e:
            counts[1] += 1
            print("ERROR importing %s: %r" % (p, e))
            _print_exc(e)
    print("%d passed, %d failed" % (counts[0], counts[1]))
    if counts[1] or not counts[0]:
        sys.exit(1)


main(sys.argv[1:])
