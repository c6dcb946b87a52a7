# mhttp._lazy: the rare methods of a class live in a module loaded on first use.
#
#   _RARE = "dump sort"                      # names defined in mhttp._headers_more
#
#   class Headers:
#       def __getattr__(self, name):         # reached only when normal lookup misses
#           return bind(self, name, "mhttp._headers_more", _RARE)
#
#   settle(Headers, "mhttp._headers_more", _RARE)   # at the end of the module
#
#   # mhttp/_headers_more.py
#   def dump(self, ...): ...                 # written as a method: `self` first
#
# Why: on MicroPython every `def` costs about 70 bytes of heap (raw code, function object,
# dict slot) and every class about 220, even for .mpy executed in place from ROMFS or
# frozen; a method nobody calls still pays.  One __getattr__ per class carries any number
# of rare methods for the price of one function.
#
# bind(): for a name in `rare` (a tuple, or one str of space-separated names: a str
# constant stays in flash, while names only held in a tuple get interned into the heap) it
# imports the module once, stores the function on the class that asked (every later call
# is an ordinary method call: __getattr__ is not reached again) and returns the bound
# method.  Any other name raises AttributeError without importing anything, so hasattr()
# probes stay cheap and correct.
#
# settle(): on CPython the lazy binding buys nothing (RAM is plentiful) and costs speed: a
# class with __getattr__ loses CPython 3.11's attribute-access specialisation (every
# self.x measured about 2x slower).  So there the rare methods are bound at import and the
# class's __getattr__ removed; on MicroPython settle() does nothing.  When the rare module
# is imported before its parent (an import cycle), settle() leaves the lazy binding.
import sys


def bind(obj, name, modname, rare):
    if name not in (rare.split() if isinstance(rare, str) else rare):
        raise AttributeError(name)
    f = getattr(__import__(modname, None, None, (name,)), name)
    setattr(type(obj), name, f)
    return getattr(obj, name)


def settle(cls, modname, rare):
    if sys.implementation.name != "cpython":
        return
    try:
        mod = __import__(modname, None, None, ("x",))
        fs = [(n, getattr(mod, n)) for n in (rare.split() if isinstance(rare, str) else rare)]
    except (ImportError, AttributeError):
        # An import cycle: the rare module (or one it imports) was imported first and is
        # only partly initialised while this module runs.  The class keeps its __getattr__
        # and binds on first use, as on MicroPython (tests_host/test_lazy_settled.py checks
        # that a normal import order leaves no __getattr__, so a misspelt name still fails).
        # Marked, so that a later settle() of the same class keeps the __getattr__ too.
        cls._lazy_open = True
        return
    for name, f in fs:
        setattr(cls, name, f)
    if "__getattr__" in cls.__dict__ and not cls.__dict__.get("_lazy_open"):
        delattr(cls, "__getattr__")
