# mhttp._sha1: portable SHA-1 (FIPS 180-4) for boards whose hashlib lacks sha1.
#
# Only the WebSocket handshake needs it (RFC 6455 §4.2.2: Sec-WebSocket-Accept is the
# base64 of SHA-1 of key + GUID, a 60-byte input), so it is written for small inputs and
# small code, not speed.  mhttp.ws imports it only when hashlib.sha1 is missing.
#   sha1(data) -> 20-byte digest


def _rol(x, n):
    return ((x << n) | (x >> (32 - n))) & 0xFFFFFFFF


def sha1(data):
    data = bytes(data)
    h0 = 0x67452301
    h1 = 0xEFCDAB89
    h2 = 0x98BADCFE
    h3 = 0x10325476
    h4 = 0xC3D2E1F0
    n = len(data)
    # Padding: 0x80, zeros up to 56 mod 64, then the bit length as 64-bit big endian.
    pad = b"\x80" + b"\x00" * ((55 - n) % 64) + (n * 8).to_bytes(8, "big")
    msg = data + pad
    w = [0] * 80
    for off in range(0, len(msg), 64):
        for i in range(16):
            j = off + 4 * i
            w[i] = int.from_bytes(msg[j:j + 4], "big")
        for i in range(16, 80):
            w[i] = _rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1)
        a = h0
        b = h1
        c = h2
        d = h3
        e = h4
        for i in range(80):
            if i < 20:
                f = (b & c) | ((~b) & d)
                k = 0x5A827999
            elif i < 40:
                f = b ^ c ^ d
                k = 0x6ED9EBA1
            elif i < 60:
                f = (b & c) | (b & d) | (c & d)
                k = 0x8F1BBCDC
            else:
                f = b ^ c ^ d
                k = 0xCA62C1D6
            t = (_rol(a, 5) + (f & 0xFFFFFFFF) + e + k + w[i]) & 0xFFFFFFFF
            e = d
            d = c
            c = _rol(b, 30)
            b = a
            a = t
        h0 = (h0 + a) & 0xFFFFFFFF
        h1 = (h1 + b) & 0xFFFFFFFF
        h2 = (h2 + c) & 0xFFFFFFFF
        h3 = (h3 + d) & 0xFFFFFFFF
        h4 = (h4 + e) & 0xFFFFFFFF
    return (h0.to_bytes(4, "big") + h1.to_bytes(4, "big") + h2.to_bytes(4, "big")
            + h3.to_bytes(4, "big") + h4.to_bytes(4, "big"))
