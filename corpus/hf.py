"""Hugging Face ``datasets`` view of the gold corpus: four configs, their features, loaders.

``corpus/`` is itself a dataset folder: ``datasets.load_dataset("<clone>/corpus")`` reads
the YAML ``configs:`` and ``dataset_info:`` of ``corpus/README.md``. That YAML block is
generated from the declarations below (the single source of truth), as are the derived
files of the ``ner``, ``events`` and ``attributions`` configs. The ``documents`` config
is the gold file itself. Regenerate everything with::

    python -m newsbench.corpus.hf            # write data/{ner,events,attributions}-*.jsonl + YAML
    python -m newsbench.corpus.hf --check    # exit 1 when a derived file is stale

Configs (each with a ``validation`` and a ``test`` split, the corpus's splits):

* ``documents`` (default): one row per document, every layer nested as in the gold.
* ``ner``: one row per sentence: ``tokens`` (the project token view), their document
  offsets and IOB2 ``ner_tags`` (a ``ClassLabel`` sequence over :data:`NER_TAGS`) of the
  named (NAM) mentions only. IOB2 cannot nest: should two NAM mentions overlap, the
  outermost wins (order by start, then longest first; a mention overlapping one already
  kept is dropped). ``mention_ids`` lists the mentions encoded.
* ``events``: one row per event: trigger, type, realis, hopper and the arguments with the
  text and offsets of the mention or time expression each refers to.
* ``attributions``: one row per attribution: cue, source and content spans with their
  texts, and the relation's attributes.
* ``perturbed``: one row per perturbed copy of a document (issue #15): the
  ``perturbation`` column (``names-invented``, ``names-real``, ``dates-shifted``,
  ``counterfactual``, ``lowercase``, ``uppercase``, ``typos``), then the whole document
  as in ``documents``, every annotation transferred exactly onto the changed text. The
  same copies as ``data/perturbed/<name>-<split>.jsonl``, which ``score --perturbation``
  reads.

Offsets are int32 half-open ``[start, end)`` Python ``str`` indices into the document
text; ids are strings; every closed label set (entity, mention, TIMEX and event types,
realis, roles, zone types, attribution classes and modes, perturbations) is a
``ClassLabel`` whose names are the schema's labels in schema order (the data files hold
the labels; ``datasets`` encodes them on load, ``documents_from_dataset`` decodes them).
Optional keys are declared, so a row always has every feature (an absent key is
``null``). Dates are the other exception to "strings stay strings": ``metadata.dct`` is
declared ``date32``: pyarrow's JSON reader infers ISO dates as
timestamps, which ``datasets`` would turn into the string ``"2024-12-08 00:00:00"``;
:func:`documents_from_dataset` turns the date back into the gold's ISO string.

``datasets`` is an optional extra (``pip install 'newsbench[hf]'``): it is imported only
inside the functions that need it.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from newsbench.corpus import DEFAULT_SPLIT, PERTURBATIONS, SPLITS, gold_file_name, gold_path
from newsbench.eval.bio import bio_to_offsets, offsets_to_bio
from newsbench.eval.spans import Span as LabelledSpan
from newsbench.schema.contract import (
    ATTRIBUTION_MODES,
    ENTITY_TYPES,
    EVENT_TYPES,
    MENTION_TYPES,
    REALIS_VALUES,
    ROLES,
    SOURCE_CLASSES,
    TIMEX_TYPES,
    ZONE_TYPES,
)
from newsbench.schema.io import atomic_output, dumps_line
from newsbench.schema.model import Document, Mention, document_from_dict, document_to_dict

CORPUS_DIR = Path(__file__).resolve().parent
"""The dataset folder (``corpus/`` in a clone, ``newsbench/corpus/`` when installed)."""
CARD = CORPUS_DIR / "README.md"

CONFIGS: tuple[str, ...] = ("documents", "ner", "events", "attributions", "perturbed")
DEFAULT_CONFIG = "documents"
DATA_FILES: dict[str, dict[str, str]] = {
    config: {
        split: f"data/{gold_file_name(split)}"
        if config == "documents"
        else f"data/{config}-{split}.jsonl"
        for split in SPLITS
    }
    for config in CONFIGS
}
"""Data file of each config and split, relative to the dataset folder (package data)."""

NER_MENTION_TYPES: tuple[str, ...] = ("NAM",)
"""Mention types encoded in the ``ner`` config's IOB2 tags."""

NER_TAGS: tuple[str, ...] = (
    "O",
    *(f"{prefix}-{label}" for label in ENTITY_TYPES for prefix in ("B", "I")),
)
"""The ``ner_tags`` ClassLabel names, in id order: ``O``, then ``B-X``, ``I-X`` for each
entity type X in schema order (PER, ORG, GPE, LOC, FAC, VEH, WEA)."""

HF_INSTALL_HINT = "pip install 'newsbench[hf]'"


# --- feature declarations (the single source of truth) ---------------------------------


@dataclass(frozen=True, slots=True)
class ClassLabels:
    """Declaration of a ``datasets.ClassLabel`` with these names (id = position).

    ``ids_in_file``: the data file holds the ids (``ner_tags``); otherwise it holds the
    names, as the gold does, and ``datasets`` encodes them on load.
    """

    names: tuple[str, ...]
    ids_in_file: bool = False


_ENTITY_TYPE = ClassLabels(ENTITY_TYPES)
_MENTION_TYPE = ClassLabels(MENTION_TYPES)
_TIMEX_TYPE = ClassLabels(TIMEX_TYPES)
_EVENT_TYPE = ClassLabels(EVENT_TYPES)
_REALIS = ClassLabels(REALIS_VALUES)
_ROLE = ClassLabels(ROLES)
_ZONE_TYPE = ClassLabels(ZONE_TYPES)
_SOURCE_CLASS = ClassLabels(SOURCE_CLASSES)
_MODE = ClassLabels(ATTRIBUTION_MODES)
_PERTURBATION = ClassLabels(PERTURBATIONS)


Node = str | ClassLabels | dict[str, "Node"] | list["Node"]
"""A feature declaration: a ``Value`` dtype (``"string"``, ``"int32"``), a
:class:`ClassLabels`, a dict (a struct, fields in order) or a one-item list (a ``List``)."""

_SPAN: dict[str, Node] = {"start": "int32", "end": "int32", "text": "string"}
_IDSPAN: dict[str, Node] = {"id": "string", **_SPAN}
_METADATA: dict[str, Node] = {
    "dct": "date32",
    "source_file": "string",
    "source_sha256": "string",
    "language": "string",
    "title": "string",
}

FEATURES: dict[str, dict[str, Node]] = {
    "documents": {
        "id": "string",
        "text": "string",
        "metadata": _METADATA,
        "paragraphs": [_IDSPAN],
        "zones": [{"id": "string", "type": _ZONE_TYPE, **_SPAN}],
        "sentences": [_IDSPAN],
        "mentions": [
            {**_IDSPAN, "type": _ENTITY_TYPE, "mention_type": _MENTION_TYPE, "entity": "string"}
        ],
        "time_expressions": [{**_IDSPAN, "type": _TIMEX_TYPE, "value": "string"}],
        "events": [
            {
                "id": "string",
                "type": _EVENT_TYPE,
                "trigger": _SPAN,
                "realis": _REALIS,
                "arguments": [{"role": _ROLE, "ref": "string"}],
                "hopper": "string",
            }
        ],
        "attributions": [
            {
                "id": "string",
                "cue": [_SPAN],
                "source": {**_SPAN, "mention": "string"},
                "content": [_SPAN],
                "intermediary": "string",
                "source_class": _SOURCE_CLASS,
                "mode": _MODE,
                "parent": "string",
            }
        ],
    },
    "perturbed": {
        "perturbation": _PERTURBATION,
        "id": "string",
        "text": "string",
        "metadata": {
            **_METADATA,
            "perturbation": "string",
            "perturbation_seed": "int32",
            "original_sha256": "string",
        },
    },
    "ner": {
        "document_id": "string",
        "id": "string",
        "tokens": ["string"],
        "token_starts": ["int32"],
        "token_ends": ["int32"],
        "ner_tags": [ClassLabels(NER_TAGS, ids_in_file=True)],
        "mention_ids": ["string"],
    },
    "events": {
        "document_id": "string",
        "id": "string",
        "type": _EVENT_TYPE,
        "trigger": _SPAN,
        "realis": _REALIS,
        "arguments": [{"role": _ROLE, "ref": "string", **_SPAN}],
        "hopper": "string",
    },
    "attributions": {
        "document_id": "string",
        "id": "string",
        "cue": [_SPAN],
        "source": {**_SPAN, "mention": "string"},
        "content": [_SPAN],
        "intermediary": "string",
        "source_class": _SOURCE_CLASS,
        "mode": _MODE,
        "parent": "string",
    },
}
for _layer in ("paragraphs", "zones", "sentences", "mentions", "time_expressions", "events",
               "attributions"):  # fmt: skip
    FEATURES["perturbed"][_layer] = FEATURES["documents"][_layer]
"""Features of each config, in column order."""


def _yaml_node(node: Node) -> dict[str, Any]:
    if isinstance(node, str):
        return {"dtype": node}
    if isinstance(node, ClassLabels):
        return {"class_label": {"names": {str(i): name for i, name in enumerate(node.names)}}}
    if isinstance(node, dict):
        return {"struct": _yaml_fields(node)}
    (item,) = node
    inner = _yaml_node(item)
    if list(inner) in (["dtype"], ["struct"]):  # the short forms datasets writes
        return {"list": next(iter(inner.values()))}
    return {"list": inner}


def _yaml_fields(fields: Mapping[str, Node]) -> list[dict[str, Any]]:
    out = []
    for name, node in fields.items():
        if isinstance(node, ClassLabels):  # a named ClassLabel is a dtype, as datasets writes it
            out.append({"name": name, "dtype": _yaml_node(node)})
        else:
            out.append({"name": name, **_yaml_node(node)})
    return out


def configs_metadata() -> list[dict[str, Any]]:
    """Return the card's YAML ``configs:`` list."""
    entries = []
    for name in CONFIGS:
        entry: dict[str, Any] = {"config_name": name}
        if name == DEFAULT_CONFIG:
            entry["default"] = True
        entry["data_files"] = [
            {"split": split, "path": DATA_FILES[name][split]} for split in SPLITS
        ]
        entries.append(entry)
    return entries


def dataset_info_metadata() -> list[dict[str, Any]]:
    """Return the card's YAML ``dataset_info:`` list (features per config)."""
    return [{"config_name": name, "features": _yaml_fields(FEATURES[name])} for name in CONFIGS]


def _require_datasets() -> Any:
    try:
        import datasets
    except ImportError as error:
        raise ImportError(
            f"the Hugging Face view of the corpus needs `datasets`: {HF_INSTALL_HINT}"
        ) from error
    return datasets


def _hf_node(node: Node, datasets: Any) -> Any:
    if isinstance(node, str):
        return datasets.Value(node)
    if isinstance(node, ClassLabels):
        return datasets.ClassLabel(names=list(node.names))
    if isinstance(node, dict):
        return {name: _hf_node(child, datasets) for name, child in node.items()}
    (item,) = node
    return datasets.List(_hf_node(item, datasets))


def features(config: str = DEFAULT_CONFIG) -> Any:
    """Return the ``datasets.Features`` of ``config`` (needs ``newsbench[hf]``).

    Raises:
        ValueError: On an unknown config.
        ImportError: If ``datasets`` is not installed.
    """
    _check_config(config)
    datasets = _require_datasets()
    return datasets.Features(
        {name: _hf_node(node, datasets) for name, node in FEATURES[config].items()}
    )


def _check_config(config: str) -> None:
    if config not in CONFIGS:
        raise ValueError(f"unknown config {config!r}; choose one of {', '.join(CONFIGS)}")


# --- derived rows ----------------------------------------------------------------------


def _span_row(span: Any) -> dict[str, Any]:
    return {"start": span.start, "end": span.end, "text": span.text}


def ner_mentions(doc: Document) -> list[Mention]:
    """Return the mentions the ``ner`` config encodes: NAM, outermost first on overlap.

    Mentions are ordered by ``(start, -end, id)``; one that overlaps a mention already
    kept is dropped, so a containing mention wins over what it contains.
    """
    candidates = sorted(
        (m for m in doc.layer("mentions") if m.mention_type in NER_MENTION_TYPES),
        key=lambda m: (m.start, -m.end, m.id),
    )
    kept: list[Mention] = []
    for mention in candidates:
        if not kept or mention.start >= kept[-1].end:
            kept.append(mention)
    return kept


def ner_rows(doc: Document) -> list[dict[str, Any]]:
    """Return the ``ner`` rows of ``doc``: one per sentence, NAM mentions in IOB2.

    Raises:
        ValueError: If an encoded mention is not inside exactly one sentence.
    """
    mentions = ner_mentions(doc)
    placed: dict[str, list[Mention]] = {s.id: [] for s in doc.layer("sentences")}
    for mention in mentions:
        homes = [s for s in doc.layer("sentences") if s.start <= mention.start < s.end]
        if len(homes) != 1 or mention.end > homes[0].end:
            raise ValueError(
                f"{doc.id}: mention {mention.id} {mention.text!r} [{mention.start}, "
                f"{mention.end}) is not inside exactly one sentence; the ner config cannot "
                "place it"
            )
        placed[homes[0].id].append(mention)
    rows = []
    for sentence in doc.layer("sentences"):
        inside = placed[sentence.id]
        spans = [
            LabelledSpan(m.start - sentence.start, m.end - sentence.start, m.type) for m in inside
        ]
        tokens, tags = offsets_to_bio(sentence.text, spans)
        rows.append(
            {
                "document_id": doc.id,
                "id": sentence.id,
                "tokens": [t.text for t in tokens],
                "token_starts": [t.start + sentence.start for t in tokens],
                "token_ends": [t.end + sentence.start for t in tokens],
                "ner_tags": [NER_TAGS.index(tag) for tag in tags],
                "mention_ids": [m.id for m in inside],
            }
        )
    return rows


def event_rows(doc: Document) -> list[dict[str, Any]]:
    """Return the ``events`` rows of ``doc``: arguments resolved to their text and offsets.

    Raises:
        ValueError: If an argument refers to an id that is no mention or time expression.
    """
    spans = {m.id: m for m in doc.layer("mentions")}
    spans.update({t.id: t for t in doc.layer("time_expressions")})
    rows = []
    for event in doc.layer("events"):
        arguments = []
        for argument in event.arguments or ():
            target = spans.get(argument.ref)
            if target is None:
                raise ValueError(f"{doc.id}: event {event.id} argument ref {argument.ref!r}")
            arguments.append({"role": argument.role, "ref": argument.ref, **_span_row(target)})
        rows.append(
            {
                "document_id": doc.id,
                "id": event.id,
                "type": event.type,
                "trigger": _span_row(event.trigger),
                "realis": event.realis,
                "arguments": arguments,
                "hopper": event.hopper,
            }
        )
    return rows


def attribution_rows(doc: Document) -> list[dict[str, Any]]:
    """Return the ``attributions`` rows of ``doc`` (every key present; absent -> null)."""
    rows = []
    for a in doc.layer("attributions"):
        source = None
        if a.source is not None:
            source = {**_span_row(a.source), "mention": a.source.mention}
        rows.append(
            {
                "document_id": doc.id,
                "id": a.id,
                "cue": [_span_row(s) for s in a.cue],
                "source": source,
                "content": [_span_row(s) for s in a.content],
                "intermediary": a.intermediary,
                "source_class": a.source_class,
                "mode": a.mode,
                "parent": a.parent,
            }
        )
    return rows


def perturbed_rows(doc: Document) -> list[dict[str, Any]]:
    """Return the ``perturbed`` rows of ``doc``: its published perturbed copies (seed
    :data:`~newsbench.corpus.PERTURBATION_SEED`), one per perturbation, each a whole
    document with the ``perturbation`` column first."""
    from newsbench.corpus.perturbed import perturb_documents

    return [
        {"perturbation": name, **document_to_dict(perturb_documents([doc], name)[0])}
        for name in PERTURBATIONS
    ]


_ROWS = {
    "ner": ner_rows,
    "events": event_rows,
    "attributions": attribution_rows,
    "perturbed": perturbed_rows,
}
DERIVED_CONFIGS: tuple[str, ...] = tuple(_ROWS)
"""The configs whose data files this module writes (``documents`` is the gold itself)."""


def derived_rows(config: str, documents: Sequence[Document]) -> list[dict[str, Any]]:
    """Return the rows of a derived config for ``documents``, in document order."""
    return [row for doc in documents for row in _ROWS[config](doc)]


def render_rows(rows: Iterable[Mapping[str, Any]]) -> bytes:
    """Return rows as compact JSON Lines (keys in feature order)."""
    return b"".join(dumps_line(row) + b"\n" for row in rows)


# --- the card's YAML block ---------------------------------------------------------------

YAML_START = "# hf:start (generated by `python -m newsbench.corpus.hf`; do not edit by hand)"
YAML_END = "# hf:end"
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_./-]*\Z")
_RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        if _PLAIN.match(value) and value.lower() not in _RESERVED:
            return value
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"no YAML form for {value!r}")


def _yaml_lines(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, child in value.items():
            head = f"{pad}{_scalar(key)}:"
            if isinstance(child, (dict, list)):
                lines.append(head)
                lines += _yaml_lines(child, indent + 2 if isinstance(child, dict) else indent)
            else:
                lines.append(f"{head} {_scalar(child)}")
    else:
        for item in value:
            if isinstance(item, dict):
                inner = _yaml_lines(item, indent + 2)
                lines.append(f"{pad}- {inner[0].lstrip()}")
                lines += inner[1:]
            else:
                lines.append(f"{pad}- {_scalar(item)}")
    return lines


def yaml_block() -> str:
    """Return the generated front-matter lines (``configs:`` and ``dataset_info:``)."""
    note = [
        YAML_START,
        f"# ner config: mention_types = {', '.join(NER_MENTION_TYPES)} (named mentions only; on",
        "#   overlap the outermost wins: order by start, longest first, drop a mention that",
        "#   overlaps one kept). Each row lists the mentions it encodes in `mention_ids`.",
        "# ner_tags ClassLabel names in id order: O, then B-X, I-X for X in",
        f"#   {', '.join(ENTITY_TYPES)}.",
    ]
    body = _yaml_lines({"configs": configs_metadata(), "dataset_info": dataset_info_metadata()}, 0)
    return "\n".join([*note, *body, YAML_END]) + "\n"


def updated_card(card_text: str) -> str:
    """Return ``card_text`` with the generated block of its YAML front matter replaced.

    Only the front matter (between the first two ``---`` lines) changes; the generated
    block goes at its end. Everything after the front matter is kept byte for byte.

    Raises:
        ValueError: If the card has no front matter, or ``configs:``/``dataset_info:``
            outside the generated block.
    """
    lines = card_text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != "---":
        raise ValueError("the card does not start with a `---` YAML front matter line")
    try:
        close = next(i for i in range(1, len(lines)) if lines[i].rstrip("\r\n") == "---")
    except StopIteration:
        raise ValueError("the card's YAML front matter has no closing `---` line") from None
    front = lines[1:close]
    kept: list[str] = []
    inside = False
    for line in front:
        bare = line.rstrip("\r\n")
        if bare == YAML_START:
            inside = True
        elif bare == YAML_END and inside:
            inside = False
        elif not inside:
            if bare.startswith(("configs:", "dataset_info:")):
                raise ValueError(
                    f"the card's front matter has a hand-written {bare!r}: remove it; "
                    "`python -m newsbench.corpus.hf` generates it"
                )
            kept.append(line)
    if inside:
        raise ValueError(f"the card's front matter opens {YAML_START!r} but never closes it")
    return "".join([lines[0], *kept, yaml_block(), *lines[close:]])


# --- command line ------------------------------------------------------------------------


def expected_files(documents: Mapping[str, Sequence[Document]]) -> dict[Path, bytes]:
    """Return every generated file (derived data files and the card) with its content.

    Args:
        documents: The gold documents of each split.
    """
    files = {
        CORPUS_DIR / DATA_FILES[config][split]: render_rows(derived_rows(config, docs))
        for config in DERIVED_CONFIGS
        for split, docs in documents.items()
    }
    files[CARD] = updated_card(CARD.read_text("utf-8")).encode("utf-8")
    return files


def gold_by_split() -> dict[str, list[Document]]:
    """The published gold documents of every split."""
    from newsbench.schema.validate import load_documents

    return {split: load_documents(gold_path(split)) for split in SPLITS}


def stale_files(documents: Mapping[str, Sequence[Document]] | None = None) -> list[Path]:
    """Return the generated files that differ from what the gold gives."""
    docs = gold_by_split() if documents is None else documents
    return [
        path
        for path, content in expected_files(docs).items()
        if not path.exists() or path.read_bytes() != content
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate the derived config files and the card's YAML; ``--check`` only compares."""
    parser = argparse.ArgumentParser(
        prog="python -m newsbench.corpus.hf",
        description="Derive the Hugging Face config files and card YAML from the gold.",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a file is stale")
    args = parser.parse_args(argv)
    documents = gold_by_split()
    if args.check:
        stale = stale_files(documents)
        for path in stale:
            print(f"stale: {path} (run: python -m newsbench.corpus.hf)", file=sys.stderr)
        return 1 if stale else 0
    for path, content in expected_files(documents).items():
        if path.exists() and path.read_bytes() == content:
            continue
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        with atomic_output(path) as handle:
            handle.write(content)
        path.chmod(mode)  # the temporary file atomic_output renames is private (0600)
        print(f"wrote {path}")
    return 0


# --- loading and conversion --------------------------------------------------------------


def load_hf(
    config: str = DEFAULT_CONFIG, *, split: str | None = DEFAULT_SPLIT, cache_dir: str | None = None
) -> Any:
    """Load a config of the installed corpus with ``datasets``, offline.

    Reads the package data (:mod:`importlib.resources`) with the declared features, the
    same data and features as ``datasets.load_dataset("<clone>/corpus", config)``.

    Args:
        config: ``documents`` (default), ``ner``, ``events``, ``attributions`` or
            ``perturbed``.
        split: ``"test"`` (default, the held-out split) or ``"validation"`` (the seed
            article) returns a ``datasets.Dataset``; ``None`` returns the
            ``datasets.DatasetDict`` of both.
        cache_dir: Where ``datasets`` caches the Arrow files (default: its own).

    Raises:
        ValueError: On an unknown config.
        ImportError: If ``datasets`` is not installed (``pip install 'newsbench[hf]'``).
    """
    _check_config(config)
    if split is not None and split not in SPLITS:
        raise ValueError(f"unknown split {split!r}: choose one of {', '.join(SPLITS)}")
    datasets = _require_datasets()
    package = resources.files("newsbench.corpus")
    with contextlib.ExitStack() as stack:
        files = {
            name: str(stack.enter_context(resources.as_file(package.joinpath(relative))))
            for name, relative in DATA_FILES[config].items()
        }
        return datasets.load_dataset(
            "json", data_files=files, features=features(config), split=split, cache_dir=cache_dir
        )


def _gold_value(value: Any, node: Node | None) -> Any:
    if isinstance(value, Mapping):
        children = node if isinstance(node, dict) else {}
        return {
            key: _gold_value(child, children.get(key))
            for key, child in value.items()
            if child is not None
        }
    if isinstance(value, list):
        item = node[0] if isinstance(node, list) else None
        return [_gold_value(entry, item) for entry in value]
    if isinstance(value, datetime.date):  # metadata.dct (date32)
        return value.isoformat()
    if isinstance(node, ClassLabels) and isinstance(value, int) and not isinstance(value, bool):
        return node.names[value]  # a ClassLabel id back to its label
    return value


def documents_from_dataset(dataset: Iterable[Mapping[str, Any]]) -> list[Document]:
    """Convert rows in the ``documents`` layout (e.g. a ``datasets.Dataset``) to Documents.

    Null values stand for absent optional keys and are dropped; a null layer becomes a
    layer that is not given (``None``). Dates (``metadata.dct``) become ISO strings and
    ClassLabel ids their labels (rows of the ``perturbed`` config keep the document's
    columns only).
    """
    layout = FEATURES["documents"]
    return [
        document_from_dict(
            _gold_value({k: v for k, v in dict(row).items() if k != "perturbation"}, layout)
        )
        for row in dataset
    ]


def tags_to_documents(
    ner_rows: Iterable[Mapping[str, Any]],
    predicted_tags: Iterable[Sequence[str | int]],
    gold: Sequence[Document],
    *,
    mention_type: str | None = "NAM",
    repair: bool = False,
) -> list[Document]:
    """Turn IOB2 tag sequences predicted for ``ner`` rows into prediction Documents.

    Args:
        ner_rows: Rows of the ``ner`` config (``document_id``, ``token_starts``,
            ``token_ends``), e.g. ``load_hf("ner")``.
        predicted_tags: One tag sequence per row, tags as strings or ClassLabel ids.
        gold: The gold documents (their ids and texts; one prediction each, gold order).
        mention_type: Mention type given to every predicted mention (the ``ner`` config
            encodes NAM mentions, scored by the ``entities.NAM`` view).
        repair: Passed to :func:`newsbench.eval.bio.bio_to_offsets`.

    Returns:
        One Document per gold document with only the ``mentions`` layer (ids ``p1``, ...).

    Raises:
        ValueError: If the row and prediction counts differ, a row names an unknown
            document, or a tag id is out of range.
        BioError: On a malformed tag sequence (see ``bio_to_offsets``).
    """
    by_id = {doc.id: doc for doc in gold}
    found: dict[str, list[LabelledSpan]] = {doc.id: [] for doc in gold}
    rows = list(ner_rows)
    predictions = list(predicted_tags)
    if len(rows) != len(predictions):
        raise ValueError(f"got {len(rows)} ner rows but {len(predictions)} tag sequences")
    for row, tags in zip(rows, predictions, strict=True):
        doc_id = row["document_id"]
        if doc_id not in by_id:
            raise ValueError(f"ner row {row['id']!r} names unknown document {doc_id!r}")
        names = []
        for tag in tags:
            if isinstance(tag, str):
                names.append(tag)
            elif 0 <= tag < len(NER_TAGS):
                names.append(NER_TAGS[tag])
            else:
                raise ValueError(
                    f"ner row {row['id']!r}: tag id {tag} is not in 0..{len(NER_TAGS) - 1}"
                )
        tokens = list(zip(row["token_starts"], row["token_ends"], strict=True))
        found[doc_id] += bio_to_offsets(tokens, names, repair=repair)
    documents = []
    for doc in gold:
        mentions = tuple(
            Mention(f"p{i}", s.start, s.end, doc.text[s.start : s.end], s.label, mention_type)
            for i, s in enumerate(sorted(found[doc.id]), start=1)
        )
        documents.append(Document(id=doc.id, text=doc.text, mentions=mentions))
    return documents


if __name__ == "__main__":
    sys.exit(main())
