"""The oracle: copies the gold layers. A harness check, scoring 1.0 everywhere (a ceiling)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace

from newsbench.baselines.base import LAYER_NAMES, SourceDocument
from newsbench.schema.model import Document


class OracleExtractor:
    """Return the gold annotation layers of each document (needs the gold, by design).

    The only extractor that sees gold labels: it exists to check the harness
    (gold against itself must score 1.0 on every metric with support) and to
    show the ceiling in the leaderboard.
    """

    name = "oracle"
    protocol = "copies the gold: the ceiling, and a check that the harness scores it 1.0"
    layers: frozenset[str] = LAYER_NAMES

    def __init__(self, gold: Sequence[Document]) -> None:
        self._gold = {doc.id: doc for doc in gold}

    def extract(self, documents: Iterable[SourceDocument]) -> Iterator[Document]:
        """Yield the gold layers of each input document."""
        for source in documents:
            gold = self._gold[source.id]
            yield replace(gold, metadata=None, paragraphs=None, zones=None, sentences=None)
