"""newsbench.corpus: the gold corpus, its build from the gold sources, and its statistics."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

GOLD_FILE = "test.jsonl"
CORPUS_VERSION = "1.0.0"
"""Semantic version of the gold labels; every gold change bumps it (see CHANGELOG.md)."""


def gold_path() -> Path:
    """Return the path of the published gold JSONL (from the repo or the installed package)."""
    return Path(str(resources.files("newsbench.corpus.data").joinpath(GOLD_FILE)))
