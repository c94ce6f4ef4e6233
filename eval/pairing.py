"""Pair prediction documents with gold documents by id, and apply label maps.

A gold document without a prediction is an error unless ``allow_missing`` (it
then counts as predicting nothing, and the report lists it). A prediction for
a document the gold does not have is always an error. A prediction whose text
differs from the gold text is an error: its offsets would point elsewhere.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsbench.schema.contract import ENTITY_TYPES
from newsbench.schema.inventory import Inventory
from newsbench.schema.io import JsonlSource, gc_paused, iter_jsonl
from newsbench.schema.model import Document
from newsbench.schema.problems import DataError, Problem, did_you_mean, json_pointer
from newsbench.schema.validate import ValidatedLine, repeated_id_problem, validate_record


@dataclass(frozen=True, slots=True)
class DocumentPair:
    """A gold document and the system's prediction for it."""

    gold: Document
    pred: Document
    missing: bool = False


@dataclass(frozen=True, slots=True)
class LabelMap:
    """A mapping from a system's entity labels onto the corpus types.

    ``None`` as a target means "deliberately not scored": such mentions are
    removed before scoring and counted in the report, never silently, and so are the
    event arguments naming them (an attribution's source keeps its span, without the link).
    """

    name: str
    mapping: Mapping[str, str | None]

    @property
    def signature_name(self) -> str:
        """``name@digest``: the name and the first 8 hex digits of the mapping's sha256."""
        canonical = json.dumps(dict(self.mapping), sort_keys=True, separators=(",", ":"))
        return f"{self.name}@{hashlib.sha256(canonical.encode()).hexdigest()[:8]}"


def text_sha256(text: str) -> str:
    """Return the sha256 of a text's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def pair_documents(
    gold: Sequence[Document],
    predictions: Sequence[Document],
    *,
    allow_missing: bool = False,
    pred_file: str | None = None,
) -> list[DocumentPair]:
    """Pair predictions with gold documents by id, in gold order.

    Raises:
        DataError: with every missing, extra, repeated or text-mismatched document.
    """
    problems: list[Problem] = []
    by_id: dict[str, Document] = {}
    for side, documents in (("gold", gold), ("prediction", predictions)):
        seen: set[str] = set()
        for document in documents:
            if document.id in seen:  # the loaders refuse it at its line; this is a backstop
                problems.append(_repeated_document(side, document.id, pred_file))
            seen.add(document.id)
            if side == "prediction":
                by_id.setdefault(document.id, document)
    gold_ids = {d.id for d in gold}
    for doc_id in sorted(set(by_id) - gold_ids):
        problems.append(
            Problem(
                "prediction-extra-document",
                f"the prediction file has a document {doc_id!r} that the gold does not have"
                f"{did_you_mean(doc_id, sorted(gold_ids))}",
                "only document ids of the gold corpus",
                "remove the document or score it against the right gold corpus",
                file=pred_file,
                document=doc_id,
                path="/id",
            )
        )
    pairs: list[DocumentPair] = []
    for doc in gold:
        pred = by_id.get(doc.id)
        if pred is None:
            if not allow_missing:
                problems.append(
                    Problem(
                        "prediction-missing-document",
                        f"no prediction for the gold document {doc.id!r}",
                        "one prediction document per gold document",
                        "predict every document, or pass --allow-missing to score it as "
                        "predicting nothing",
                        file=pred_file,
                        document=doc.id,
                    )
                )
                continue
            pairs.append(DocumentPair(doc, Document(id=doc.id, text=doc.text), missing=True))
            continue
        if pred.text != doc.text:
            problems.append(
                Problem(
                    "prediction-text-mismatch",
                    f"the prediction's text (sha256 {text_sha256(pred.text)[:12]}, "
                    f"{len(pred.text)} chars) differs from the gold text (sha256 "
                    f"{text_sha256(doc.text)[:12]}, {len(doc.text)} chars)",
                    "the gold document's text, unchanged",
                    "predict on the gold text exactly as distributed (no normalisation); "
                    "check the corpus version",
                    file=pred_file,
                    document=doc.id,
                    path="/text",
                )
            )
            continue
        pairs.append(DocumentPair(doc, pred))
    if problems:
        raise DataError(problems)
    return pairs


def _repeated_document(side: str, doc_id: str, pred_file: str | None) -> Problem:
    return Problem(
        "duplicate-document-id",
        f"the {side} documents hold {doc_id!r} more than once",
        "each document id once",
        "remove the repeated document or rename it",
        file=pred_file if side == "prediction" else None,
        document=doc_id,
        path="/id",
    )


LABEL_MAP_KEYS: tuple[str, ...] = ("name", "description", "source_labels", "map")
LABEL_MAP_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_LABEL_MAP_SHAPE = 'a JSON object {"name": ..., "map": {"LABEL": "TYPE" or null}}'


def _label_map_problem(message: str, fix: str, file: str, path: str = "") -> Problem:
    return Problem("label-map-invalid", message, _LABEL_MAP_SHAPE, fix, file=file, path=path)


BUILTIN_LABEL_MAPS: tuple[str, ...] = ("ontonotes", "conll2003")
"""Label maps shipped in ``schema/label_maps`` (``--label-map NAME``)."""


def resolve_label_map(
    value: str | os.PathLike[str] | LabelMap | None, inventory: Inventory | None = None
) -> LabelMap | None:
    """A packaged label map by name, a label map file, or ``value`` itself; a name or file
    maps onto the types of ``inventory`` (default newsbench)."""
    if value is None or isinstance(value, LabelMap):
        return value
    if not isinstance(value, str | os.PathLike):
        raise TypeError(
            f"label_map must be a packaged map's name ({', '.join(sorted(BUILTIN_LABEL_MAPS))}),"
            f" a label map file or a LabelMap, not {type(value).__name__}"
        )
    if str(value) in BUILTIN_LABEL_MAPS:
        from importlib import resources

        name = f"{value}.json"
        packaged = str(resources.files("newsbench.schema.label_maps").joinpath(name))
        return load_label_map(packaged, inventory)
    return load_label_map(value, inventory)


def load_label_map(path: str | os.PathLike[str], inventory: Inventory | None = None) -> LabelMap:
    """Load a label map JSON file (``{"name": ..., "map": {label: type | null}}``).

    Keys other than ``name``, ``description``, ``source_labels`` and ``map`` are refused,
    and the name (default: the file's stem) must be a plain identifier, because it is
    written into the metric signature.

    Raises:
        DataError: with every problem: unreadable, not JSON, nested too deep, unknown
            keys, a bad name, a malformed map, or a target that is not a type of
            ``inventory`` (default newsbench).
    """
    file = str(path)
    types = ENTITY_TYPES if inventory is None else inventory.entity_types
    where = "a corpus type" if inventory is None else f"a type of the {inventory.name} inventory"
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except RecursionError:
        raise DataError(
            [_label_map_problem("JSON nested too deep to read", "check the file", file)]
        ) from None
    except (OSError, ValueError) as exc:
        raise DataError(
            [
                _label_map_problem(
                    f"cannot read the label map: {exc}", "check the path and the JSON syntax", file
                )
            ]
        ) from None
    if not isinstance(data, dict):
        raise DataError(
            [_label_map_problem("the label map has no 'map' object", "write a JSON object", file)]
        )
    problems = [
        _label_map_problem(
            f"unknown key {key!r}{did_you_mean(key, LABEL_MAP_KEYS)}",
            f"use only {', '.join(LABEL_MAP_KEYS)}",
            file,
            json_pointer([key]),
        )
        for key in data
        if key not in LABEL_MAP_KEYS
    ]
    name = data.get("name", Path(path).stem)
    if not isinstance(name, str) or not LABEL_MAP_NAME.fullmatch(name):
        problems.append(
            _label_map_problem(
                f"the name {name!r} cannot stand in a metric signature",
                "a name of letters, digits, '_', '.' and '-' (at most 64), e.g. \"conll2003\"",
                file,
                "/name",
            )
        )
    mapping = data.get("map")
    if not isinstance(mapping, dict):
        problems.append(
            _label_map_problem(
                "the label map has no 'map' object", "put the label pairs under the key 'map'", file
            )
        )
        raise DataError(problems)
    for source, target in mapping.items():
        if target is not None and not isinstance(target, str):
            problems.append(
                _label_map_problem(
                    f"the label {source!r} maps onto {target!r}, which is not a string or null",
                    "write the corpus type as a string, or null for 'not scored'",
                    file,
                    json_pointer(["map", source]),
                )
            )
        elif target is not None and target not in types:
            problems.append(
                Problem(
                    "label-map-unknown-target",
                    f"the label {source!r} maps onto {target!r}, which is not {where}"
                    f"{did_you_mean(target, types)}",
                    f"one of {', '.join(types)}, or null for 'not scored'",
                    "map onto the types of the gold's inventory (--inventory), or give no "
                    "map when the predictions already use them",
                    file=file,
                    path=json_pointer(["map", source]),
                )
            )
    if problems:
        raise DataError(problems)
    return LabelMap(name, dict(mapping))


def apply_label_map(
    record: dict[str, Any],
    label_map: LabelMap,
    *,
    file: str | None = None,
    line: int | None = None,
) -> tuple[dict[str, Any], dict[str, int], list[Problem]]:
    """Map the entity labels of a raw prediction record, before validation.

    Returns:
        The mapped record (a copy), the count of mentions removed per label
        (labels mapped to ``None``), and a problem for every label the map lacks:
        nothing is dropped silently.
    """
    mentions = record.get("mentions") if isinstance(record, dict) else None
    if not isinstance(mentions, list):
        return record, {}, []
    doc_id = record.get("id") if isinstance(record.get("id"), str) else None
    kept: list[Any] = []
    removed: dict[str, int] = {}
    problems: list[Problem] = []
    gone: set[str] = set()
    for i, mention in enumerate(mentions):
        label = mention.get("type") if isinstance(mention, dict) else None
        if not isinstance(label, str):
            kept.append(mention)  # the validator reports it
            continue
        if label not in label_map.mapping:
            problems.append(
                Problem(
                    "label-map-missing-label",
                    f"the label {label!r} is not in the label map {label_map.name!r}"
                    f"{did_you_mean(label, label_map.mapping)}",
                    "every predicted label listed in the map (null to leave it unscored)",
                    "add the label to the map",
                    file=file,
                    line=line,
                    document=doc_id,
                    path=f"/mentions/{i}/type",
                )
            )
            continue
        target = label_map.mapping[label]
        if target is None:
            removed[label] = removed.get(label, 0) + 1
            if isinstance(mention.get("id"), str):
                gone.add(mention["id"])
        else:
            kept.append({**mention, "type": target})
    mapped = {**record, "mentions": kept}
    if gone:
        _drop_references(mapped, gone, removed)
    return mapped, removed, problems


REMOVED_ARGUMENTS = "event arguments naming a removed mention"
REMOVED_SOURCE_LINKS = "attribution sources' links to a removed mention"
REMOVED_INTERMEDIARIES = "attribution intermediaries naming a removed mention"


def _names(reference: object, gone: set[str]) -> bool:
    """Whether ``reference`` is the id of a removed mention (a value of another type is no
    id: the validator reports it, located)."""
    return type(reference) is str and reference in gone


def _drop_references(record: dict[str, Any], gone: set[str], removed: dict[str, int]) -> None:
    """Remove what refers to a mention the label map removed (an event argument; the link
    of an attribution's source, whose span stays; an attribution's intermediary), counted
    into ``removed`` by kind: a removed mention is unscored, not a dangling reference."""
    events = record.get("events")
    if isinstance(events, list):
        mapped_events = []
        for event in events:
            arguments = event.get("arguments") if isinstance(event, dict) else None
            if isinstance(arguments, list):
                left = [
                    a for a in arguments if not (isinstance(a, dict) and _names(a.get("ref"), gone))
                ]
                if len(left) < len(arguments):
                    removed[REMOVED_ARGUMENTS] = (
                        removed.get(REMOVED_ARGUMENTS, 0) + len(arguments) - len(left)
                    )
                    event = {**event, "arguments": left}
            mapped_events.append(event)
        record["events"] = mapped_events
    attributions = record.get("attributions")
    if isinstance(attributions, list):
        mapped_attributions = []
        for attribution in attributions:
            source = attribution.get("source") if isinstance(attribution, dict) else None
            if isinstance(source, dict) and _names(source.get("mention"), gone):
                removed[REMOVED_SOURCE_LINKS] = removed.get(REMOVED_SOURCE_LINKS, 0) + 1
                attribution = {
                    **attribution,
                    "source": {k: v for k, v in source.items() if k != "mention"},
                }
            if isinstance(attribution, dict) and _names(attribution.get("intermediary"), gone):
                removed[REMOVED_INTERMEDIARIES] = removed.get(REMOVED_INTERMEDIARIES, 0) + 1
                attribution = {k: v for k, v in attribution.items() if k != "intermediary"}
            mapped_attributions.append(attribution)
        record["attributions"] = mapped_attributions


@dataclass(frozen=True)
class LoadedPredictions:
    """Validated predictions and what a label map removed."""

    documents: list[Document]
    removed_by_label: dict[str, int]


def load_predictions(
    path: str | Path, label_map: LabelMap | None = None, *, inventory: Inventory | None = None
) -> LoadedPredictions:
    """Read, label-map and validate a prediction file (streaming, every problem at once).

    Labels are checked against ``inventory`` (default: the newsbench inventory).

    Raises:
        DataError: with every problem of the file.
    """
    with gc_paused():
        documents, removed, problems = _read_predictions(path, label_map, inventory)
    if problems:
        raise DataError(problems)
    return LoadedPredictions(documents, dict(sorted(removed.items())))


def _read_predictions(
    path: str | Path, label_map: LabelMap | None, inventory: Inventory | None = None
) -> tuple[list[Document], dict[str, int], list[Problem]]:
    """Return the valid documents, the removed-label counts and every problem of a file."""
    documents: list[Document] = []
    removed: dict[str, int] = {}
    problems: list[Problem] = []
    for line in iter_validated_predictions(path, label_map, removed, inventory=inventory):
        problems.extend(line.problems)
        if line.document is not None and not line.problems:
            documents.append(line.document)
    return documents, removed, problems


def iter_validated_predictions(
    path: JsonlSource,
    label_map: LabelMap | None,
    removed: dict[str, int],
    *,
    inventory: Inventory | None = None,
    first_line: int = 1,
) -> Iterator[ValidatedLine]:
    """Stream a prediction file line by line: label-mapped, validated, repeated ids found.

    The predictions' :func:`~newsbench.schema.validate.iter_validated`: the label map is
    applied first (the labels it removes are counted into ``removed``), and a line with
    problems still holds its id, so a later line repeating it is reported too.
    """
    seen: dict[str, int] = {}
    for item in iter_jsonl(path, first_line=first_line):
        if item.problem is not None:
            yield ValidatedLine(item.file, item.line, None, (item.problem,))
            continue
        record, problems = item.value, []
        if label_map is not None:
            record, dropped, problems = apply_label_map(
                record, label_map, file=item.file, line=item.line
            )
            for label, count in dropped.items():
                removed[label] = removed.get(label, 0) + count
        document, more = validate_record(
            record, "prediction", file=item.file, line=item.line, inventory=inventory
        )
        repeated = repeated_id_problem(seen, record.get("id"), item.file, item.line)
        if repeated is not None:
            more.append(repeated)
        yield ValidatedLine(item.file, item.line, document, (*problems, *more))
