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
