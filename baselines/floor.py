"""The floor: every mid-sentence capitalised word is a name of one fixed type.

A lower bound for the mentions layer that any real system should beat. Each
capitalised word (``[A-Z][a-z]+``, so neither ``UN`` nor ``U.S.``) that does
not start a sentence becomes one NAM mention of a single label and its own
entity. Nothing else is predicted.

The default label is GPE, the most frequent entity type of the corpus: the
dataset card (``corpus/README.md``) gives GPE 83 mentions (38.6%) against PER
60 (27.9%), and the guidelines explain why (T7: every nationality adjective,
"Syrian", "Israeli", is a GPE NAM, and country and city names dominate news
about a war). Pass ``label="PER"`` (or any entity type) to change it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from newsbench.baselines.base import SourceDocument
from newsbench.schema.contract import ENTITY_TYPES
from newsbench.schema.model import Document, Mention

CAPITALISED = re.compile(r"\b[A-Z][a-z]+\b")
SENTENCE_START = re.compile(r'(?:^|[.!?]["\')\]]?\s+|\n)["\'(\[]?$')
"""Matches the text before a word that starts a sentence (or a line)."""

DEFAULT_LABEL = "GPE"


def is_sentence_initial(text: str, start: int) -> bool:
    """True if the word at ``start`` opens the text, a line or a sentence."""
    return SENTENCE_START.search(text[max(0, start - 4) : start]) is not None or start == 0


class FloorExtractor:
    """Predict each non-initial capitalised word as a NAM mention of one label."""

    name = "floor"
    protocol = "every capitalised non-initial word as a name of the most frequent type"
    layers: frozenset[str] = frozenset({"mentions"})

    def __init__(self, label: str = DEFAULT_LABEL) -> None:
        if label not in ENTITY_TYPES:
            raise ValueError(f"label {label!r} is not an entity type ({', '.join(ENTITY_TYPES)})")
        self.label = label

    def extract(self, documents: Iterable[SourceDocument]) -> Iterator[Document]:
        """Yield one prediction per document, in input order."""
        for source in documents:
            mentions = []
            for match in CAPITALISED.finditer(source.text):
                if is_sentence_initial(source.text, match.start()):
                    continue
                number = len(mentions) + 1
                mentions.append(
                    Mention(
                        f"m{number}",
                        match.start(),
                        match.end(),
                        match.group(),
                        self.label,
                        "NAM",
                        f"E{number}",
                    )
                )
            yield Document(id=source.id, text=source.text, mentions=tuple(mentions))
