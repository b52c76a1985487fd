"""Before each round: the three servers must give the same family page to every guardian.

Each answer must be HTTP 200 without ``errors``; its ``data`` is re-encoded from the parsed
JSON (keys in the order the server sent them) and compared byte for byte. ``extensions``
is left out: Bawaba reports there what the caller has left of its cost budget, which
changes with every request.
"""

from __future__ import annotations

import asyncio
import difflib
from pathlib import Path

import httpx
import orjson


class AnswersDiffer(Exception):
    """Raised when a server fails a guardian, or two servers answer differently."""


def data_bytes(server: str, national_id_index: int, response: httpx.Response) -> bytes:
    if response.status_code != 200:
        raise AnswersDiffer(
            f"{server} answered HTTP {response.status_code} for guardian #{national_id_index}: "
            f"{response.text[:500]}"
        )
    answer = orjson.loads(response.content)
    if answer.get("errors") or not (answer.get("data") or {}).get("me"):
        raise AnswersDiffer(
            f"{server} answered with errors for guardian #{national_id_index}: "
            f"{response.text[:500]}"
        )
    return orjson.dumps(answer["data"])


def describe_difference(first: tuple[str, bytes], second: tuple[str, bytes]) -> str:
    def lines(raw: bytes) -> list[str]:
        return orjson.dumps(orjson.loads(raw), option=orjson.OPT_INDENT_2).decode().splitlines()

    return "\n".join(
        difflib.unified_diff(
            lines(first[1]), lines(second[1]), first[0], second[0], lineterm="", n=2
        )
    )


async def check_answers_match(
    urls: dict[str, str], tokens: list[str], body: bytes, *, report: Path
) -> int:
    """Fetch the page for every token from every server; return how many were compared.

    Raises ``AnswersDiffer`` with a diff (also written to ``report``) at the first difference.
    """
    limit = asyncio.Semaphore(8)
    async with httpx.AsyncClient(timeout=30) as client:

        async def fetch(server: str, index: int, token: str) -> bytes:
            headers = {"Authorization": f"Bearer {token}", "Accept-Language": "ar",
                       "Content-Type": "application/json"}  # fmt: skip
            async with limit:
                response = await client.post(urls[server], content=body, headers=headers)
            return data_bytes(server, index, response)

        for index, token in enumerate(tokens):
            answers = await asyncio.gather(*(fetch(server, index, token) for server in urls))
            named = list(zip(urls, answers, strict=True))
            for other in named[1:]:
                if other[1] != named[0][1]:
                    diff = describe_difference(named[0], other)
                    await asyncio.to_thread(report.write_text, diff + "\n")
                    raise AnswersDiffer(
                        f"guardian #{index}: {named[0][0]} and {other[0]} differ "
                        f"(full diff in {report}):\n{diff[:3000]}"
                    )
    return len(tokens)
