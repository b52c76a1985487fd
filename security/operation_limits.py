"""Limits every operation must keep, checked before anything runs.

Depth, aliases (fragments included), tokens, directives and root fields. The rules are built
once when the schema is built: validation results are cached by rule identity, so rules made
per request would make every request a cache miss.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    DirectiveNode,
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    ValidationContext,
    ValidationRule,
)

# Strawberry's internal rule builders and error words: tests/test_library_internals.py
from strawberry.extensions.max_aliases import create_validator as alias_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator

from settings import Settings


@dataclass(frozen=True, slots=True)
class OperationLimits:
    """The limits of one operation; every value comes from ``settings.Settings``."""

    max_depth: int
    max_aliases: int
    max_tokens: int
    max_directives: int
    max_root_fields: int

    @classmethod
    def from_settings(cls, settings: Settings) -> OperationLimits:
        return cls(
            max_depth=settings.max_depth,
            max_aliases=settings.max_aliases,
            max_tokens=settings.max_tokens,
            max_directives=settings.max_directives,
            max_root_fields=settings.max_root_fields,
        )


def directive_limit_rule(limit: int) -> type[ValidationRule]:
    class MaxDirectivesRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.count = 0

        def enter_directive(self, node: DirectiveNode, *_: object) -> None:
            self.count += 1
            if self.count == limit + 1:
                self.report_error(GraphQLError(
                    f"More than {limit} directives.", node,
                    extensions={"code": "MAX_DIRECTIVES_EXCEEDED"},
                ))  # fmt: skip

    return MaxDirectivesRule


def root_field_limit_rule(limit: int) -> type[ValidationRule]:
    class MaxRootFieldsRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: object) -> None:
            fields = [s for s in node.selection_set.selections if isinstance(s, FieldNode)]
            if len(fields) > limit:
                self.report_error(GraphQLError(
                    f"More than {limit} root fields.", node,
                    extensions={"code": "MAX_ROOT_FIELDS_EXCEEDED"},
                ))  # fmt: skip

    return MaxRootFieldsRule


def build_limit_rules(limits: OperationLimits) -> tuple[type[ValidationRule], ...]:
    return (
        depth_validator(limits.max_depth, None, None),
        alias_validator(limits.max_aliases),
        directive_limit_rule(limits.max_directives),
        root_field_limit_rule(limits.max_root_fields),
    )


def limit_error_code(message: str) -> str | None:
    """The code of a limit error raised by Strawberry's or graphql-core's own rules."""
    if "exceeds maximum operation depth" in message:
        return "MAX_DEPTH_EXCEEDED"
    if "aliases found. Allowed" in message:
        return "MAX_ALIASES_EXCEEDED"
    if "tokens. Parsing aborted" in message:
        return "MAX_TOKENS_EXCEEDED"
    return None
