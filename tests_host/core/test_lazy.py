# mhttp._lazy: rare methods bound on first use (portable: pytest and tools/mptest.py).
import sys

from mhttp._lazy import bind
from _t import raises

_RARE = ("rare", "other")


class A:
    def __init__(self, v):
        self.v = v

    def __getattr__(self, name):
        return bind(self, name, "_lazy_more", _RARE)


def test_unknown_name_is_attribute_error_and_imports_nothing():
    sys.modules.pop("_lazy_more", None)
    a = A(5)
    assert not hasattr(a, "missing")
    raises(AttributeError, getattr, a, "rarely")      # a prefix of a rare name is not one
    assert "_lazy_more" not in sys.modules


def test_rare_method_bound_then_stored_on_the_class():
    a = A(5)
    assert a.rare(2) == 7
    assert "rare" in A.__dict__                       # later calls skip __getattr__
    assert A(1).rare(1) == 2
    assert a.other() == -5
    f = a.rare
    assert f(10) == 15                                # a bound method, usable later


def test_instance_attributes_still_win():
    a = A(3)
    a.rare = lambda x: "own"
    assert a.rare(1) == "own"
