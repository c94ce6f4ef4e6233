"""Shared fixtures: a small complete gold document built from tests/fixtures/mini.ann."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from newsbench.corpus.gold_source import parse_gold_source
from newsbench.schema.model import Document, document_to_dict

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def mini_document() -> Document:
    return parse_gold_source(FIXTURES / "mini.ann", REPO_ROOT)


@pytest.fixture
def mini_record(mini_document: Document) -> dict[str, Any]:
    """A fresh, mutable JSON object of the mini document."""
    return copy.deepcopy(document_to_dict(mini_document))


# --- the gold must be byte-identical before and after the whole suite -----------------

_GOLD_FILES = (
    "corpus/data/test.jsonl",
    "corpus/gold/000_b245f45723a17301.ann",
    "seeds/000_b245f45723a17301.txt",
)
_gold_hashes: dict[str, str] = {}


def _hash_gold() -> dict[str, str]:
    import hashlib

    return {
        name: hashlib.sha256((REPO_ROOT / name).read_bytes()).hexdigest()
        for name in _GOLD_FILES
        if (REPO_ROOT / name).exists()
    }


def pytest_sessionstart(session: pytest.Session) -> None:
    _gold_hashes.update(_hash_gold())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    after = _hash_gold()
    changed = [name for name, digest in _gold_hashes.items() if after.get(name) != digest]
    if changed:
        session.exitstatus = 1
        print(f"\nERROR: the test suite modified gold files: {', '.join(changed)}")
