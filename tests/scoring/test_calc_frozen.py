import dataclasses
import pickle

import pytest

from scoring.calculators.frozen import fast_init


@fast_init
@dataclasses.dataclass(frozen=True, slots=True)
class Point:
    x: int
    y: int = 2
    tags: list[str] = dataclasses.field(default_factory=list)


def test_fast_init_keeps_the_dataclass_signature_defaults_and_factories() -> None:
    assert Point(1) == Point(x=1, y=2, tags=[])
    assert Point(1, 3, ["a"]) == Point(x=1, y=3, tags=["a"])
    assert Point(1).tags is not Point(1).tags
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]


def test_fast_init_keeps_the_class_frozen_comparable_and_picklable() -> None:
    point = Point(1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 5  # type: ignore[misc]
    assert dataclasses.replace(point, y=7) == Point(1, 7)
    assert pickle.loads(pickle.dumps(point)) == point  # noqa: S301 (our own bytes)
    assert repr(point) == "Point(x=1, y=2, tags=[])"


def test_fast_init_refuses_a_class_without_slots() -> None:
    with pytest.raises(TypeError):
        fast_init(dataclasses.dataclass(frozen=True)(type("Plain", (), {"__annotations__": {}})))
