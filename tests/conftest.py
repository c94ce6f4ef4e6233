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

_GOLD_FOLDERS = ("corpus/data", "corpus/gold", "corpus/texts", "seeds")
_gold_hashes: dict[str, str] = {}


def _hash_gold() -> dict[str, str]:
    import hashlib

    return {
        str(path.relative_to(REPO_ROOT)): hashlib.sha256(path.read_bytes()).hexdigest()
        for folder in _GOLD_FOLDERS
        for path in sorted((REPO_ROOT / folder).rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def pytest_sessionstart(session: pytest.Session) -> None:
    _gold_hashes.update(_hash_gold())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    after = _hash_gold()
    changed = [name for name, digest in _gold_hashes.items() if after.get(name) != digest]
    changed += sorted(set(after) - set(_gold_hashes))  # a file added to the gold counts too
    if changed:
        session.exitstatus = 1
        print(f"\nERROR: the test suite modified gold files: {', '.join(changed)}")
