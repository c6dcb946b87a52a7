# mhttp._errors_more: the WebSocket part of mhttp.errors (WSError, the RFC 6455 close
# codes) and TLSError, imported on first use by mhttp.errors.__getattr__ (plain HTTP/1.1
# and HTTP/2 boards never load it; a WebSocket one at its first error, a TLS one when TLS
# cannot be set up).  Import these names from mhttp.errors, as before; this module is an
# implementation detail.
from mhttp.errors import Error, ProtocolError

if hasattr(b"", "translate"):
    from mhttp.errors import TLSError       # CPython: defined there (see mhttp.errors)
else:
    class TLSError(Error):
        # TLS could not be set up (no CA file, no ALPN, handshake).
        pass


# RFC 6455 §7.4.1 close codes used by the WebSocket core.
CLOSE_NORMAL = 1000
CLOSE_GOING_AWAY = 1001
CLOSE_PROTOCOL_ERROR = 1002
CLOSE_UNSUPPORTED_DATA = 1003
CLOSE_NO_STATUS = 1005
CLOSE_ABNORMAL = 1006
CLOSE_INVALID_DATA = 1007
CLOSE_POLICY_VIOLATION = 1008
CLOSE_MESSAGE_TOO_BIG = 1009
CLOSE_MANDATORY_EXTENSION = 1010
CLOSE_INTERNAL_ERROR = 1011


class WSError(ProtocolError):
    def __init__(self, msg, close_code=CLOSE_PROTOCOL_ERROR):
        super().__init__(msg)
        self.close_code = close_code
