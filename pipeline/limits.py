"""Step 4, limits: what a document may be, before anything about the caller is looked up.

Depth, aliases, directives and root fields are measured once per operation of a parsed
document, in time linear in its size (``security.operation_limits``: every fragment is
measured once, however often it is spread), and checked against the limits; then the
document is validated against the schema (graphql-core's rules). Both verdicts are kept on
the parsed document, so a document sent again costs a dictionary lookup.
"""

from __future__ import annotations

from graphql import GraphQLError, GraphQLSchema, OperationDefinitionNode, validate

from pipeline.documents import DocumentErrors, ParsedDocument
from security.operation_limits import OperationLimits, limit_errors, measure_operation


class LimitsStep:
    def __init__(self, schema: GraphQLSchema, limits: OperationLimits) -> None:
        self.schema = schema
        self.limits = limits

    def check(self, parsed: ParsedDocument, operation: OperationDefinitionNode) -> None:
        """``DocumentErrors`` when the operation passes a limit or the document is invalid."""
        key = f"limits:{operation.name.value if operation.name else ''}"
        errors: list[GraphQLError] | None = parsed.analysis.get(key)
        if errors is None:
            errors = limit_errors(measure_operation(parsed.node, operation), self.limits, operation)
            parsed.analysis[key] = errors
        if errors:
            raise DocumentErrors(errors)
        invalid: list[GraphQLError] | None = parsed.analysis.get("validation")
        if invalid is None:
            invalid = parsed.analysis["validation"] = validate(self.schema, parsed.node)
        if invalid:
            raise DocumentErrors(invalid)
