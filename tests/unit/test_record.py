"""`quick_init`: a frozen record built faster, and otherwise exactly what dataclasses builds."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pytest

from checker.record import quick_init


@dataclass(frozen=True, slots=True)
class Plain:
    name: str
    tags: tuple[str, ...] = ()
    size: int | None = None


@quick_init
@dataclass(frozen=True, slots=True)
class Quick:
    name: str
    tags: tuple[str, ...] = ()
    size: int | None = None


@quick_init
@dataclass(frozen=True, slots=True)
class Derived:
    first: str
    last: str
    full: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "full", f"{self.first} {self.last}")


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [(("a",), {}), (("a", ("x",)), {}), (("a",), {"size": 3}), ((), {"name": "a", "tags": ()})],
)
def test_a_quick_record_is_built_as_the_dataclass_builds_it(
    args: tuple[object, ...], kwargs: dict[str, object]
) -> None:
    plain, quick = Plain(*args, **kwargs), Quick(*args, **kwargs)  # type: ignore[arg-type]
    assert dataclasses.astuple(quick) == dataclasses.astuple(plain)
    assert repr(quick) == repr(plain).replace("Plain", "Quick")
    assert quick == Quick(*args, **kwargs)  # type: ignore[arg-type]
    assert hash(quick) == hash(Quick(*args, **kwargs))  # type: ignore[arg-type]


def test_a_quick_record_stays_frozen_and_replaceable() -> None:
    quick = Quick("a", ("x",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        quick.name = "b"  # type: ignore[misc]
    assert dataclasses.replace(quick, size=2) == Quick("a", ("x",), 2)
    assert "_set_0" not in Plain.__init__.__globals__  # the check below can tell them apart


def test_wrong_arguments_fail_as_they_would() -> None:
    with pytest.raises(TypeError):
        Quick()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Quick("a", nope=1)  # type: ignore[call-arg]


def test_post_init_runs_and_sets_the_derived_fields() -> None:
    assert Derived("Ada", "Lovelace").full == "Ada Lovelace"
    assert Derived("Ada", "Lovelace") == Derived("Ada", "Lovelace")


def test_what_it_cannot_build_faithfully_is_refused_when_decorated() -> None:
    @dataclass(frozen=True, slots=True)
    class Factory:
        items: list[str] = field(default_factory=list)

    @dataclass(slots=True)
    class Mutable:
        name: str

    @dataclass(frozen=True)
    class NoSlots:
        name: str

    for cls in (Factory, Mutable, NoSlots):
        with pytest.raises(TypeError):
            quick_init(cls)


def test_the_hot_records_use_it() -> None:
    """The records an organization-sized evaluation makes by the hundred thousand."""
    from checker.analysis.records import Assessment, RequiredFunction, WarmSource
    from checker.domain.permissions import Statement, Verdict
    from checker.engine import CoverageEntry
    from checker.model.findings import Finding

    for cls in (
        Assessment,
        RequiredFunction,
        WarmSource,
        Statement,
        Verdict,
        CoverageEntry,
        Finding,
    ):
        assert "_set_0" in cls.__init__.__globals__, cls  # the setters quick_init binds
