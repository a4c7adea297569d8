"""ScoringInputError: the one error type of the scoring core."""

from __future__ import annotations

import pickle

import pytest

from scoring.calculators import ScoringInputError


def test_is_a_value_error_with_field_paths_and_a_readable_message() -> None:
    error = ScoringInputError({"patient.kps": ["must be a multiple of 10 between 0 and 100"]})
    assert isinstance(error, ValueError)
    assert error.errors == {"patient.kps": ["must be a multiple of 10 between 0 and 100"]}
    assert str(error) == "patient.kps: must be a multiple of 10 between 0 and 100"


def test_prefixed_nests_paths_under_a_parent() -> None:
    error = ScoringInputError({"kps": ["a"], "levels[0]": ["b"], "non_field_errors": ["c"]})
    assert error.prefixed("patient").errors == {"patient.kps": ["a"], "patient.levels[0]": ["b"],
                                                "patient": ["c"]}  # fmt: skip
    assert ScoringInputError({"[0]": ["x"]}).prefixed("lesions").errors == {"lesions[0]": ["x"]}


def test_survives_pickling_for_celery_tasks() -> None:
    error = ScoringInputError({"lesions[0].levels[0]": ["unknown level 'Co1'"]})
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 (our own bytes)
    assert copy.errors == error.errors
    assert str(copy) == str(error)
    with pytest.raises(ScoringInputError):
        raise copy
