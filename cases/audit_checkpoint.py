"""Checkpoints of the audit chain's head, kept outside the database.

The keyed chain (``cases.models.audit``) proves every row up to the last one, but not that the
last one is the last one: someone with SQL access can delete the newest rows together with the
``AuditChain`` head and the chain left behind is intact. So beat writes the head (sequence number
and MAC) every ``AUDIT_CHECKPOINT_SECONDS`` to two places the database does not control: the log
(one JSON line, ``audit checkpoint``, for the log collector) and ``AUDIT_CHECKPOINT_FILE`` under
the var directory. ``verify_audit`` compares the chain with the latest checkpoint: a chain that
ends before the checkpoint's row, or whose row there has another MAC, was cut or rewritten.

A checkpoint is signed with the chain's key, so a file edited by hand is refused too. It never
moves backwards over a break: when the chain no longer matches the previous checkpoint, the job
logs an error and leaves the file as it is (the evidence). What it cannot see is rows removed
within one interval of being written, before any checkpoint covered them.

Where web and workers run on different hosts, verify on the host whose var directory the worker
writes, or pass the checkpoint to ``verify_audit --checkpoint`` (the log line holds the same
fields).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .models import AuditEvent
from .models.audit import GENESIS_HASH, audit_key, chain_pending

logger = logging.getLogger(__name__)


class CheckpointInvalid(Exception):
    """The checkpoint file cannot be read, or its signature does not fit (edited, or made under
    another key)."""


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    mac: str
    at: str  # ISO 8601, UTC
    sig: str

    @staticmethod
    def signature(seq: int, mac: str, at: str) -> str:
        message = f"tumorboard.audit-checkpoint.v1|{seq}|{mac}|{at}".encode()
        return hmac.new(audit_key(), message, hashlib.sha256).hexdigest()

    @classmethod
    def make(cls, seq: int, mac: str) -> Checkpoint:
        at = timezone.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return cls(seq=seq, mac=mac, at=at, sig=cls.signature(seq, mac, at))


def checkpoint_path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_FILE)


def checkpoint_read(path: Path | None = None) -> Checkpoint | None:
    """The checkpoint stored at ``path`` (default ``AUDIT_CHECKPOINT_FILE``); ``None`` when none
    was written yet. Raises ``CheckpointInvalid`` for a file that is not one of ours."""
    path = path or checkpoint_path()
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CheckpointInvalid(f"audit checkpoint {path}: {exc.strerror}") from None
    try:
        data = json.loads(text)
        # The file's own keys, or a log line's (audit_seq, audit_mac...) saved as a file.
        field = {name: data[name] if name in data else data[f"audit_{name}"]
                 for name in ("seq", "mac", "at", "sig")}
        checkpoint = Checkpoint(seq=int(field["seq"]), mac=str(field["mac"]),
                                at=str(field["at"]), sig=str(field["sig"]))
    except (ValueError, KeyError, TypeError):
        raise CheckpointInvalid(f"audit checkpoint {path}: not a checkpoint") from None
    expected = Checkpoint.signature(checkpoint.seq, checkpoint.mac, checkpoint.at)
    if not hmac.compare_digest(expected, checkpoint.sig):
        raise CheckpointInvalid(f"audit checkpoint {path}: its signature does not fit (edited, "
                                "or made under another AUDIT_HMAC_KEY)")
    return checkpoint


def chain_head() -> tuple[int, str]:
    """Sequence number and MAC of the last committed audit row (0 and the genesis value for an
    empty trail). Rows commit in ``seq`` order: the head's lock is held until commit."""
    last = (AuditEvent.objects.exclude(seq=None).order_by("-seq")
            .values_list("seq", "hash").first())
    if last is None or last[0] is None:
        return 0, GENESIS_HASH
    return last[0], last[1]


def checkpoint_mismatch(checkpoint: Checkpoint) -> str | None:
    """What is wrong with the chain as seen from ``checkpoint``; ``None`` when it fits."""
    if checkpoint.seq == 0:
        return None
    mac = AuditEvent.objects.filter(seq=checkpoint.seq).values_list("hash", flat=True).first()
    return mismatch_text(checkpoint, mac)


def mismatch_text(checkpoint: Checkpoint, mac: str | None) -> str | None:
    if mac is None:
        return (f"the chain has no row seq {checkpoint.seq}, which the checkpoint of "
                f"{checkpoint.at} saw: rows were removed from the end")
    if not hmac.compare_digest(mac, checkpoint.mac):
        return (f"audit row seq {checkpoint.seq} differs from the checkpoint of "
                f"{checkpoint.at}: the chain was rewritten")
    return None


def audit_checkpoint_write(*, path: Path | None = None) -> Checkpoint | None:
    """Write the chain's head to the log and to ``path`` (default ``AUDIT_CHECKPOINT_FILE``).

    Returns the new checkpoint, or ``None`` when the chain no longer fits the previous one (or
    that one is unreadable): then an error is logged and the file is kept as evidence.
    """
    path = path or checkpoint_path()
    try:
        previous = checkpoint_read(path)
        problem = checkpoint_mismatch(previous) if previous is not None else None
    except CheckpointInvalid as exc:
        problem = str(exc)
    if problem is not None:
        logger.error("audit checkpoint not written: %s", problem,
                     extra={"audit_checkpoint_file": str(path)})
        return None
    chain_pending()  # the reads written since the last run are covered by this checkpoint
    seq, mac = chain_head()
    checkpoint = Checkpoint.make(seq, mac)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A name of its own per write: two workers checkpointing at once (a redelivered task, two
    # beats) each replace the file whole, never write into each other's partial file.
    partial = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.partial")
    with partial.open("w") as handle:
        json.dump(asdict(checkpoint), handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)  # atomic: a reader sees the old checkpoint or the new one
    logger.info("audit checkpoint", extra={"audit_seq": checkpoint.seq,
                                           "audit_mac": checkpoint.mac,
                                           "audit_at": checkpoint.at,
                                           "audit_sig": checkpoint.sig})
    return checkpoint
