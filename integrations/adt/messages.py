"""Reading an ADT message and writing its ACK (HL7 v2.5 chapter 2 and 3).

The ``hl7`` library (PyPI) parses; this module checks what the service needs and names the
segment and field of the first problem. AR (reject) is for a message the service does not take at
all (not HL7, no MSH-10, not ADT A01/A04/A08/A40, not version 2); AE (error) for an ADT message
whose content cannot be applied (a required field missing or malformed, an unknown assigning
authority, a merge of an unknown patient). Reasons name fields, never values: ACK text can end up
in an interface engine's log.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

import hl7
from django.utils import timezone

EVENTS: Final = ("A01", "A04", "A08", "A40")
#: PID-8 administrative sex (HL7 table 0001) to the patient's sex.
SEX: Final = {"F": "female", "M": "male", "O": "other", "A": "other", "N": "other",
              "U": "unknown"}
APPLICATION: Final = "TUMORBOARD"


class AdtProblem(Exception):
    """A message refused: ``code`` AR or AE, ``location`` "SEG-n[.c]", ``reason`` words."""

    def __init__(self, code: str, location: str, reason: str) -> None:
        super().__init__(f"{location}: {reason}")
        self.code, self.location, self.reason = code, location, reason
        self.message: Any = None  # the parsed message, when it parsed (for the ACK's MSH)
        self.control_id = ""


@dataclass(frozen=True)
class PersonId:
    mrn: str
    authority: str


@dataclass(frozen=True)
class Demographics:
    family_name: str
    given_name: str
    birth_date: date
    sex: str


@dataclass(frozen=True)
class AdtMessage:
    message: Any  # the hl7.Message, for the ACK
    sending_application: str
    control_id: str
    event: str
    person: PersonId
    demographics: Demographics | None
    prior: PersonId | None = None  # A40: MRG-1
    extra: dict[str, str] = field(default_factory=dict)


def _get(message: Any, path: str) -> str:
    try:
        return str(message[path]).strip()
    except (IndexError, KeyError, AttributeError, TypeError):
        return ""


def _has_segment(message: Any, name: str) -> bool:
    try:
        message.segment(name)
    except KeyError:
        return False
    return True


def _person(message: Any, segment: str, number: int, default_authority: str = "") -> PersonId:
    """The identifier of PID-3 (or MRG-1): the repetition typed MR, else the first."""
    location = f"{segment}-{number}"
    try:
        repetitions = message.segment(segment)[number]
    except (KeyError, IndexError):
        raise AdtProblem("AE", location, "patient identifier list missing") from None
    count = len(repetitions) if isinstance(repetitions, hl7.Field) else 1
    chosen = 1
    for index in range(1, count + 1):
        if _get(message, f"{segment}.F{number}.R{index}.C5").upper() == "MR":
            chosen = index
            break
    mrn = _get(message, f"{segment}.F{number}.R{chosen}.C1")
    if not mrn:
        raise AdtProblem("AE", f"{location}.1", "identifier (MRN) missing")
    if len(mrn) > 40:
        raise AdtProblem("AE", f"{location}.1", "identifier longer than 40 characters")
    authority = _get(message, f"{segment}.F{number}.R{chosen}.C4.S1") or _get(
        message, f"{segment}.F{number}.R{chosen}.C4") or default_authority
    if not authority:
        raise AdtProblem("AE", f"{location}.4", "assigning authority missing")
    return PersonId(mrn=mrn, authority=authority)


def _demographics(message: Any) -> Demographics:
    family = _get(message, "PID.F5.R1.C1.S1") or _get(message, "PID.F5.R1.C1")
    given = _get(message, "PID.F5.R1.C2")
    if not family:
        raise AdtProblem("AE", "PID-5.1", "family name missing")
    if not given:
        raise AdtProblem("AE", "PID-5.2", "given name missing")
    if len(family) > 120 or len(given) > 120:
        raise AdtProblem("AE", "PID-5", "name longer than 120 characters")
    raw_birth = _get(message, "PID.F7.R1.C1") or _get(message, "PID.F7")
    try:
        birth = date(int(raw_birth[0:4]), int(raw_birth[4:6]), int(raw_birth[6:8]))
    except ValueError:
        raise AdtProblem("AE", "PID-7", "birth date missing or not YYYYMMDD") from None
    if len(raw_birth) < 8 or not raw_birth[:8].isdigit():
        raise AdtProblem("AE", "PID-7", "birth date missing or not YYYYMMDD")
    if birth > timezone.localdate():
        raise AdtProblem("AE", "PID-7", "birth date in the future")
    sex = SEX.get(_get(message, "PID.F8").upper())
    if sex is None:
        raise AdtProblem("AE", "PID-8", "administrative sex missing or not in table 0001")
    return Demographics(family_name=family, given_name=given, birth_date=birth, sex=sex)


def parse(text: str) -> AdtMessage:
    """The ADT message in ``text`` (segments separated by CR); ``AdtProblem`` otherwise."""
    text = text.replace("\r\n", "\r").replace("\n", "\r").strip("\r")
    if not text.startswith("MSH"):
        raise AdtProblem("AR", "MSH", "not an HL7 v2 message: MSH segment missing")
    try:
        message = hl7.parse(text)
    except (hl7.ParseException, ValueError, IndexError) as error:
        raise AdtProblem("AR", "MSH", f"not parsable as HL7 v2 ({type(error).__name__})") from None
    try:
        return _read(message)
    except AdtProblem as problem:
        problem.message, problem.control_id = message, _get(message, "MSH.F10")[:199]
        raise


def _read(message: Any) -> AdtMessage:
    control_id = _get(message, "MSH.F10")
    if not control_id:
        raise AdtProblem("AR", "MSH-10", "message control id missing")
    if len(control_id) > 199:
        raise AdtProblem("AR", "MSH-10", "message control id longer than 199 characters")
    if not _get(message, "MSH.F12.R1.C1").startswith("2."):
        raise AdtProblem("AR", "MSH-12", "version must be HL7 v2.x")
    kind, event = _get(message, "MSH.F9.R1.C1"), _get(message, "MSH.F9.R1.C2")
    if kind != "ADT" or event not in EVENTS:
        raise AdtProblem("AR", "MSH-9", "message type must be ADT^A01, A04, A08 or A40")
    if not _has_segment(message, "PID"):
        raise AdtProblem("AE", "PID", "segment missing")
    person = _person(message, "PID", 3)
    prior = None
    if event == "A40":
        if not _has_segment(message, "MRG"):
            raise AdtProblem("AE", "MRG", "segment missing (A40 needs the prior identifier)")
        prior = _person(message, "MRG", 1, default_authority=person.authority)
    return AdtMessage(
        message=message, sending_application=_get(message, "MSH.F3.R1.C1")[:180],
        control_id=control_id, event=event, person=person, demographics=_demographics(message),
        prior=prior)


def _escape(text: str) -> str:
    return (text.replace("\\", "\\E\\").replace("|", "\\F\\").replace("^", "\\S\\")
            .replace("&", "\\T\\").replace("~", "\\R\\"))


def _stamp() -> str:
    return timezone.now().strftime("%Y%m%d%H%M%S")


def ack(code: str, *, message: Any = None, control_id: str = "", text: str = "",
        location: str = "") -> str:
    """The ACK (MSH + MSA [+ ERR]) for ``code`` AA, AE or AR, segments separated by CR."""
    ack_id = uuid.uuid4().hex[:20]
    if message is not None:
        head = str(message.create_ack(code, message_id=ack_id, application=APPLICATION,
                                      facility=APPLICATION)).split("\r")[0]
    else:
        head = (f"MSH|^~\\&|{APPLICATION}|{APPLICATION}|||{_stamp()}||ACK|{ack_id}|P|2.5")
    segments = [head, f"MSA|{code}|{_escape(control_id)}|{_escape(text)[:80]}"]
    if location and code != "AA":
        segment, _, rest = location.partition("-")
        position, _, component = rest.partition(".")
        where = f"{segment}^1^{position}" + (f"^1^{component}" if component else "")
        error = "207^Application internal error^HL70357" if code == "AE" else \
            "200^Unsupported message type^HL70357"
        if code == "AE" and "missing" in text:
            error = "101^Required field missing^HL70357"
        segments.append(f"ERR||{where}|{error}|E||||{_escape(text)[:250]}")
    return "\r".join(segments) + "\r"
