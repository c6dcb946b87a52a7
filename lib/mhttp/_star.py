# mhttp._star: __all__ for `from mhttp.<module> import *` where the module has a module
# __getattr__ (PEP 562).  MicroPython 1.29 asks that __getattr__ for "__all__" and lets its
# AttributeError escape, so the star import failed; CPython and MicroPython 1.27 fall back
# to the module's public globals.  Each such __getattr__ answers "__all__" with names(its
# globals()): that same set, on every runtime, plus the public names the module serves
# lazily that a star import gave when they were globals (`more`, one str with spaces).
# A module of its own, loaded by the first star import only: board RAM (a def on every
# path otherwise).


def names(g, more=""):
    return [n for n in g if n[0] != "_"] + [n for n in more.split() if n not in g]
