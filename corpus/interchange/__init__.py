"""Interchange formats: export the corpus to other tools and import it back, losslessly.

Formats (:data:`FORMATS`):

* ``brat``: BRAT standoff, one ``<id>.txt`` + ``<id>.ann`` pair per document, plus
  ``annotation.conf`` and ``visual.conf`` (:mod:`.brat`). Every layer, byte-identical
  round trip.
* ``conll``: CoNLL IOB2 columns of one non-nested mention layer (:mod:`.conll`).
* ``conll2012``: CoNLL-2012 style coreference columns of every mention (:mod:`.conll`).
* ``spacy``: a spaCy ``DocBin`` (:mod:`.spacy_docbin`). Every layer.
* ``labelstudio``: Label Studio JSON tasks and a labeling config (:mod:`.labelstudio`).
  Every layer.

Standard corpora, imported as standalone (partial) gold or predictions with their own
label inventory (:mod:`newsbench.schema.inventory`); import only:

* ``conll2003``: CoNLL-2003 NER columns, ``-DOCSTART-`` documents (:mod:`.conll2003`).
* ``timeml``: TimeML / TimeBank / TempEval-3 ``.tml`` files: TIMEX3 and events
  (:mod:`.timeml`).
* ``ace2005``: ACE 2005 APF XML with its ``.sgm`` source: entities, values, TIMEX2,
  events (:mod:`.ace`).
* ``oneie``: OneIE / TextEE JSON Lines, gold data or system output (:mod:`.oneie`).
* ``ontonotes``: OntoNotes 5.0 in the CoNLL-2012 column layout: named entities
  (:mod:`.ontonotes`).

Every import builds the schema JSON object and passes it through
:func:`newsbench.schema.validate.validate_record`; every problem of the input (format
problems first, then the validator's, located at the input line where possible) is
raised at once in a :class:`~newsbench.schema.problems.DataError`. Nothing is repaired.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from newsbench.schema.contract import SchemaKind
from newsbench.schema.inventory import Inventory
from newsbench.schema.model import Document
from newsbench.schema.problems import DataError, Problem

__all__ = [
    "FORMATS",
    "IMPORT_FORMATS",
    "STANDARD_INVENTORIES",
    "ImportErrors",
    "export_documents",
    "finish_record",
    "import_documents",
]

FORMATS: tuple[str, ...] = ("brat", "conll", "conll2012", "spacy", "labelstudio")
"""The interchange formats (``newsbench export/import --format``)."""

IMPORT_FORMATS: tuple[str, ...] = (
    *FORMATS,
    "conll2003",
    "ontonotes",
    "timeml",
    "ace2005",
    "oneie",
)
"""Every format ``newsbench import --format`` reads (the standard corpora are import only)."""

STANDARD_INVENTORIES: dict[str, str] = {
    "conll2003": "conll2003",
    "timeml": "timeml",
    "ace2005": "ace2005",
    "oneie": "ace2005",
    "ontonotes": "ontonotes5",
}
"""The label inventory each standard-corpus format declares by default."""

SPACY_INSTALL_HINT = "pip install 'newsbench[spacy]'"


class ImportErrors:
    """Problems gathered while reading one input file (every problem, never the first only).

    Attributes:
        file: The input file, for problem locations.
        problems: The problems found so far.
    """

    def __init__(self, file: str | os.PathLike[str] | None) -> None:
        self.file = None if file is None else str(file)
        self.problems: list[Problem] = []
        self.notes: list[str] = []

    def note(self, message: str) -> None:
        """Record what a lossy import left out (not a problem: the command prints it)."""
        self.notes.append(message)
        sink = _NOTES.get()
        if sink is not None:
            sink.append(message)

    def add(
        self,
        code: str,
        message: str,
        expected: str,
        fix: str,
        *,
        line: int | None = None,
        document: str | None = None,
        path: str = "",
        file: str | None = None,
    ) -> None:
        """Record one problem at the given location."""
        self.problems.append(
            Problem(
                code,
                message,
                expected,
                fix,
                file=file if file is not None else self.file,
                line=line,
                document=document,
                path=path,
            )
        )

    def raise_if_any(self) -> None:
        """Raise a :class:`DataError` with every problem, if there is any."""
        if self.problems:
            raise DataError(self.problems)


def _line_for(path: str, lines: Mapping[str, int]) -> int | None:
    """Return the input line of the longest JSON-Pointer prefix of ``path`` in ``lines``."""
    best: tuple[int, int] | None = None
    for prefix, line in lines.items():
        if (path == prefix or path.startswith(prefix + "/")) and (
            best is None or len(prefix) > best[0]
        ):
            best = (len(prefix), line)
    return None if best is None else best[1]


_PROGRESS: ContextVar[Callable[[int], None] | None] = ContextVar("import_progress", default=None)
_NOTES: ContextVar[list[str] | None] = ContextVar("import_notes", default=None)
"""Advanced by :func:`finish_record` once per document while :func:`import_documents` runs."""


def finish_record(
    record: dict[str, Any],
    kind: SchemaKind,
    errors: ImportErrors,
    *,
    lines: Mapping[str, int] | None = None,
    file: str | None = None,
    inventory: Inventory | None = None,
) -> Document | None:
    """Validate a rebuilt schema object; record its problems located at the input lines.

    Args:
        record: The schema JSON object rebuilt from the input.
        kind: ``document`` (gold rules) or ``prediction``.
        errors: Where the validator's problems go.
        lines: Input line of each JSON Pointer prefix (``/mentions/3`` -> 17), used to
            locate the validator's problems in the input file.
        file: The input file of this record (default: ``errors.file``).
        inventory: The label inventory (default: newsbench).

    Returns:
        The validated document, or ``None`` when it has problems.
    """
    from newsbench.schema.validate import validate_record

    advance = _PROGRESS.get()
    if advance is not None:
        advance(1)
    where = file if file is not None else errors.file
    document, problems = validate_record(record, kind, file=where, inventory=inventory)
    for problem in problems:
        line = _line_for(problem.path, lines or {}) if problem.path else None
        errors.problems.append(problem.located(line=line))
    return document if not problems else None


def export_documents(
    fmt: str, documents: Sequence[Document], out_dir: str | os.PathLike[str], **options: Any
) -> list[Path]:
    """Export ``documents`` in format ``fmt`` into ``out_dir``; return the files written.

    Options are passed to the format's ``export`` function (e.g. ``mention_types`` for
    ``conll``, ``stem`` for the file name of single-file formats).
    """
    return _module(fmt).export(fmt, documents, Path(out_dir), **options)


def import_documents(
    fmt: str,
    path: str | os.PathLike[str],
    *,
    progress: Callable[[int], None] | None = None,
    notes: list[str] | None = None,
    **options: Any,
) -> list[Document]:
    """Import documents written in format ``fmt`` from ``path`` through the validator.

    ``progress`` is called with 1 as each document is validated (a progress bar);
    ``notes`` receives what a lossy import left out (``ace2005``: TIMEX2 without a TIMEX3
    value, ...), one line each.

    Raises:
        DataError: With every problem of the input.
    """
    progress_token = _PROGRESS.set(progress)
    notes_token = _NOTES.set(notes)
    try:
        return _module(fmt).import_(fmt, Path(path), **options)
    finally:
        _PROGRESS.reset(progress_token)
        _NOTES.reset(notes_token)


def _module(fmt: str) -> Any:
    if fmt == "brat":
        from newsbench.corpus.interchange import brat as module
    elif fmt in ("conll", "conll2012"):
        from newsbench.corpus.interchange import conll as module
    elif fmt == "spacy":
        from newsbench.corpus.interchange import spacy_docbin as module
    elif fmt == "labelstudio":
        from newsbench.corpus.interchange import labelstudio as module
    elif fmt == "conll2003":
        from newsbench.corpus.interchange import conll2003 as module
    elif fmt == "timeml":
        from newsbench.corpus.interchange import timeml as module
    elif fmt == "ace2005":
        from newsbench.corpus.interchange import ace as module
    elif fmt == "oneie":
        from newsbench.corpus.interchange import oneie as module
    elif fmt == "ontonotes":
        from newsbench.corpus.interchange import ontonotes as module
    else:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(IMPORT_FORMATS)}")
    return module
