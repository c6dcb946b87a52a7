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
# bind(): for a name in `names` (a tuple, or one str of space-separated names: names only
# held in a tuple get interned into the heap; or, names None, in a table of groups, see
# bind) it
# imports the module once, stores the function on the class that asked (every later call
# is an ordinary method call: __getattr__ is not reached again) and returns the bound
# method.  Any other name raises AttributeError without importing anything, so hasattr()
# probes stay cheap and correct.
#
# settle(): on CPython the lazy binding buys nothing (RAM is plentiful) and costs speed: a
# class with __getattr__ loses CPython 3.11's attribute-access specialisation (every
# self.x measured about 2x slower).  So there the rare methods are bound at import and the
# class's __getattr__ removed (by mhttp._lazy_cpy); on MicroPython settle() does nothing.
# When the rare module is imported before its parent (an import cycle), settle() leaves
# the lazy binding.
# (sys is imported in settle: board RAM, this module's dict holds four entries, a table
# of 64 B on a board, not six in 96.)


def bind(self, name, module, names):
    # (argument names MicroPython has built in: they intern nothing on a board)
    if names is None:
        # module: a table of groups, "mod name name ...;mod name ...", mod a module of
        # this package named without "mhttp." (board RAM: one str constant for all of a
        # class's rare modules, where a module name and a list each were a heap object,
        # ~46 B even from ROMFS; the table's text stays in flash)
        for names in module.split(";"):
            names = names.split()
            if name in names[1:]:
                # ("mhttp." from this module's name: no new interned name)
                module = __name__[:6] + names[0]
                break
        else:
            raise AttributeError(name)
    elif name not in (names.split() if isinstance(names, str) else names):
        raise AttributeError(name)
    f = getattr(__import__(module, None, None, (name,)), name)
    setattr(type(self), name, f)
    return getattr(self, name)


def settle(target, module, names):
    # CPython: the rare methods bound now (mhttp._lazy_cpy); MicroPython: nothing to do
    # (the code that binds them is not even loaded: board RAM).
    import sys
    if sys.implementation.name == "cpython":
        # (the module by a str, not an import statement: its name is not interned on a
        # board)
        __import__("mhttp._lazy_cpy", None, None, (module,)).settle(target, module, names)
