"""Data problems: what is wrong, where, what was expected and how to fix it.

Every check in newsbench reports :class:`Problem` objects instead of raising on
the first one, so that a user sees every problem of a file at once. Each kind of
problem has a stable ``code`` (listed in :data:`PROBLEM_CODES`) that tests and
machine-readable output (``--format json``) rely on.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

PROBLEM_CODES: dict[str, str] = {
    # reading
    "file-not-found": "the file does not exist or cannot be read",
    "file-empty": "the file holds no JSON lines",
    "blank-line": "a blank line inside a JSON Lines file",
    "invalid-utf8": "a line is not valid UTF-8",
    "invalid-json": "a line is not valid JSON",
    "not-an-object": "a line holds JSON that is not an object",
    "duplicate-key": "an object with the same key twice (a parser would keep only one value)",
    "json-too-deep": "JSON nested deeper than the reader and validator accept",
    "not-json": "a value in a record given from Python that JSON cannot hold (a date, a set)",
    "duplicate-document-id": "two lines hold documents with the same id",
    # schema stage
    "schema-required": "a required key is missing",
    "schema-unknown-key": "a key the schema does not define",
    "schema-type": "a value of the wrong JSON type",
    "schema-enum": "a label outside the closed vocabulary",
    "schema-pattern": "a string in the wrong format",
    "schema-range": "a number or length out of range",
    "schema-other": "another schema violation",
    # semantic stage
    "span-empty": "a span with end <= start",
    "span-out-of-range": "a span outside the document text",
    "span-text-mismatch": "text[start:end] differs from the stored span text",
    "span-splits-word": "a span starts or ends inside a word",
    "span-outer-whitespace": "a span begins or ends with whitespace",
    "duplicate-id": "two objects of one document share an id",
    "dangling-reference": "a reference to an id that does not exist",
    "wrong-reference-kind": "a reference to an object of the wrong kind",
    "source-mention-outside-source": "the source's head mention lies outside the source span",
    "overlapping-spans": "spans of a layer overlap where the layer forbids it",
    "parent-cycle": "attribution parents form a cycle",
    "date-invalid": "a DCT or TIMEX value that names no calendar day or ISO week (2024-02-30)",
    "incomplete-document": "a newsbench corpus document without a layer or attribute it annotates",
    # label inventories
    "inventory-unknown": "a name that is no packaged label inventory",
    "inventory-invalid": "an inventory file that cannot be used",
    # pairing predictions with gold (harness)
    "prediction-extra-document": "a prediction for a document the gold does not have",
    "prediction-missing-document": "a gold document without a prediction",
    "prediction-text-mismatch": "a prediction whose text differs from the gold text",
    "prediction-order-mismatch": "--stream: a prediction line for another gold line's document",
    "label-map-invalid": "a label map file that cannot be used",
    "label-map-unknown-target": "a label map that maps onto an unknown corpus type",
    "label-map-missing-label": "a predicted label that the label map does not list",
    # converters from other prediction formats
    "conll-malformed-line": "a CoNLL line without a token and a tag column",
    "token-text-mismatch": "a token that differs from the document text at its position",
    "tokens-incomplete": "the tokens of a document end before its text does",
    "iob2-invalid": "a malformed IOB2 tag, or an I- tag that continues no entity",
    "conll-empty-document": "a -DOCSTART- document without any token",
    "xml-malformed": "an XML input (TimeML, ACE APF) that is not well-formed",
    "timeml-no-text": "a TimeML file without a <TEXT> element",
    "timeml-malformed": "TimeML the importer would have to guess at (a second <TEXT>, "
    "a TIMEX3 without tid, an EVENT without eid, an entity it cannot read)",
    "ace-malformed": "an ACE APF element without the parts the format requires",
    "ontonotes-malformed": "a CoNLL-2012 line, header or named-entity bracket that is malformed",
    "oneie-malformed": "a OneIE/TextEE line without tokens, or with spans or roles out of range",
    "document-unassigned": "input that cannot be assigned to a gold document",
    "span-group-missing": "a spaCy Doc without the requested span group",
    "file-unreadable": "a file that cannot be parsed in its format",
    "brat-conflict": "a brat attribute, note key or attribution argument given twice",
    "brat-unread": "a brat line or note key newsbench does not read (never dropped in silence)",
    "perturbation-impossible": (
        "a gold document that cannot be perturbed as asked (no metadata, no names, a date "
        "past the calendar)"
    ),
    # stored reports (gate, compare, plot)
    "report-invalid": "a stored report that breaks the report contract (structure or numbers)",
    "report-side-file": (
        "a report's side file (error listing, per-unit archive) missing or not the one written"
    ),
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One data problem, located precisely enough to fix it.

    Attributes:
        code: Stable problem kind, a key of :data:`PROBLEM_CODES`.
        message: What is wrong, naming the offending value.
        expected: What was expected instead.
        fix: How to fix it.
        file: The file, when known.
        line: The 1-based line number in the file, when known.
        document: The document id, when known.
        path: JSON Pointer (RFC 6901) to the offending value inside the line's object.
    """

    code: str
    message: str
    expected: str
    fix: str
    file: str | None = None
    line: int | None = None
    document: str | None = None
    path: str = ""

    def __post_init__(self) -> None:
        if self.code not in PROBLEM_CODES:
            raise ValueError(f"unregistered problem code {self.code!r}")

    def located(
        self, *, file: str | None = None, line: int | None = None, document: str | None = None
    ) -> Problem:
        """Return a copy with the location fields filled where still unknown."""
        return Problem(
            self.code,
            self.message,
            self.expected,
            self.fix,
            self.file if self.file is not None else file,
            self.line if self.line is not None else line,
            self.document if self.document is not None else document,
            self.path,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict (for ``--format json``)."""
        return asdict(self)

    def format(self) -> str:
        """Return a one-paragraph, human-readable report of the problem."""
        where = ":".join(str(x) for x in (self.file, self.line) if x is not None) or "<input>"
        parts = [f"{where}: error[{self.code}]"]
        if self.document is not None:
            parts.append(f"document {self.document!r}")
        if self.path:
            parts.append(f"at {self.path}")
        head = ", ".join(parts)
        return f"{head}: {self.message}\n    expected: {self.expected}\n    fix: {self.fix}"


class DataError(ValueError):
    """Raised by loaders when input has problems; carries all of them."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        body = "\n".join(p.format() for p in self.problems[:50])
        more = f"\n... and {count - 50} more" if count > 50 else ""
        super().__init__(f"{count} data {noun}:\n{body}{more}")


def json_pointer(parts: Iterable[str | int]) -> str:
    """Return the RFC 6901 JSON Pointer for a sequence of keys and indices."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def did_you_mean(value: object, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'X'?)"`` for the closest choice, or ``""``."""
    if not isinstance(value, str):
        return ""
    options = list(choices)
    close = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in options}
        if value.lower() in lowered:
            close = [lowered[value.lower()]]
    return f" (did you mean {close[0]!r}?)" if close else ""
