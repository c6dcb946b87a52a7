# test_ws_lazy's feature probe (not a test): does `from _star_probe import *` ask this
# module's __getattr__ for __all__ (CPython, MicroPython 1.29) or read only a real
# __all__ in the module dict, else its public globals (MicroPython 1.27)?
plain = 0


def __getattr__(name):
    if name == "__all__":
        return ["served"]
    if name == "served":
        return 1
    raise AttributeError(name)
