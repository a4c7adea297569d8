"""A cheaper ``__init__`` for the frozen result dataclasses built on every ``evaluate()``.

``@dataclass(frozen=True)`` writes each field in ``__init__`` with ``object.__setattr__``: about
90 ns a field, and a case builds some 90 fields of results (a sixth of ``evaluate()``'s time).
``fast_init`` gives a ``@dataclass(frozen=True, slots=True)`` class an ``__init__`` with the same
signature that writes each slot through its member descriptor, which is where
``object.__setattr__`` ends up, without the lookup on the way. Everything else (frozen
``__setattr__``, ``__eq__``, ``__hash__``, ``__repr__``, ``replace``, pickling) is the
dataclass's own.
"""

from __future__ import annotations

from dataclasses import MISSING, fields, is_dataclass
from types import FunctionType
from typing import TypeVar, cast

T = TypeVar("T")

_NO_VALUE = object()  # a default_factory field left out: call the factory


def fast_init(cls: type[T]) -> type[T]:
    """Replace the ``__init__`` of a frozen, slotted dataclass (stack it above ``@dataclass``)."""
    if not is_dataclass(cls) or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__}: expected @dataclass(frozen=True, slots=True)")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: __post_init__ is not supported")
    namespace: dict[str, object] = {"_NO_VALUE": _NO_VALUE}
    params, body = [], []
    for field in fields(cls):
        name = field.name
        if not field.init or field.kw_only is True:
            raise TypeError(f"{cls.__name__}.{name}: init=False and kw_only are not supported")
        namespace[f"_set_{name}"] = cls.__dict__[name].__set__
        if field.default is not MISSING:
            namespace[f"_default_{name}"] = field.default
            params.append(f"{name}=_default_{name}")
        elif field.default_factory is not MISSING:
            namespace[f"_factory_{name}"] = field.default_factory
            params.append(f"{name}=_NO_VALUE")
            body.append(f" if {name} is _NO_VALUE: {name} = _factory_{name}()")
        else:
            params.append(name)
        body.append(f" _set_{name}(self, {name})")
    source = f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body or [" pass"])
    exec(source, namespace)  # noqa: S102  (our own field names only, as dataclasses does)
    init = cast(FunctionType, namespace["__init__"])
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init  # type: ignore[method-assign]
    return cls
