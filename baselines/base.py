"""The extractor protocol and the registry of built-in baselines.

An extractor receives :class:`SourceDocument` objects (id, text and document
creation time: nothing from the gold annotations) and yields prediction
:class:`~newsbench.schema.model.Document` objects in the project schema. It says
which layers it predicts; every other layer is left out (``None``), which the
harness reports as "not predicted".

User extractors are named ``package.module:Class`` on the command line and are
imported only then; nothing is imported from input files.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from newsbench.schema.model import Document

LAYER_NAMES: frozenset[str] = frozenset({"mentions", "time_expressions", "events", "attributions"})


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """What an extractor may see of a document."""

    id: str
    text: str
    dct: str | None = None

    @classmethod
    def from_document(cls, doc: Document) -> SourceDocument:
        """Strip a gold document down to id, text and creation time."""
        return cls(doc.id, doc.text, doc.metadata.dct if doc.metadata else None)


@runtime_checkable
class Extractor(Protocol):
    """A system that predicts annotation layers from raw documents."""

    name: str
    layers: frozenset[str]

    def extract(self, documents: Iterable[SourceDocument]) -> Iterator[Document]:
        """Yield one prediction document per input document, in input order."""
        ...


class ExtractorUnavailable(RuntimeError):
    """An extractor cannot run here (a missing optional dependency or model); says why."""


BUILTIN: dict[str, str] = {
    "floor": "newsbench.baselines.floor:FloorExtractor",
    "rules": "newsbench.baselines.rules:RulesExtractor",
    "spacy": "newsbench.baselines.spacy_baseline:SpacyExtractor",
    "sklearn": "newsbench.baselines.trained:TrainedExtractor",
    "llm": "newsbench.baselines.llm:LLMExtractor",
}
"""Built-in baselines by name (the oracle needs the gold and is built separately)."""


class ExtractorNameError(ValueError):
    """An extractor name that is neither built in nor ``package.module:Class``."""


class ExtractorConfigError(ValueError):
    """An extractor configured with a value it cannot use (a usage error, exit 2)."""


class ExtractorOutputError(RuntimeError):
    """An extractor broke its protocol: wrong number, ids, texts or layers of documents."""


def import_extractor_class(spec: str) -> type[Any]:
    """Import the class named by a built-in name or ``package.module:Class``.

    Raises:
        ExtractorNameError: if the name is malformed or cannot be imported.
    """
    target = BUILTIN.get(spec, spec)
    module_name, sep, class_name = target.partition(":")
    if not sep or not module_name or not class_name.isidentifier():
        raise ExtractorNameError(
            f"unknown extractor {spec!r}: give a built-in name ({', '.join(sorted(BUILTIN))}) "
            "or package.module:Class"
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ExtractorNameError(f"cannot import {module_name!r} for {spec!r}: {exc}") from None
    cls = getattr(module, class_name, None)
    if not inspect.isclass(cls):
        raise ExtractorNameError(
            f"{module_name!r} has no class {class_name!r} (an extractor "
            "is a class with name, layers and extract)"
        )
    return cls


def check_predictions(
    extractor: Extractor, documents: list[SourceDocument], predictions: list[Document]
) -> None:
    """Check that an extractor returned one document per input, same ids and text, in order.

    Raises:
        ExtractorOutputError: naming the first mismatch (a bug in the extractor).
    """
    if len(predictions) != len(documents):
        raise ExtractorOutputError(
            f"extractor {extractor.name!r} returned {len(predictions)} documents "
            f"for {len(documents)} inputs"
        )
    for source, pred in zip(documents, predictions, strict=True):
        if pred.id != source.id or pred.text != source.text:
            raise ExtractorOutputError(
                f"extractor {extractor.name!r} changed the id or text of document {source.id!r}"
            )
        for layer in LAYER_NAMES:
            given = getattr(pred, layer) is not None
            if given != (layer in extractor.layers):
                raise ExtractorOutputError(
                    f"extractor {extractor.name!r} declares layers "
                    f"{sorted(extractor.layers)} but document {pred.id!r} "
                    f"{'gives' if given else 'lacks'} {layer!r}"
                )
