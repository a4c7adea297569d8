"""The single error type of the scoring core.

CLINICAL.md (preamble): a calculator refuses to score when an input it needs is missing or out of
range, naming the field; it never counts a missing item as 0. The REST layer turns ``errors`` into a
400 body as it is, so every reason is a plain sentence and every key a field path such as
``lesions[0].levels[1]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class ScoringInputError(ValueError):
    """Inputs a calculator cannot score: ``errors`` maps each field path to its reasons."""

    errors: dict[str, list[str]]

    def __init__(self, errors: Mapping[str, Iterable[str]]) -> None:
        self.errors = {path: list(reasons) for path, reasons in errors.items()}
        super().__init__(
            "; ".join(f"{path}: {', '.join(reasons)}" for path, reasons in self.errors.items())
        )

    def __reduce__(self) -> tuple[type[ScoringInputError], tuple[dict[str, list[str]]]]:
        # Celery and multiprocessing pickle exceptions: rebuild from ``errors``, not the message.
        return (type(self), (self.errors,))

    @classmethod
    def single(cls, path: str, reason: str) -> ScoringInputError:
        return cls({path: [reason]})

    def prefixed(self, prefix: str) -> ScoringInputError:
        """The same errors under a parent path: ``kps`` becomes ``patient.kps``."""
        return ScoringInputError(
            {
                (prefix if path == "non_field_errors" else _join(prefix, path)): reasons
                for path, reasons in self.errors.items()
            }
        )


def _join(prefix: str, path: str) -> str:
    if not prefix:
        return path
    return prefix + path if path.startswith("[") else f"{prefix}.{path}"


class ErrorBag:
    """Collects every error of a request, to raise once: the API reports all, not the first."""

    __slots__ = ("errors",)

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, path: str, reason: str) -> None:
        reasons = self.errors.setdefault(path, [])
        if reason not in reasons:
            reasons.append(reason)

    def merge(self, error: ScoringInputError, prefix: str = "") -> None:
        for path, reasons in (
            error.prefixed(prefix).errors.items() if prefix else error.errors.items()
        ):
            for reason in reasons:
                self.add(path, reason)

    def has(self, path: str) -> bool:
        return path in self.errors

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ScoringInputError(self.errors)
