# Board RAM scenario: import one module (argv[1], e.g. mhttp.h1) from the .mpy bundle and
# nothing else.  tools/bench/bench_board_ram.py runs it under tools/heapmin.py for the
# import table; a checkpoint records the live bytes after the import.
import sys

try:
    from _heapmin import checkpoint
except ImportError:
    def checkpoint(label=""):
        pass

__import__(sys.argv[1])
checkpoint("imported")
