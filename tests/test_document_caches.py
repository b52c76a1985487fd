"""A document sent again is neither parsed nor validated again, and the caches are bounded."""

from __future__ import annotations

from strawberry.extensions.parser_cache import _get_parse_cache
from strawberry.extensions.validation_cache import _get_validate_cache

from demo.demo_population import GUARDIAN
from tests.contract_documents import contract_document


async def test_repeated_documents_hit_the_parse_and_validation_caches(gateway) -> None:
    size = gateway.settings.parse_cache_size
    parse_cache = _get_parse_cache(size)
    validate_cache = _get_validate_cache(gateway.settings.validation_cache_size)
    token = gateway.token(GUARDIAN.national_id)
    # Not a trusted document (a trusted one runs its compiled plan, which parses nothing).
    document = contract_document("frontend/MyFamily.graphql").replace(
        "query MyFamily", f"query MyFamilyOn{gateway.backend.capitalize()}"
    )

    await gateway.graphql(document, token=token)
    parsed, validated = parse_cache.cache_info(), validate_cache.cache_info()
    for _ in range(3):
        await gateway.graphql(document, token=token)

    assert parse_cache.cache_info().misses == parsed.misses
    assert parse_cache.cache_info().hits == parsed.hits + 3
    assert validate_cache.cache_info().misses == validated.misses
    assert validate_cache.cache_info().hits == validated.hits + 3
    assert parse_cache.cache_info().maxsize == size
