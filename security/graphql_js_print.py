"""An executable document printed exactly as graphql-js 16's ``print`` prints it.

Apollo Client, urql and Relay hash what graphql-js prints (APQ's ``sha256Hash``, Apollo's
manifest ids); graphql-core 3.3 prints as graphql-js 17 will, which differs in a few
places (``{ a: 1 }`` against graphql-js 16's ``{a: 1}``). So a trusted document is also known
by the hash of this form, and a client's hash finds it without any registration.

Hand-written because no Python library prints graphql-js 16's layout; the rules are those of
graphql-js 16's ``printer.ts`` for the definitions a client sends (operations and fragments),
and ``tests/clients`` compares the output with graphql-js's own on every contract document.
"""

from __future__ import annotations

# graphql-core's string printers: tests/test_library_internals.py
from collections.abc import Iterable

from graphql import (
    ArgumentNode,
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    EnumValueNode,
    FieldNode,
    FloatValueNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    ListTypeNode,
    ListValueNode,
    NamedTypeNode,
    NonNullTypeNode,
    NullValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    StringValueNode,
    TypeNode,
    ValueNode,
    VariableDefinitionNode,
    VariableNode,
)
from graphql.language.block_string import print_block_string
from graphql.language.print_string import print_string

MAX_LINE_LENGTH = 80


class UnprintableDocument(ValueError):
    """Raised for a definition a client never sends (type system definitions)."""


def print_graphql_js(document: DocumentNode) -> str:
    return "\n\n".join(_definition(definition) for definition in document.definitions)


def _join(parts: Iterable[str], separator: str = "") -> str:
    return separator.join(part for part in parts if part)


def _wrap(start: str, middle: str, end: str = "") -> str:
    return f"{start}{middle}{end}" if middle else ""


def _indent(text: str) -> str:
    return _wrap("  ", text.replace("\n", "\n  "))


def _block(lines: Iterable[str]) -> str:
    return _wrap("{\n", _indent(_join(lines, "\n")), "\n}")


def _definition(node: object) -> str:
    if isinstance(node, OperationDefinitionNode):
        variables = _wrap(
            "(", _join(map(_variable_definition, node.variable_definitions or ()), ", "), ")"
        )
        prefix = _join(
            [node.operation.value, _join([_name(node), variables]), _directives(node.directives)],
            " ",
        )
        selections = _selection_set(node.selection_set)
        return selections if prefix == OperationType.QUERY.value else f"{prefix} {selections}"
    if isinstance(node, FragmentDefinitionNode):
        variables = _wrap(
            "(", _join(map(_variable_definition, node.variable_definitions or ()), ", "), ")"
        )
        return (
            f"fragment {node.name.value}{variables} "
            f"on {node.type_condition.name.value} "
            f"{_wrap('', _directives(node.directives), ' ')}"
            f"{_selection_set(node.selection_set)}"
        )
    raise UnprintableDocument(type(node).__name__)


def _name(node: OperationDefinitionNode) -> str:
    return node.name.value if node.name else ""


def _variable_definition(node: VariableDefinitionNode) -> str:
    default = _wrap(" = ", _value(node.default_value) if node.default_value else "")
    return (
        f"${node.variable.name.value}: {_type(node.type)}{default}"
        f"{_wrap(' ', _directives(node.directives))}"
    )


def _selection_set(node: SelectionSetNode | None) -> str:
    if node is None:
        return ""
    return _block(_selection(selection) for selection in node.selections)


def _selection(node: object) -> str:
    if isinstance(node, FieldNode):
        prefix = _wrap("", node.alias.value if node.alias else "", ": ") + node.name.value
        arguments = [_argument(argument) for argument in node.arguments or ()]
        line = prefix + _wrap("(", _join(arguments, ", "), ")")
        if len(line) > MAX_LINE_LENGTH:
            line = prefix + _wrap("(\n", _indent(_join(arguments, "\n")), "\n)")
        return _join([line, _directives(node.directives), _selection_set(node.selection_set)], " ")
    if isinstance(node, FragmentSpreadNode):
        return f"...{node.name.value}{_wrap(' ', _directives(node.directives))}"
    if isinstance(node, InlineFragmentNode):
        condition = _wrap("on ", node.type_condition.name.value if node.type_condition else "")
        return _join(
            ["...", condition, _directives(node.directives), _selection_set(node.selection_set)],
            " ",
        )
    raise UnprintableDocument(type(node).__name__)


def _argument(node: ArgumentNode) -> str:
    return f"{node.name.value}: {_value(node.value)}"


def _directives(nodes: Iterable[DirectiveNode] | None) -> str:
    return _join((_directive(node) for node in nodes or ()), " ")


def _directive(node: DirectiveNode) -> str:
    arguments = _join(map(_argument, node.arguments or ()), ", ")
    return f"@{node.name.value}{_wrap('(', arguments, ')')}"


def _value(node: ValueNode) -> str:
    if isinstance(node, VariableNode):
        return f"${node.name.value}"
    if isinstance(node, IntValueNode | FloatValueNode | EnumValueNode):
        return node.value
    if isinstance(node, StringValueNode):
        return print_block_string(node.value) if node.block else print_string(node.value)
    if isinstance(node, BooleanValueNode):
        return "true" if node.value else "false"
    if isinstance(node, NullValueNode):
        return "null"
    if isinstance(node, ListValueNode):
        return f"[{_join(map(_value, node.values or ()), ', ')}]"
    if isinstance(node, ObjectValueNode):
        fields = (f"{field.name.value}: {_value(field.value)}" for field in node.fields or ())
        return f"{{{_join(fields, ', ')}}}"
    raise UnprintableDocument(type(node).__name__)


def _type(node: TypeNode) -> str:
    if isinstance(node, NamedTypeNode):
        return node.name.value
    if isinstance(node, ListTypeNode):
        return f"[{_type(node.type)}]"
    if isinstance(node, NonNullTypeNode):
        return f"{_type(node.type)}!"
    raise UnprintableDocument(type(node).__name__)
