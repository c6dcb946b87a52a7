# mhttp._errors_h2: the HTTP/2 part of mhttp.errors (H2Error and its subclasses, the RFC
# 9113 error codes, H2_ERRORS, h2_error_name), imported on first use by
# mhttp.errors.__getattr__ (an HTTP/1.1 or WebSocket board never loads it).  Import these
# names from mhttp.errors, as before; this module is an implementation detail.
# A clean HTTP/2 exchange never loads it either (~3 KB from ROMFS): the modules on that path
# (h2, h2_frames, hpack, h2_connection, _h2_server) look these names up at the first error,
# never at import (tests_host/core/test_h2_lazy.py checks it); the rare modules may.
from mhttp.errors import ProtocolError

# RFC 9113 §7 error codes: "NAME:description" lines, indexed by code.  One str constant
# (it stays in flash on a board); H2_ERRORS, the ((name, description), ...) tuple, is built
# when asked for (module __getattr__ below).
_H2_TEXT = ("NO_ERROR:Graceful shutdown\n"
            "PROTOCOL_ERROR:Protocol error detected\n"
            "INTERNAL_ERROR:Implementation fault\n"
            "FLOW_CONTROL_ERROR:Flow-control limits exceeded\n"
            "SETTINGS_TIMEOUT:Settings not acknowledged\n"
            "STREAM_CLOSED:Frame received for closed stream\n"
            "FRAME_SIZE_ERROR:Frame size incorrect\n"
            "REFUSED_STREAM:Stream not processed\n"
            "CANCEL:Stream cancelled\n"
            "COMPRESSION_ERROR:Compression state not updated\n"
            "CONNECT_ERROR:TCP connection error for CONNECT method\n"
            "ENHANCE_YOUR_CALM:Processing capacity exceeded\n"
            "INADEQUATE_SECURITY:Negotiated TLS parameters not acceptable\n"
            "HTTP_1_1_REQUIRED:Use HTTP/1.1 for the request")


def _h2_error(code):
    # (name, description) of a known code, else None.
    if 0 <= code <= 13:
        return tuple(_H2_TEXT.split("\n")[code].split(":"))
    return None


def __getattr__(name):
    if name == "__all__":     # `from ... import *` (mhttp._star)
        from mhttp._star import names
        return names(globals())
    if name == "H2_ERRORS":
        return tuple(_h2_error(c) for c in range(14))
    raise AttributeError(name)

NO_ERROR = 0x0
PROTOCOL_ERROR = 0x1
INTERNAL_ERROR = 0x2
FLOW_CONTROL_ERROR = 0x3
SETTINGS_TIMEOUT = 0x4
STREAM_CLOSED = 0x5
FRAME_SIZE_ERROR = 0x6
REFUSED_STREAM = 0x7
CANCEL = 0x8
COMPRESSION_ERROR = 0x9
CONNECT_ERROR = 0xA
ENHANCE_YOUR_CALM = 0xB
INADEQUATE_SECURITY = 0xC
HTTP_1_1_REQUIRED = 0xD


def h2_error_name(code):
    e = _h2_error(code)
    return e[0] if e else "UNKNOWN_ERROR_0x%x" % code


class H2Error(ProtocolError):
    # lua-http h2_error: name, code, description, message, stream_error.
    stream_error = False

    def __init__(self, code, message=None, stream_id=0):
        self.code = code
        self.error_code = code
        e = _h2_error(code)
        self.name = e[0] if e else "UNKNOWN_ERROR_0x%x" % code
        self.description = e[1] if e else "Unknown error"
        self.message = message or self.description
        self.stream_id = stream_id
        super().__init__("%s: %s" % (self.name, self.message))


class H2ConnectionError(H2Error):
    # Answered with GOAWAY(code); the connection ends.  (stream_error False, from H2Error)
    pass


class H2StreamError(H2Error):
    # Answered with RST_STREAM(stream_id, code); other streams go on.
    stream_error = True


class CompressionError(H2ConnectionError):
    # RFC 7541 §2.3.3 / RFC 9113 §4.3: a header block that cannot be decoded.
    def __init__(self, message=None):
        super().__init__(COMPRESSION_ERROR, message)
