"""newsbench.corpus: the gold corpus, its build from the gold sources, and its statistics.

The corpus has two splits (corpus 2.0.0): ``validation``, the seed article (a natural
news article, public since December 2024, on which the baselines were developed), and
``test``, constructed news texts written for the corpus and held out from baseline
development. Each is one JSON Lines file, ``data/<split>.jsonl``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

Split = Literal["validation", "test"]
SPLITS: tuple[Split, ...] = ("validation", "test")
DEFAULT_SPLIT: Split = "test"
"""The split every score defaults to: the held-out one."""

CORPUS_VERSION = "2.0.0"
"""Semantic version of the gold labels; every gold change bumps it (see CHANGELOG.md)."""


def gold_file_name(split: str) -> str:
    """The published file name of a split (``test.jsonl``)."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}: choose one of {', '.join(SPLITS)}")
    return f"{split}.jsonl"


def gold_path(split: str = DEFAULT_SPLIT) -> Path:
    """Return the path of a published gold split (from the repo or the installed package)."""
    return Path(str(resources.files("newsbench.corpus.data").joinpath(gold_file_name(split))))


def gold_paths() -> dict[Split, Path]:
    """Every split's published gold file, in split order."""
    return {split: gold_path(split) for split in SPLITS}
