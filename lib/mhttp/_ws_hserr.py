# mhttp._ws_hserr: HandshakeError alone, loaded when a WebSocket opening handshake fails
# (or a program names it).  It imports nothing of the handshake code, so a client whose
# handshake fails does not pin mhttp._ws_hs (which mhttp._ws_server imports) and drops
# its setting-up modules as after a success (board RAM, docs/internals.md).  Public as
# mhttp.ws.HandshakeError and mhttp.websocket.HandshakeError (module __getattr__).
from mhttp.errors import ProtocolError


class HandshakeError(ProtocolError):
    # status_hint: what a server answers (400, 426); headers: extra response headers
    # (426 carries Sec-WebSocket-Version: 13).
    def __init__(self, msg, status_hint=400, headers=None):
        super().__init__(msg)
        self.status_hint = status_hint
        self.headers = headers or []
