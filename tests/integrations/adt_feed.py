"""A test interface engine: ADT messages as a hospital sends them, and an MLLP client."""

from __future__ import annotations

import socket

START, END = b"\x0b", b"\x1c\x0d"


def adt(event: str, control_id: str, *, mrn: str, authority: str = "TEST-HOSPITAL",
        family: str = "Doe", given: str = "Jane", birth: str = "19700102", sex: str = "F",
        prior: str | None = None, version: str = "2.5", kind: str = "ADT") -> str:
    segments = [
        f"MSH|^~\\&|EPIC|HOSP|TUMORBOARD|TB|20261205010101||{kind}^{event}^{kind}_{event}|"
        f"{control_id}|P|{version}",
        f"EVN|{event}|20261205010101",
        f"PID|1||{mrn}^^^{authority}^MR~123-45-6789^^^SSA^SS||{family}^{given}||{birth}|{sex}",
    ]
    if prior is not None:
        segments.append(f"MRG|{prior}^^^{authority}^MR")
    return "\r".join(segments) + "\r"


def fields(ack: str) -> dict[str, list[str]]:
    """Segment name -> its fields (MSH-1 not counted, as the ACK reader needs MSA and ERR)."""
    return {line.split("|")[0]: line.split("|") for line in ack.split("\r") if line}


class Mllp:
    def __init__(self, port: int, timeout: float = 10) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def receive(self) -> str:
        while END not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed before an ACK")
            self.buffer += chunk
        frame, _, self.buffer = self.buffer.partition(END)
        assert frame.startswith(START)
        return frame[1:].decode()

    def send(self, message: str) -> str:
        self.send_raw(START + message.encode() + END)
        return self.receive()

    def close(self) -> None:
        self.sock.close()
