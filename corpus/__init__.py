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

CORPUS_VERSION = "3.0.0"
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


PERTURBATIONS: tuple[str, ...] = (
    "names-invented",
    "names-real",
    "dates-shifted",
    "counterfactual",
    "lowercase",
    "uppercase",
    "typos",
)
"""The perturbed copies published for every split (``newsbench perturb``; issue #15)."""

PERTURBATION_SEED = 0
"""The seed of the published perturbed copies."""


def perturbed_file_name(name: str, split: str) -> str:
    """The published file name of a split's perturbed copy (``perturbed/typos-test.jsonl``)."""
    gold_file_name(split)  # checks the split
    if name not in PERTURBATIONS:
        raise ValueError(f"unknown perturbation {name!r}: choose one of {', '.join(PERTURBATIONS)}")
    return f"{name}-{split}.jsonl"


def perturbed_gold_path(name: str, split: str = DEFAULT_SPLIT) -> Path:
    """Return the path of a split's published perturbed copy."""
    return Path(
        str(
            resources.files("newsbench.corpus.data")
            .joinpath("perturbed")
            .joinpath(perturbed_file_name(name, split))
        )
    )
