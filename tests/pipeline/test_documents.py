"""Identity and parsing (pipeline/documents.py): a document sent again is neither parsed nor
validated again, the caches are bounded, and a printed document is its original."""

from __future__ import annotations

import graphql

import pipeline.limits
from demo.demo_population import GUARDIAN
from gateway import gateway_of
from tests.support.contract_documents import contract_document


async def test_repeated_documents_hit_the_parse_and_validation_caches(gateway, monkeypatch) -> None:
    documents = gateway_of(gateway.app).pipeline.documents
    validations: list[object] = []

    def counting_validate(*args, **kwargs):
        validations.append(args[1])
        return graphql.validate(*args, **kwargs)

    monkeypatch.setattr(pipeline.limits, "validate", counting_validate)
    token = gateway.token(GUARDIAN.national_id)
    # An ad hoc document: a comment makes it a text no earlier test sent.
    document = "query Mine { me { nationalId } }" + f"\n# {gateway.backend} caches\n"

    await gateway.graphql(document, token=token)
    parsed = documents.parse_cache_info()
    for _ in range(3):
        result = await gateway.graphql(document, token=token)
        assert result["data"]["me"]["nationalId"] == GUARDIAN.national_id

    assert documents.parse_cache_info().misses == parsed.misses
    assert documents.parse_cache_info().hits == parsed.hits + 3
    assert len(validations) == 1
    assert documents.parse_cache_info().maxsize == gateway.settings.parse_cache_size


async def test_a_printed_document_shares_the_analysis_of_its_original(gateway) -> None:
    documents = gateway_of(gateway.app).pipeline.documents
    text = contract_document("frontend/MyFamily.graphql")
    printed = graphql.print_ast(graphql.parse(text))
    original, reprinted = documents.parse_text(text), documents.parse_text(printed)
    assert original.hash == reprinted.hash
    assert original.normalized == reprinted.normalized == printed
