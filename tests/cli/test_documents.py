"""``gateway documents add|list|remove``: client applications register their manifests; and
``gateway export-schema``: the schema as SDL, the same as the committed ``schema.graphql``."""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from graphql import parse, print_ast

from cli.main import run as gateway_command
from demo.demo_population import GUARDIAN
from settings import Settings
from tests.support.running_gateway import GENEROUS_LIMITS, TEST_SECRET, serving_settings
from tests.support.tokens import issue_access_token

MY_NAME = print_ast(parse("query MyName { me { name { en } } }"))
MY_PASSPORT = print_ast(parse("query MyPassport { me { currentPassport { number } } }"))
MY_BIRTH = print_ast(parse("query MyBirth { me { birthDate } }"))


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def codegen_manifest(directory: Path, *bodies: str, name: str = "persisted-documents.json") -> Path:
    """A manifest as graphql-codegen's client preset writes it: {hash: printed body}."""
    path = directory / name
    path.write_bytes(orjson.dumps({sha256(body): body for body in bodies}))
    return path


async def gateway(*arguments: str) -> int:
    # The command runs its own event loop (asyncio.run): off this test's loop.
    return await asyncio.to_thread(gateway_command, list(arguments))


def said(stream: str) -> str:
    """What the command printed, less the JSON log lines (migrations and the like)."""
    return "".join(
        line for line in stream.splitlines(keepends=True) if not line.startswith('{"time"')
    )


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("BAWABA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BAWABA_SECRET_KEY", TEST_SECRET)
    yield tmp_path


async def test_a_codegen_manifest_added_with_the_command_is_found_by_its_ids(
    data_dir, capsys
) -> None:
    manifest = codegen_manifest(data_dir, MY_NAME, MY_PASSPORT)
    assert await gateway("documents", "add", "--client", "web", str(manifest)) == 0
    assert capsys.readouterr().out == "added 2 documents for client web\n"

    settings = Settings(
        mode="production", data_dir=data_dir, secret_key=TEST_SECRET, **GENEROUS_LIMITS
    )
    token = issue_access_token(TEST_SECRET, GUARDIAN.national_id)
    headers = {"Authorization": f"Bearer {token}"}
    async with serving_settings(settings) as (_, client):
        by_id = await client.post("/graphql", json={"documentId": sha256(MY_NAME)}, headers=headers)
        by_apq = await client.post(
            "/graphql",
            json={
                "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256(MY_PASSPORT)}}
            },
            headers=headers,
        )
        unregistered = await client.post("/graphql", json={"query": MY_BIRTH}, headers=headers)
    assert by_id.status_code == 200, by_id.text
    assert by_id.json()["data"]["me"]["name"]["en"] == GUARDIAN.name_en
    assert by_apq.status_code == 200, by_apq.text
    assert "currentPassport" in by_apq.json()["data"]["me"]
    assert unregistered.status_code == 403


async def test_adding_again_replaces_the_clients_documents(data_dir, capsys) -> None:
    first = codegen_manifest(data_dir, MY_NAME, MY_PASSPORT)
    regenerated = codegen_manifest(data_dir, MY_BIRTH, name="regenerated.json")
    assert await gateway("documents", "add", "--client", "web", str(first)) == 0
    assert await gateway("documents", "add", "--client", "web", str(regenerated)) == 0
    assert await gateway("documents", "add", "--client", "web", str(regenerated)) == 0
    assert capsys.readouterr().out.splitlines() == [
        "added 2 documents for client web",
        "added 1 document for client web (replacing its 2)",
        "client web has 1 document already: nothing changed",
    ]


async def test_list_and_remove(data_dir, capsys) -> None:
    assert (
        await gateway(
            "documents", "add", "--client", "web", str(codegen_manifest(data_dir, MY_NAME))
        )
        == 0
    )
    assert await gateway("documents", "list") == 0
    listing = capsys.readouterr().out.splitlines()[1:]
    stamp = r"added \d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
    assert len(listing) == 2
    assert re.fullmatch(rf"contract  \d+ documents  {stamp}", listing[0])
    assert re.fullmatch(rf"web  1 document  {stamp}", listing[1])

    assert await gateway("documents", "remove", "--client", "web") == 0
    assert capsys.readouterr().out == "removed client web and its 1 document\n"
    assert await gateway("documents", "remove", "--client", "web") == 1
    assert said(capsys.readouterr().err) == "no client web\n"
    assert await gateway("documents", "list") == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()] == ["contract"]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"\xff\xfe\x00{", "the manifest is not UTF-8"),
        (b"<html>", "the manifest is not JSON"),
        (
            b'{"ok": "query Ok { me { nationalId } }", "bad": "query {"}',
            "entry 'bad' does not parse",
        ),
        (
            b'{"format": "apollo-persisted-query-manifest", "version": 1}',
            "operations are not a list",
        ),
    ],
    ids=["not-utf8", "not-json", "a-bad-entry", "apollo-without-operations"],
)
async def test_bad_files_are_refused_whole_with_exit_code_2(
    data_dir, capsys, content, says
) -> None:
    manifest = data_dir / "manifest.json"
    manifest.write_bytes(content)
    assert await gateway("documents", "add", "--client", "web", str(manifest)) == 2
    error = said(capsys.readouterr().err)
    assert error.startswith(f"{manifest} refused: ")
    assert says in error
    assert error.count("\n") == 1  # one sentence, no traceback
    assert await gateway("documents", "list") == 0
    assert "web" not in capsys.readouterr().out


async def test_a_missing_file_a_large_file_and_a_bad_name_are_refused(
    data_dir, capsys, monkeypatch
) -> None:
    missing = data_dir / "nowhere.json"
    assert await gateway("documents", "add", "--client", "web", str(missing)) == 2
    assert said(capsys.readouterr().err) == f"cannot read {missing}: No such file or directory\n"

    manifest = codegen_manifest(data_dir, MY_NAME, MY_PASSPORT, MY_BIRTH)
    monkeypatch.setenv("BAWABA_MAX_MANIFEST_BYTES", "100")
    assert await gateway("documents", "add", "--client", "web", str(manifest)) == 2
    assert "the manifest is larger than 100 bytes" in said(capsys.readouterr().err)
    monkeypatch.delenv("BAWABA_MAX_MANIFEST_BYTES")

    assert await gateway("documents", "add", "--client", "not a name", str(manifest)) == 2
    assert "the client name 'not a name' is not" in said(capsys.readouterr().err)


SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_exported_schema_matches_the_committed_sdl(capsys) -> None:
    """Every change to the public surface shows in review as a diff of schema.graphql."""
    assert gateway_command(["export-schema"]) == 0
    exported = capsys.readouterr().out
    assert exported == SCHEMA_FILE.read_text(), (
        "schema.graphql is stale: run `./dev export-schema > schema.graphql` and review the diff"
    )
