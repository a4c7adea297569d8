"""The seams of DESIGN.md's layers: every upward effect is a hook a higher app registers or a
signal it receives, and each is connected, in this process and in production's (DEBUG off,
a bare ``django.setup()`` and a garbage collection, where a lost weak receiver would show)."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from cases import selectors as case_selectors
from cases import signals as case_signals
from cases.models import Case
from meetings import signals as meeting_signals
from meetings.models import Meeting
from referrals import signals as referral_signals
from referrals.models import Referral
from tests.deploy.test_production_settings import production_env
from tumorboard import health

#: Written out by hand: what each higher app must have registered below it.
EXPECTED_STATUS_PARTS = {"referrals": "referrals.selectors.fill_case_status",
                         "meetings": "meetings.selectors.fill_case_status",
                         "followthrough": "followthrough.selectors.fill_case_status"}
EXPECTED_FINDINGS_RECEIVERS = {"referrals.triggers.on_findings_changed"}
EXPECTED_SHOWN_CHECKS = {"rate_limiter": "integrations.throttling.store_report"}
EXPECTED_REFERRAL_RECEIVERS = {"integrations.receivers.referral_status_webhook"}
EXPECTED_FINALIZE_RECEIVERS = {"integrations.receivers._decisions_finalized",
                               "followthrough.receivers.tasks_for_finalized_meeting"}


def _name(function: object) -> str:
    return f"{function.__module__}.{function.__qualname__}"  # type: ignore[attr-defined]


def _live(signal: object, sender: object) -> set[str]:
    found = signal._live_receivers(sender)  # type: ignore[attr-defined]
    receivers = found[0] if isinstance(found, tuple) else found
    return {_name(receiver) for receiver in receivers}


def test_each_upward_hook_is_registered_in_this_process() -> None:
    gc.collect()
    assert {name: _name(part) for name, part in case_selectors.case_status_parts().items()} \
        == EXPECTED_STATUS_PARTS
    assert _live(case_signals.findings_changed, Case) == EXPECTED_FINDINGS_RECEIVERS
    assert {name: _name(check) for name, check in health.shown_checks().items()} \
        == EXPECTED_SHOWN_CHECKS
    assert _live(referral_signals.referral_status_changed, Referral) \
        == EXPECTED_REFERRAL_RECEIVERS
    assert _live(meeting_signals.decisions_finalized, Meeting) == EXPECTED_FINALIZE_RECEIVERS


def test_each_upward_hook_is_registered_in_production(tmp_path: Path) -> None:
    code = (
        "import django, gc, json; django.setup(); gc.collect()\n"
        "from cases import selectors, signals\n"
        "from cases.models import Case\n"
        "from meetings import signals as ms\n"
        "from meetings.models import Meeting\n"
        "from referrals import signals as rs\n"
        "from referrals.models import Referral\n"
        "from tumorboard import health\n"
        "name = lambda f: f.__module__ + '.' + f.__qualname__\n"
        "def live(signal, sender):\n"
        "    r = signal._live_receivers(sender)\n"
        "    return sorted(name(f) for f in (r[0] if isinstance(r, tuple) else r))\n"
        "print(json.dumps({'parts': {k: name(v) for k, v in selectors.case_status_parts().items()},"
        " 'findings': live(signals.findings_changed, Case),"
        " 'referral': live(rs.referral_status_changed, Referral),"
        " 'finalize': live(ms.decisions_finalized, Meeting),"
        " 'checks': {k: name(v) for k, v in health.shown_checks().items()}}))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR,
                            env=production_env(tmp_path), capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    live = json.loads(result.stdout.strip().splitlines()[-1])
    assert live == {"parts": EXPECTED_STATUS_PARTS,
                    "findings": sorted(EXPECTED_FINDINGS_RECEIVERS),
                    "referral": sorted(EXPECTED_REFERRAL_RECEIVERS),
                    "finalize": sorted(EXPECTED_FINALIZE_RECEIVERS),
                    "checks": EXPECTED_SHOWN_CHECKS}


def test_a_lesion_raises_its_referral_through_the_signal_alone(breast_surgeon, teams) -> None:
    """The receiver is the only path from a saved lesion to a referral, and the registered part
    the only way the case status shows it: without them, no referral and none shown (so the
    registration tests above guard something real)."""
    from referrals import triggers
    from tests.factories import add_lesion, create_case

    case = create_case(actor=breast_surgeon, **teams)
    add_lesion(case, actor=breast_surgeon, levels=["T7"])
    shown = case_selectors.case_status(case=case).open_referrals
    assert [row["direction"] for row in shown] == ["breast_to_neuro"]

    other = create_case(actor=breast_surgeon, **teams)
    assert case_signals.findings_changed.disconnect(dispatch_uid="referrals-triggers")
    try:
        add_lesion(other, actor=breast_surgeon, levels=["T7"])
    finally:
        case_signals.findings_changed.connect(triggers.on_findings_changed,
                                              dispatch_uid="referrals-triggers")
    assert other.referrals.count() == 0
    parts = case_selectors.case_status_parts()
    case_selectors._STATUS_PARTS.pop("referrals")
    try:
        assert case_selectors.case_status(case=case).open_referrals == []
    finally:
        case_selectors._STATUS_PARTS.clear()
        case_selectors._STATUS_PARTS.update(parts)
