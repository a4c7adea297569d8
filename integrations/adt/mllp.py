"""MLLP framing (HL7 v2 Minimal Lower Layer Protocol, release 2): a message travels as
<VT> message <FS><CR>. ``Framer`` cuts frames out of a byte stream; bytes outside a frame are
dropped, and a start block inside an unfinished frame means that frame was truncated (dropped)."""

from __future__ import annotations

from dataclasses import dataclass, field

START = b"\x0b"
END = b"\x1c\x0d"


def frame(payload: bytes) -> bytes:
    return START + payload + END


class FrameTooLarge(Exception):
    pass


@dataclass
class Framer:
    max_bytes: int
    buffer: bytes = b""
    dropped: int = field(default=0)  # truncated frames and stray bytes seen

    def feed(self, data: bytes) -> list[bytes]:
        self.buffer += data
        frames: list[bytes] = []
        while True:
            start = self.buffer.find(START)
            if start < 0:
                self.dropped += bool(self.buffer.strip())
                self.buffer = b""
                return frames
            if start > 0:
                self.dropped += bool(self.buffer[:start].strip())
                self.buffer = self.buffer[start:]
            end = self.buffer.find(END, 1)
            restart = self.buffer.find(START, 1)
            if restart >= 0 and (end < 0 or restart < end):
                self.dropped += 1  # a new frame began before this one ended
                self.buffer = self.buffer[restart:]
                continue
            if end < 0:
                if len(self.buffer) > self.max_bytes:
                    raise FrameTooLarge
                return frames
            frames.append(self.buffer[1:end])
            self.buffer = self.buffer[end + len(END):]

    @property
    def pending(self) -> bool:
        return bool(self.buffer)
