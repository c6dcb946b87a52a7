# Rare methods for test_lazy.py's class, loaded on first use through mhttp._lazy.bind.
def rare(self, x):
    return self.v + x


def other(self):
    return -self.v
