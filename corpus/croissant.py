"""Croissant (MLCommons Croissant 1.0 JSON-LD) description of the corpus: ``croissant.json``.

The description is generated from the Hugging Face feature declarations of
:mod:`newsbench.corpus.hf` (the single source of truth for the columns) and the data files
themselves (sha256), and kept in sync by a test::

    python -m newsbench.corpus.croissant            # write corpus/croissant.json
    python -m newsbench.corpus.croissant --check    # exit 1 when it is stale

``distribution``: one ``cr:FileObject`` per data file (``contentUrl`` relative to the
dataset folder, ``sha256``, ``application/jsonlines``). ``recordSet``: ``documents``
(the gold, one record per document, every layer as a repeated field of sub-fields) and
``ner``, ``events``, ``attributions`` (the derived files). Scalars are ``sc:Text``,
offsets ``sc:Integer``, ``metadata.dct`` ``sc:Date``. A list inside a list item
(``documents``: ``events[].arguments``, ``attributions[].cue``/``content``) is left out
of the ``documents`` record set, because Croissant 1.0 readers (mlcroissant) read one level
of lists; the ``events`` and ``attributions`` record sets describe them completely. An
object inside a list item (``events[].trigger``, ``attributions[].source``) is described;
mlcroissant yields it as one list per key, aligned with the items.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from newsbench.corpus import CORPUS_VERSION, SPLITS
from newsbench.corpus.hf import CONFIGS, DATA_FILES, FEATURES, ClassLabels, Node

CORPUS_DIR = Path(__file__).resolve().parent
CROISSANT_FILE = CORPUS_DIR / "croissant.json"
CONFORMS_TO = "http://mlcommons.org/croissant/1.0"
DATE_PUBLISHED = "2026-12-04"
"""Release date of corpus version 3.0.0 (the references entry of CITATION.cff)."""

CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
"""The standard Croissant 1.0 JSON-LD context."""

_DTYPES = {"string": "sc:Text", "int32": "sc:Integer", "date32": "sc:Date"}
_DESCRIPTIONS = {
    "documents": "One record per document: the text and every annotation layer (the gold).",
    "ner": "One record per sentence: project tokens, their offsets and IOB2 tags of the "
    "named (NAM) mentions (outermost on overlap).",
    "events": "One record per event: trigger, type, realis, hopper and the arguments with "
    "the text and offsets of what they refer to.",
    "attributions": "One record per attribution: cue, source and content spans and the "
    "relation's attributes.",
    "perturbed": "One record per perturbed copy of a document (names-invented, names-real, "
    "dates-shifted, counterfactual, lowercase, uppercase, typos; seed 0): the changed text "
    "with every annotation transferred exactly, and the perturbation's name.",
}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _file_id(config: str, split: str) -> str:
    return Path(DATA_FILES[config][split]).name


def record_set_id(config: str, split: str) -> str:
    """The record set of one config's split, e.g. ``documents-test``."""
    return f"{config}-{split}"


def _source(file_id: str, column: str, json_path: str | None) -> dict[str, Any]:
    source: dict[str, Any] = {"fileObject": {"@id": file_id}, "extract": {"column": column}}
    if json_path:
        source["transform"] = {"jsonPath": json_path}
    return source


def _field(
    parent: str, name: str, node: Node, file_id: str, column: str | None, path: str
) -> dict[str, Any] | None:
    """Return the ``cr:Field`` of one feature.

    A top-level feature is read from its JSON Lines column; a sub-field from its parent's
    column with a ``jsonPath`` transform relative to the parent item (mlcroissant applies
    it to each item of a repeated parent).
    """
    ident = f"{parent}/{name}"
    if isinstance(node, list) and column is not None:
        return None  # a list inside a list: see _NESTED_LISTS
    own_column = column if column is not None else name
    own_path = f"{path}.{name}" if column is not None and path else (name if column else "")
    repeated = isinstance(node, list)
    inner = node[0] if isinstance(node, list) else node
    field: dict[str, Any] = {"@type": "cr:Field", "@id": ident, "name": name}
    if isinstance(inner, ClassLabels) and inner.ids_in_file:
        field["description"] = "IOB2 tag ids: " + ", ".join(
            f"{i}={n}" for i, n in enumerate(inner.names)
        )
        field["dataType"] = "sc:Integer"
    elif isinstance(inner, ClassLabels):
        field["description"] = "A closed label set: " + ", ".join(inner.names)
        field["dataType"] = "sc:Text"
    elif isinstance(inner, str):
        field["dataType"] = _DTYPES[inner]
    if repeated:
        field["repeated"] = True
    if isinstance(inner, dict):
        child_path = "" if repeated else own_path
        children = [
            _field(ident, child, sub, file_id, own_column, child_path)
            for child, sub in inner.items()
        ]
        field["subField"] = [child for child in children if child is not None]
        skipped = [child for child, c in zip(inner, children, strict=True) if c is None]
        if skipped:
            field["description"] = (
                f"Lists inside {name} ({', '.join(skipped)}) are not described here "
                "(mlcroissant reads one level of lists); the events and attributions "
                "record sets hold them"
            )
        return field
    field["source"] = _source(file_id, own_column, own_path or None)
    return field


def record_sets() -> list[dict[str, Any]]:
    """Return the ``recordSet`` list: one per config and split, fields from the features."""
    sets = []
    for config in CONFIGS:
        for split in SPLITS:
            file_id, ident = _file_id(config, split), record_set_id(config, split)
            fields = [
                _field(ident, name, node, file_id, None, "")
                for name, node in FEATURES[config].items()
            ]
            sets.append(
                {
                    "@type": "cr:RecordSet",
                    "@id": ident,
                    "name": ident,
                    "description": f"{_DESCRIPTIONS[config]} The {split} split.",
                    "field": fields,
                }
            )
    return sets


def croissant(corpus_dir: Path = CORPUS_DIR) -> dict[str, Any]:
    """Return the Croissant JSON-LD object of the corpus in ``corpus_dir``."""
    distribution = [
        {
            "@type": "cr:FileObject",
            "@id": _file_id(config, split),
            "name": _file_id(config, split),
            "description": f"The {config} data file of the {split} split (JSON Lines).",
            "contentUrl": DATA_FILES[config][split],
            "encodingFormat": "application/jsonlines",
            "sha256": _sha256(corpus_dir / DATA_FILES[config][split]),
        }
        for config in CONFIGS
        for split in SPLITS
    ]
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "name": "newsbench",
        "description": (
            "A hand-annotated English news corpus for information extraction: entity "
            "mentions with coreference, TIMEX3 time expressions, events with arguments, "
            "realis and event coreference, and attribution (who said what). Two splits: "
            "validation (the seed article, a natural news article) and test (held out: "
            "constructed news texts written for the corpus, free of contamination)."
        ),
        "conformsTo": CONFORMS_TO,
        "citeAs": (
            "@misc{newsbench2026, title = {newsbench: a hand-annotated news corpus and "
            "evaluation harness for entities, time expressions, events and attribution}, "
            "author = {{newsbench developers}}, year = {2026}, "
            f"note = {{Corpus version {CORPUS_VERSION}}}}}"
        ),
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "url": "https://github.com/newsbench/newsbench",
        "version": CORPUS_VERSION,
        "datePublished": DATE_PUBLISHED,
        "inLanguage": "en",
        "keywords": [
            "information extraction",
            "named entity recognition",
            "coreference",
            "event extraction",
            "temporal expressions",
            "attribution",
        ],
        "creator": {"@type": "sc:Organization", "name": "newsbench developers"},
        "distribution": distribution,
        "recordSet": record_sets(),
    }


def render(obj: Mapping[str, Any]) -> bytes:
    """Return the canonical file content (2-space indented JSON, final newline)."""
    return (json.dumps(obj, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Write ``croissant.json``; with ``--check`` only compare (exit 1 when stale)."""
    parser = argparse.ArgumentParser(
        prog="python -m newsbench.corpus.croissant",
        description="Generate the Croissant JSON-LD description of the corpus.",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if croissant.json is stale")
    args = parser.parse_args(argv)
    content = render(croissant())
    current = CROISSANT_FILE.read_bytes() if CROISSANT_FILE.exists() else None
    if args.check:
        if current != content:
            print(
                f"stale: {CROISSANT_FILE} (run: python -m newsbench.corpus.croissant)",
                file=sys.stderr,
            )
            return 1
        return 0
    if current != content:
        from newsbench.schema.io import atomic_output

        with atomic_output(CROISSANT_FILE, "wb") as handle:
            handle.write(content)
        print(f"wrote {CROISSANT_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
