"""The API's shape: Strawberry types and enums only, in files named as in ``resolvers/``.

Resolvers return records and their own small results, which Strawberry reads as the schema's
types. Where a field's resolver returns such an object rather than the schema type itself,
the field says so in one of two ways, both keeping the type checker's view true:

- on the root types (``Query``, ``Mutation``, ``Subscription``), where every field has a
  resolver, ``name = strawberry.field(resolver=..., graphql_type=...)``: the attribute has the
  resolver's type, the schema the ``graphql_type``;
- on an object type, beside plain fields, ``name: Annotated[SchemaType,
  strawberry.field(resolver=...)]``, since Strawberry puts fields without an annotation after
  the others, and the schema's field order is part of the contract.
"""
