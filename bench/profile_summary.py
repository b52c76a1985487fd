"""Where Bawaba's time goes: a summary of py-spy's collapsed stacks (``--format raw``).

Each sample is a stack; its innermost frame is where the CPU was ("self" time) and every
frame on it was running ("inclusive" time). Frames are grouped by the library they are in
(the package folder under site-packages), Python's own modules (``python:asyncio``) and the
project's folders (``bawaba:resolvers``); idle samples are not recorded by py-spy.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^():]*)(?::(?P<line>\d+))?\)$")
_STDLIB = re.compile(r"/lib/python3\.\d+/(?P<module>[^/]+?)(?:\.py)?(?:/|$)")


def is_project(filename: str) -> bool:
    return filename.startswith(str(ROOT)) and "site-packages/" not in filename


def is_request_code(filename: str) -> bool:
    """The project's code but ``gateway.py``, whose frames (main, serve) are on every stack."""
    return is_project(filename) and Path(filename).name != "gateway.py"


def group_of(filename: str) -> str:
    if "site-packages/" in filename:
        package = filename.split("site-packages/", 1)[1].split("/", 1)[0]
        return package.removesuffix(".py").split(".")[0]
    if is_project(filename):
        relative = Path(filename).relative_to(ROOT)
        return f"bawaba:{relative.parts[0].removesuffix('.py')}"
    stdlib = _STDLIB.search(filename)
    if stdlib:
        return f"python:{stdlib.group('module')}"
    return filename or "?"


def parse_stacks(raw: str) -> list[tuple[list[tuple[str, str]], int]]:
    """``[(frames as (function, file), samples)]``, outermost frame first."""
    stacks = []
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = []
        for frame in stack.split(";"):
            match = _FRAME.match(frame)
            if match:
                frames.append((match.group("function"), match.group("file")))
        if frames:
            stacks.append((frames, int(count)))
    return stacks


def summarize(raw: str, *, top: int = 25) -> str:
    stacks = parse_stacks(raw)
    total = sum(count for _, count in stacks)
    if not total:
        return "no samples\n"
    own_group: Counter[str] = Counter()
    any_group: Counter[str] = Counter()
    own_function: Counter[str] = Counter()
    any_project_function: Counter[str] = Counter()
    for frames, count in stacks:
        function, filename = frames[-1]
        own_group[group_of(filename)] += count
        own_function[f"{function} ({short(filename)})"] += count
        for group in {group_of(file) for _, file in frames}:
            any_group[group] += count
        for name in {f"{f} ({short(file)})" for f, file in frames if is_request_code(file)}:
            any_project_function[name] += count

    def table(title: str, counter: Counter[str], limit: int) -> list[str]:
        lines = [f"{title}", "-" * len(title)]
        for name, count in counter.most_common(limit):
            lines.append(f"{100 * count / total:5.1f}%  {name}")
        return [*lines, ""]

    return "\n".join(
        [
            f"{total} samples of Bawaba's process(es) while busy",
            "",
            *table("Self time by library", own_group, 15),
            *table("Inclusive time by library (a sample counts once per library)", any_group, 15),
            *table("Self time by function", own_function, top),
            *table("Inclusive time of Bawaba's own functions", any_project_function, top),
        ]
    )


def short(filename: str) -> str:
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1]
    if is_project(filename):
        return str(Path(filename).relative_to(ROOT))
    stdlib = _STDLIB.search(filename)
    return filename[stdlib.start() + len("/lib/") :] if stdlib else filename


if __name__ == "__main__":
    print(summarize(Path(sys.argv[1]).read_text()))
