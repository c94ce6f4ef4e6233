"""The README's examples run as written (shell lines with `newsbench`, and Python blocks)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)


def readme_blocks() -> list[tuple[str, str]]:
    """Return ``(language, code)`` of every fenced block, in document order."""
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(README.read_text("utf-8"))]


def _expected_exit(line: str) -> int:
    found = re.search(r"#\s*exits (\d)", line)
    return int(found.group(1)) if found else 0


@pytest.mark.slow
def test_readme_examples_run(tmp_path, repo_root, monkeypatch):
    (tmp_path / "corpus").symlink_to(repo_root / "corpus")
    newsbench = [sys.executable, "-m", "newsbench.eval"]
    ran = 0
    for language, code in readme_blocks():
        if language == "sh":
            for line in code.splitlines():
                if not line.startswith("newsbench "):
                    continue
                command = shlex.split(line, comments=True)
                result = subprocess.run(
                    [*newsbench, *command[1:]],
                    cwd=tmp_path,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                assert result.returncode == _expected_exit(line), (
                    f"{line!r} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
                )
                ran += 1
        elif language == "python":
            monkeypatch.chdir(tmp_path)
            exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
            ran += 1
    assert ran >= 10
    assert os.path.exists(tmp_path / "report.json")


def test_the_readmes_name_the_corpus_version_the_package_has() -> None:
    from newsbench.corpus import CORPUS_VERSION

    pattern = re.compile(r"[Vv]ersion (\d+\.\d+\.\d+)\) has two splits|Version (\d+\.\d+\.\d+) has")
    for path in (README, README.parent / "corpus" / "README.md"):
        found = [a or b for a, b in pattern.findall(path.read_text("utf-8"))]
        assert found and set(found) == {CORPUS_VERSION}, path
