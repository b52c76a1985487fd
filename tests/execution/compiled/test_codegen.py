"""The generated functions of a plan against graphql-core, on values off their fast cases.

The contract's documents and the demo data rarely hold a wrong type, a failing attribute or
a null where the schema says non-null; here a small schema holds all of them, and each
query must give the same data and the same errors (message, path) on both paths.
"""

from __future__ import annotations

from enum import Enum
from types import SimpleNamespace
from typing import Any

import pytest
import strawberry
from graphql import parse

from execution.compiled.codegen import generate_plan_functions
from execution.compiled.compiler import NO_VARIABLES, PlanCompiler
from execution.compiled.runner import CompiledRun


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Inner:
    text: str


@strawberry.type
class Thing:
    name: str
    label: str
    colour: Colour
    maybe_colour: Colour | None
    inner: Inner
    maybe: Inner | None
    items: list[Inner]

    @strawberry.field
    def greeting(self, name: str = "you") -> str:
        return f"hello {name}"

    @strawberry.field
    async def later(self) -> Inner:
        return Inner(text=f"later {self.name}")

    @strawberry.field
    def failing(self) -> str | None:
        raise ValueError("the resolver failed")


def good_thing(name: str) -> Thing:
    return Thing(
        name=name, label=name.upper(), colour=Colour.RED, maybe_colour=None,
        inner=Inner(text="in"), maybe=None, items=[Inner(text="a"), Inner(text="b")],
    )  # fmt: skip


def odd_things() -> list[Any]:
    """Values a fast case was not generated for, each in a thing of its own."""
    return [
        good_thing("plain"),
        SimpleNamespace(**{**good_thing("int label").__dict__, "label": 7}),  # coerced to "7"
        SimpleNamespace(**{**good_thing("bad enum").__dict__, "colour": "purple"}),
        SimpleNamespace(**{**good_thing("null inner").__dict__, "inner": None}),
        SimpleNamespace(**{**good_thing("error value").__dict__, "inner": ValueError("held")}),
        SimpleNamespace(
            **{k: v for k, v in good_thing("no label").__dict__.items() if k != "label"}
        ),
        SimpleNamespace(**{**good_thing("null item").__dict__, "items": [Inner(text="a"), None]}),
        SimpleNamespace(**{**good_thing("string enum").__dict__, "maybe_colour": "blue"}),
        None,
    ]


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing | None]:
        return odd_things()  # type: ignore[return-value]


SCHEMA = strawberry.Schema(query=Query)
QUERY = """
query Things {
  things {
    __typename name label colour maybeColour
    inner { text } maybe { text } items { text }
    greeting(name: "Sara") later { text } failing
  }
}
"""


def errors_of(errors: list[Any] | None) -> list[tuple[str, list[Any] | None]]:
    return [(error.message, error.path) for error in errors or ()]


async def test_values_off_the_fast_cases_answer_as_graphql_core_does() -> None:
    document = parse(QUERY)
    plan = PlanCompiler(SCHEMA, document).compile(document.definitions[0])  # type: ignore[arg-type]
    generate_plan_functions(plan, SCHEMA)

    compiled = await CompiledRun(
        plan, SCHEMA, context=None, variable_values=NO_VARIABLES, operation_extensions=None
    ).run()
    standard = await SCHEMA.execute(QUERY)

    assert compiled.data == standard.data
    assert errors_of(compiled.errors) == errors_of(standard.errors)
    # The cases did happen: each odd thing's error is there, and the plain one is whole.
    assert len(standard.errors or ()) >= 7
    assert standard.data is not None and standard.data["things"][0]["label"] == "PLAIN"
    assert standard.data["things"][1]["label"] == "7"


@pytest.mark.parametrize("value", [None, 0, "text", Colour.RED])
def test_only_values_that_complete_as_they_are_are_remembered_by_type(value: Any) -> None:
    from execution.compiled.codegen import _PLAIN_TYPES, _is_plain

    assert _is_plain(value) is (value is not None)
    assert (type(value) in _PLAIN_TYPES) is (value is not None)
    assert not _is_plain(ValueError("x")) and ValueError not in _PLAIN_TYPES
