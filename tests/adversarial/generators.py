"""Generate large or awkward inputs on the fly; nothing big is committed.

* :func:`write_long_line`: one JSON line of about ``size`` bytes, written in chunks.
* :func:`write_many_lines`: ``count`` small prediction lines with one bad line.
* :func:`measure_in_subprocess`: run a loader on a file in a fresh interpreter and
  return its problems and the growth of the peak resident memory.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

EMOJI_TEXT = "Café 😀 owner Zoë Martín met Renée in Zürich on Monday.\nShe said 👍 thanks."
"""A text with accented letters (2 UTF-8 bytes) and emoji (2 UTF-16 units, 4 bytes)."""

CRLF_TEXT = "First line.\r\nSecond line names Damascus.\r\nThird: Homs."
"""A text with Windows line ends inside the JSON string."""

_CHUNK = 1 << 20


def write_long_line(path: Path, size: int, *, complete: bool) -> None:
    """Write one document whose text is ``size`` bytes of ``a``.

    Args:
        path: The file to write.
        size: The length of the text in bytes (and characters).
        complete: Close the JSON (a valid document) or cut the line short (invalid).
    """
    with path.open("wb") as handle:
        handle.write(b'{"id": "long", "text": "')
        left = size
        chunk = b"a" * _CHUNK
        while left > 0:
            handle.write(chunk[: min(left, _CHUNK)])
            left -= _CHUNK
        handle.write(b'"}\n' if complete else b"\n")


def write_many_lines(path: Path, count: int, bad_line: int) -> None:
    """Write ``count`` prediction lines; line ``bad_line`` (1-based) is truncated JSON."""
    with path.open("wb") as handle:
        for number in range(1, count + 1):
            line = json.dumps({"id": f"d{number}", "text": "Damascus fell."}).encode()
            handle.write((line[:-5] if number == bad_line else line) + b"\n")


_MEASURE = """
import json, resource, sys
from newsbench.schema.io import iter_jsonl
from newsbench.schema.validate import iter_validated
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if sys.argv[2] == "read":
    problems = [i.problem.to_dict() for i in iter_jsonl(sys.argv[1]) if i.problem]
else:
    problems = [p.to_dict() for v in iter_validated(sys.argv[1], sys.argv[2]) for p in v.problems]
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"problems": problems, "growth_bytes": (after - before) * 1024}))
"""


def measure_in_subprocess(path: Path, kind: str = "prediction") -> dict[str, Any]:
    """Read ``path`` in a fresh interpreter; return its problems and peak RSS growth (bytes).

    ``kind`` is ``"read"`` (``iter_jsonl`` only) or a schema kind (``iter_validated``).
    """
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path), kind],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return json.loads(result.stdout)
