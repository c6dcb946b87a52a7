# mhttp._lazy_cpy: mhttp._lazy.settle's work, on CPython only (see mhttp._lazy: there the
# rare methods are bound at import and the class's __getattr__ removed, for CPython's
# attribute-access specialisation).  MicroPython never imports this module.


def settle(cls, modname, rare):
    if rare is None:
        # a table of groups (see mhttp._lazy.bind): each group settled as one module
        for g in modname.split(";"):
            g = g.split()
            settle(cls, "mhttp." + g[0], g[1:])
        return
    try:
        mod = __import__(modname, None, None, ("x",))
        fs = [(n, getattr(mod, n)) for n in (rare.split() if isinstance(rare, str) else rare)]
    except (ImportError, AttributeError):
        # An import cycle: the rare module (or one it imports) was imported first and is
        # only partly initialised while this module runs.  The class keeps its __getattr__
        # and binds on first use, as on MicroPython (tests_host/test_lazy_settled.py checks
        # that a normal import order leaves no __getattr__, so a misspelt name still fails).
        # Marked, so that a later settle() of the same class keeps the __getattr__ too,
        # and put back when an earlier settle() of the class (one class, several rare
        # modules: StreamIO) had removed it, so the names of this one stay reachable.
        cls._lazy_open = True
        ga = cls.__dict__.get("_lazy_getattr")
        if ga is not None and "__getattr__" not in cls.__dict__:
            cls.__getattr__ = ga
        return
    for name, f in fs:
        setattr(cls, name, f)
    if "__getattr__" in cls.__dict__ and not cls.__dict__.get("_lazy_open"):
        cls._lazy_getattr = cls.__dict__["__getattr__"]
        delattr(cls, "__getattr__")
