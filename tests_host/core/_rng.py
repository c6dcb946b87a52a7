# The fuzzers' random numbers (tests_host/core/_h1fuzz.py, _h2fuzz.py): xorshift32, the
# same sequence on every runtime (seeded, no random module needed).


class Rng:
    def __init__(self, seed):
        self.s = (seed * 2654435761 + 1) & 0xFFFFFFFF or 1

    def next(self):
        s = self.s
        s ^= (s << 13) & 0xFFFFFFFF
        s ^= s >> 17
        s ^= (s << 5) & 0xFFFFFFFF
        self.s = s
        return s

    def below(self, n):
        return self.next() % n if n > 0 else 0

    def pick(self, seq):
        return seq[self.below(len(seq))]

    def bytes(self, n):
        return bytes([self.next() & 255 for _ in range(n)])

    # the byte-level mutations both fuzzers make (data: non-empty bytes)
    def flip_bit(self, data):
        i = self.below(len(data))
        return data[:i] + bytes((data[i] ^ (1 << self.below(8)),)) + data[i + 1:]

    def replace_byte(self, data):
        i = self.below(len(data))
        return data[:i] + bytes((self.below(256),)) + data[i + 1:]
