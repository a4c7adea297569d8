"""The ADT listener: MLLP over TCP, a thread per connection, one ACK per frame.

Run by ``manage.py adt_listener`` (its own process: ``runstack``, deploy/systemd, compose).
A connection that sits mid-frame for ``ADT_READ_TIMEOUT`` seconds, or closes mid-frame, loses
that frame (a truncated frame is never applied: nothing changes). Log lines: addresses, control
ids, codes; never message content.
"""

from __future__ import annotations

import logging
import socket
import socketserver
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection

from .messages import ack
from .mllp import Framer, FrameTooLarge, frame
from .services import adt_process

logger = logging.getLogger(__name__)


def _decode(payload: bytes) -> str:
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return payload.decode("latin-1")  # HL7 v2's default character set is ASCII/8859-1


def answer(payload: bytes) -> bytes:
    """The ACK bytes for one frame's payload; never raises."""
    try:
        outcome = adt_process(_decode(payload))
        reply = outcome.ack
    except Exception as error:
        logger.error("adt frame failed: %s", type(error).__name__)
        reply = ack("AE", text="application internal error", location="MSH-10")
    return reply.encode("utf-8")


class MllpHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(settings.ADT_READ_TIMEOUT)
        framer = Framer(max_bytes=settings.ADT_MAX_FRAME_BYTES)
        close_old_connections()
        try:
            while True:
                try:
                    data = sock.recv(65536)
                except TimeoutError:
                    if framer.pending:
                        logger.warning("adt connection from %s: truncated frame dropped "
                                       "(timeout)", self.client_address[0])
                    return
                if not data:
                    if framer.pending:
                        logger.warning("adt connection from %s closed mid-frame: truncated "
                                       "frame dropped", self.client_address[0])
                    return
                try:
                    frames = framer.feed(data)
                except FrameTooLarge:
                    logger.warning("adt connection from %s: frame over %s bytes, closed",
                                   self.client_address[0], settings.ADT_MAX_FRAME_BYTES)
                    return
                for payload in frames:
                    sock.sendall(frame(answer(payload)))
        except OSError as error:
            logger.info("adt connection from %s ended: %s", self.client_address[0],
                        type(error).__name__)
        finally:
            connection.close()


class MllpServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, address: tuple[str, int], **kwargs: Any) -> None:
        super().__init__(address, MllpHandler, **kwargs)


def make_server(host: str | None = None, port: int | None = None) -> MllpServer:
    return MllpServer((host or settings.ADT_LISTEN_HOST,
                       settings.ADT_LISTEN_PORT if port is None else port))
