"""Work-around for the WebSocket transport (simple-websocket 1.1.0).

`simple_websocket.Base.send` writes a frame with one `sock.send()`. Under gevent the socket is
non-blocking underneath, so a large frame (a 10,000-satellite tick is 240 KB) can be written in
part when the kernel buffer is nearly full; the rest is lost and the client's stream is corrupt
(miguelgrinberg/simple-websocket issue #45, fixed upstream with a send loop). We send the whole
frame with `sendall`. Only one engine.io writer sends on a socket, so no lock is needed here.
Remove when the pinned simple-websocket sends whole frames itself.
"""

from __future__ import annotations

import simple_websocket.ws as sws


def _send_whole(self, data) -> None:
    """Send one WebSocket message (bytes: binary, otherwise text), all of it."""
    if not self.connected:
        raise sws.ConnectionClosed(self.close_reason, self.close_message)
    if isinstance(data, bytes):
        out_data = self.ws.send(sws.Message(data=data))
    else:
        out_data = self.ws.send(sws.TextMessage(data=str(data)))
    self.sock.sendall(out_data)


def patch_websocket_send() -> None:
    """Install `_send_whole` once (idempotent)."""
    if sws.Base.send is not _send_whole:
        sws.Base.send = _send_whole
