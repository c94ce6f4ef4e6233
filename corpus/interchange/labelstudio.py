"""Label Studio: JSON tasks (``<stem>.labelstudio.json``) and a labeling config.

Export writes one task per document and ``labelstudio-config.xml``, the labeling
interface for annotators extending the corpus. The import reads a Label Studio *export*
(JSON: a list of tasks, each with its ``annotations``) back through the validator; the
exported tasks themselves import too, losslessly (every layer, every id).

Task layout::

    {"data": {"text": ..., "id": <document id>,
              "newsbench": {"layers": [...], "metadata": {...},
                            "events_without_arguments": [...]}},
     "annotations": [{"result": [...]}]}   # or "predictions" (export option)

Results (``to_name`` is always ``text``; offsets are converted to and from Label
Studio's JavaScript string offsets, i.e. UTF-16 code units):

* ``labels`` regions (``from_name`` ``label``): mentions (entity type), time expressions
  (``TIMEX_DATE`` ...), event triggers (event type), attribution cues (``Cue``), sources
  (``Source``) and contents (``Content``); ``from_name`` ``structure``: ``Paragraph``,
  ``Sentence``, ``Zone_body`` ... The region id is the newsbench id (mention, time
  expression, paragraph ...; an event's trigger region has the event id, an attribution's
  first cue region the attribution id; ``<id>.cue2``, ``<id>.source``, ``<id>.content1``
  for its other parts).
* Per-region ``choices``/``textarea`` results with the region's id: ``mention_type``,
  ``entity`` (cluster id), ``timex_value``, ``realis``, ``hopper``, ``mode``,
  ``source_class``.
* ``relation`` results, in order: trigger -> argument with the role as label; attribution
  cue -> ``cue`` (further cue spans), ``source``, ``content`` (each content span),
  ``intermediary`` (mention) and ``parent`` (the parent's cue); source -> ``head``
  (its head mention).

Region ids made by Label Studio that are no valid newsbench id get the prefix ``ls-``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from newsbench.corpus.interchange import ImportErrors, finish_record
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
    SchemaKind,
)
from newsbench.schema.io import atomic_output
from newsbench.schema.model import LAYERS, Document, document_to_dict
from newsbench.schema.problems import DataError, did_you_mean

__all__ = ["document_to_task", "export", "import_", "labeling_config", "task_to_record"]

CONFIG_FILE = "labelstudio-config.xml"
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]*\Z")
_TIMEX = "TIMEX_"
_ZONE = "Zone_"
ATTRIBUTION_LABELS = ("Cue", "Source", "Content")
STRUCTURE_LABELS = ("Paragraph", "Sentence", *(f"{_ZONE}{z}" for z in ZONE_TYPES))
REGION_LABELS = (
    *ENTITY_TYPES,
    *(f"{_TIMEX}{t}" for t in TIMEX_TYPES),
    *EVENT_TYPES,
    *ATTRIBUTION_LABELS,
)
PART_RELATIONS = ("cue", "source", "content", "intermediary", "parent", "head")
PER_REGION = {
    "mention_type": ("choices", MENTION_TYPES),
    "entity": ("textarea", ()),
    "timex_value": ("textarea", ()),
    "realis": ("choices", REALIS_VALUES),
    "hopper": ("textarea", ()),
    "mode": ("choices", ATTRIBUTION_MODES),
    "source_class": ("choices", SOURCE_CLASSES),
}


class _Offsets:
    """Python ``str`` index <-> JavaScript (UTF-16) offset conversion for one text."""

    def __init__(self, text: str) -> None:
        self.to_js = [0]
        for char in text:
            self.to_js.append(self.to_js[-1] + (2 if ord(char) > 0xFFFF else 1))
        self.to_py = {js: py for py, js in enumerate(self.to_js)}


def labeling_config() -> str:
    """Return the Label Studio labeling config XML for the newsbench layers."""

    def labels(name: str, values: Sequence[str]) -> list[str]:
        inner = [f"    <Label value={quoteattr(v)}/>" for v in values]
        return [f'  <Labels name="{name}" toName="text">', *inner, "  </Labels>"]

    lines = ["<View>", *labels("label", REGION_LABELS), *labels("structure", STRUCTURE_LABELS)]
    lines += ['  <Text name="text" value="$text"/>', "  <Relations>"]
    lines += [f"    <Relation value={quoteattr(v)}/>" for v in (*ROLES, *PART_RELATIONS)]
    lines += ["  </Relations>", '  <View visibleWhen="region-selected">']
    for name, (kind, values) in PER_REGION.items():
        if kind == "choices":
            lines.append(
                f'    <Choices name="{name}" toName="text" perRegion="true" choice="single">'
            )
            lines += [f"      <Choice value={quoteattr(v)}/>" for v in values]
            lines.append("    </Choices>")
        else:
            lines.append(
                f'    <TextArea name="{name}" toName="text" perRegion="true" '
                f'maxSubmissions="1" placeholder="{name}"/>'
            )
    lines += ["  </View>", "</View>"]
    return "\n".join(lines) + "\n"


# --- export ----------------------------------------------------------------------------


def document_to_task(doc: Document, key: str = "annotations") -> dict[str, Any]:
    """Return the Label Studio task of ``doc`` (results under ``key``)."""
    offsets = _Offsets(doc.text)
    record = document_to_dict(doc)
    result: list[dict[str, Any]] = []

    def region(rid: str, name: str, label: str, span: dict[str, Any]) -> dict[str, int]:
        where = {"start": offsets.to_js[span["start"]], "end": offsets.to_js[span["end"]]}
        value = {**where, "text": span["text"], "labels": [label]}
        result.append(
            {"id": rid, "from_name": name, "to_name": "text", "type": "labels", "value": value}
        )
        return where

    def extra(rid: str, name: str, where: dict[str, int], value: Any) -> None:
        if value is None:
            return
        kind = PER_REGION[name][0]
        field_name = "choices" if kind == "choices" else "text"
        result.append(
            {
                "id": rid,
                "from_name": name,
                "to_name": "text",
                "type": kind,
                "value": {**where, field_name: [value]},
            }
        )

    def relation(a: str, b: str, label: str) -> None:
        result.append({"type": "relation", "from_id": a, "to_id": b, "direction": "right",
                       "labels": [label]})  # fmt: skip

    for layer, label in (("paragraphs", "Paragraph"), ("zones", None), ("sentences", "Sentence")):
        for item in record.get(layer, []):
            region(item["id"], "structure", label or f"{_ZONE}{item['type']}", item)
    for m in record.get("mentions", []):
        where = region(m["id"], "label", m["type"], m)
        extra(m["id"], "mention_type", where, m.get("mention_type"))
        extra(m["id"], "entity", where, m.get("entity"))
    for t in record.get("time_expressions", []):
        where = region(t["id"], "label", f"{_TIMEX}{t['type']}", t)
        extra(t["id"], "timex_value", where, t.get("value"))
    for e in record.get("events", []):
        where = region(e["id"], "label", e["type"], e["trigger"])
        extra(e["id"], "realis", where, e.get("realis"))
        extra(e["id"], "hopper", where, e.get("hopper"))
        for argument in e.get("arguments", []):
            relation(e["id"], argument["ref"], argument["role"])
    for a in record.get("attributions", []):
        aid = a["id"]
        where = region(aid, "label", "Cue", a["cue"][0])
        extra(aid, "mode", where, a.get("mode"))
        extra(aid, "source_class", where, a.get("source_class"))
        for k, cue in enumerate(a["cue"][1:], start=2):
            region(f"{aid}.cue{k}", "label", "Cue", cue)
            relation(aid, f"{aid}.cue{k}", "cue")
        if "source" in a:
            region(f"{aid}.source", "label", "Source", a["source"])
            relation(aid, f"{aid}.source", "source")
            if "mention" in a["source"]:
                relation(f"{aid}.source", a["source"]["mention"], "head")
        for k, content in enumerate(a["content"], start=1):
            region(f"{aid}.content{k}", "label", "Content", content)
            relation(aid, f"{aid}.content{k}", "content")
        if "intermediary" in a:
            relation(aid, a["intermediary"], "intermediary")
        if "parent" in a:
            relation(aid, a["parent"], "parent")
    info: dict[str, Any] = {"layers": [name for name in LAYERS if name in record]}
    if "metadata" in record:
        info["metadata"] = record["metadata"]
    bare = [e["id"] for e in record.get("events", []) if "arguments" not in e]
    if bare:
        info["events_without_arguments"] = bare
    return {"data": {"text": doc.text, "id": doc.id, "newsbench": info}, key: [{"result": result}]}


def export(
    fmt: str,
    documents: Sequence[Document],
    out_dir: Path,
    *,
    stem: str = "documents",
    key: str = "annotations",
    **_: Any,
) -> list[Path]:
    """Write ``<stem>.labelstudio.json`` (tasks) and ``labelstudio-config.xml``."""
    tasks = [document_to_task(doc, key) for doc in documents]
    path = out_dir / f"{stem}.labelstudio.json"
    config = out_dir / CONFIG_FILE
    with atomic_output(path, "wb") as handle:
        handle.write((json.dumps(tasks, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    with atomic_output(config, "wb") as handle:
        handle.write(labeling_config().encode("utf-8"))
    return [path, config]


# --- import ----------------------------------------------------------------------------


@dataclass
class _Region:
    id: str
    name: str
    label: str
    start: int
    end: int
    path: str
    extras: dict[str, Any] = field(default_factory=dict)
    relations: list[tuple[str, str, str]] = field(default_factory=list)  # label, to, path


def _object_id(rid: Any) -> str:
    text = str(rid)
    return text if _ID.match(text) else f"ls-{text}"


def _results(task: Any, base: str, out: ImportErrors, doc_id: str | None):
    """Return ``(results, pointer)`` of the one annotation (or prediction) to import."""
    for key in ("annotations", "predictions"):
        items = task.get(key) or []
        live = [
            (i, a)
            for i, a in enumerate(items)
            if isinstance(a, dict) and not a.get("was_cancelled")
        ]
        if len(live) == 1:
            i, chosen = live[0]
            return chosen.get("result", []), f"{base}/{key}/{i}/result"
        if len(live) > 1:
            out.add(
                "file-unreadable",
                f"the task holds {len(live)} {key}",
                "exactly one (not cancelled) annotation per task",
                "export the adjudicated annotation only, or delete the others",
                document=doc_id,
                path=f"{base}/{key}",
            )
            return None, ""
    out.add(
        "file-unreadable",
        "the task has no annotation and no prediction",
        "one annotation (or prediction) per task",
        "annotate the task or leave it out of the export",
        document=doc_id,
        path=base,
    )
    return None, ""


def task_to_record(
    task: Any, index: int, out: ImportErrors
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """Rebuild the schema JSON object of one task; record format problems in ``out``.

    Returns:
        The record (``None`` after a problem) and, for each region id, its JSON pointer in
        the input (for locating the validator's problems).
    """
    base = f"/{index}"
    data = task.get("data") if isinstance(task, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        out.add("schema-required", "the task has no data.text", "a task with data.text",
                "export the tasks as JSON", path=base)  # fmt: skip
        return None, {}
    text = data["text"]
    doc_id = str(data.get("id", task.get("id", f"task-{index}")))
    count = len(out.problems)
    results, pointer = _results(task, base, out, doc_id)
    if results is None:
        return None, {}
    offsets = _Offsets(text)
    regions: dict[str, _Region] = {}
    pending: list[tuple[dict[str, Any], str]] = []
    relations: list[tuple[dict[str, Any], str]] = []
    rejected: set[str] = set()  # regions with a problem: their extras are not checked

    def bad(code: str, message: str, expected: str, fix: str, path: str) -> None:
        out.add(code, message, expected, fix, document=doc_id, path=path)

    for k, item in enumerate(results):
        path = f"{pointer}/{k}"
        kind = item.get("type") if isinstance(item, dict) else None
        if kind == "relation":
            relations.append((item, path))
        elif kind == "labels":
            rejected.add(str(item.get("id")))
            value = item.get("value", {})
            labels = value.get("labels") or []
            allowed = REGION_LABELS if item.get("from_name") == "label" else STRUCTURE_LABELS
            if len(labels) != 1 or labels[0] not in allowed:
                label = labels[0] if labels else None
                bad("schema-enum", f"the label {label!r} of {item.get('from_name')!r} is not "
                    f"a newsbench label{did_you_mean(label, allowed)}",
                    f"exactly one of {', '.join(allowed)}",
                    f"use the labeling config {CONFIG_FILE}", f"{path}/value/labels")  # fmt: skip
                continue
            start = offsets.to_py.get(value.get("start"))
            end = offsets.to_py.get(value.get("end"))
            if start is None or end is None or end <= start:
                bad("span-out-of-range", f"the offsets [{value.get('start')}, "
                    f"{value.get('end')}) are not a span of the text",
                    "JavaScript string offsets 0 <= start < end <= text length",
                    "export again from Label Studio", f"{path}/value")  # fmt: skip
                continue
            if value.get("text") != text[start:end]:
                bad("span-text-mismatch", f"the region text {value.get('text')!r} differs "
                    f"from the task text {text[start:end]!r} at its offsets",
                    "value.text equal to the text at value.start/value.end",
                    "is the task text changed? export the tasks again",
                    f"{path}/value/text")  # fmt: skip
                continue
            rid = str(item.get("id"))
            if rid in regions:
                bad("duplicate-id", f"a second region with the id {rid!r}", "unique region ids",
                    "give the region a new id", f"{path}/id")  # fmt: skip
                continue
            regions[rid] = _Region(rid, item["from_name"], labels[0], start, end, path)
            rejected.discard(rid)
        elif kind in ("choices", "textarea"):
            pending.append((item, path))
        else:
            bad("schema-enum", f"a result of type {kind!r}", "labels, choices, textarea or "
                "relation results", "remove the result", path)  # fmt: skip
    for item, path in pending:
        if str(item.get("id")) in rejected:
            continue
        name = item.get("from_name")
        region = regions.get(str(item.get("id")))
        field_name = "choices" if item.get("type") == "choices" else "text"
        values = item.get("value", {}).get(field_name) or []
        if name not in PER_REGION or region is None or len(values) != 1:
            bad("schema-enum", f"a per-region {item.get('type')} result {name!r} for region "
                f"{item.get('id')!r} with {len(values)} values",
                f"one value of {', '.join(PER_REGION)} for an existing region",
                f"use the labeling config {CONFIG_FILE}", path)  # fmt: skip
            continue
        region.extras[name] = values[0]
    for item, path in relations:
        if str(item.get("from_id")) in rejected:
            continue
        labels = item.get("labels") or []
        source = regions.get(str(item.get("from_id")))
        if len(labels) != 1 or labels[0] not in (*ROLES, *PART_RELATIONS) or source is None:
            bad("schema-enum", f"a relation with labels {labels} from region "
                f"{item.get('from_id')!r}", "one relation label (a role, or cue, source, "
                "content, intermediary, parent, head) from an existing region",
                f"use the labeling config {CONFIG_FILE}", path)  # fmt: skip
            continue
        source.relations.append((labels[0], str(item.get("to_id")), path))
    if len(out.problems) > count:
        return None, {}
    return _assemble(text, doc_id, data, regions, out)


def _assemble(text, doc_id, data, regions, out):
    info = data.get("newsbench") or {}
    given = info.get("layers", list(LAYERS))
    bare = set(info.get("events_without_arguments", []))
    record: dict[str, Any] = {"id": doc_id, "text": text}
    if "metadata" in info:
        record["metadata"] = info["metadata"]
    layers: dict[str, list[dict[str, Any]]] = {name: [] for name in LAYERS}
    where: dict[str, str] = {}
    parts: set[str] = set()
    for r in regions.values():
        if r.label == "Cue":
            for label, to, _ in r.relations:
                if label in ("cue", "source", "content"):
                    parts.add(to)

    def span(r: _Region) -> dict[str, Any]:
        return {"start": r.start, "end": r.end, "text": text[r.start : r.end]}

    def ref(rid: str) -> str:
        target = regions.get(rid)
        return _object_id(rid) if target is None else _object_id(target.id)

    for r in regions.values():
        oid = _object_id(r.id)
        if r.label in ("Paragraph", "Sentence"):
            layer, item = f"{r.label.lower()}s", {"id": oid, **span(r)}
        elif r.label.startswith(_ZONE):
            layer, item = "zones", {"id": oid, "type": r.label[len(_ZONE) :], **span(r)}
        elif r.label in ENTITY_TYPES:
            layer, item = "mentions", {"id": oid, **span(r), "type": r.label}
            for key in ("mention_type", "entity"):
                if key in r.extras:
                    item[key] = r.extras[key]
        elif r.label.startswith(_TIMEX):
            layer, item = "time_expressions", {"id": oid, **span(r), "type": r.label[6:]}
            if "timex_value" in r.extras:
                item["value"] = r.extras["timex_value"]
        elif r.label in EVENT_TYPES:
            layer, item = "events", {"id": oid, "type": r.label, "trigger": span(r)}
            if "realis" in r.extras:
                item["realis"] = r.extras["realis"]
            if r.id not in bare:
                item["arguments"] = [{"role": lab, "ref": ref(to)} for lab, to, _ in r.relations]
            if "hopper" in r.extras:
                item["hopper"] = r.extras["hopper"]
        elif r.label == "Cue" and r.id not in parts:
            layer, item = "attributions", _attribution(r, regions, span, ref)
        else:
            continue
        where[f"/{layer}/{len(layers[layer])}"] = r.path
        layers[layer].append(item)
    for name in LAYERS:
        if name in given:
            record[name] = layers[name]
    return record, where


def _attribution(r, regions, span, ref) -> dict[str, Any]:
    item: dict[str, Any] = {"id": _object_id(r.id), "cue": [span(r)]}
    content = []
    for label, to, _ in r.relations:
        target = regions.get(to)
        if label == "cue" and target is not None:
            item["cue"].append(span(target))
        elif label == "source" and target is not None:
            item["source"] = span(target)
            heads = [t for lab, t, _ in target.relations if lab == "head"]
            if heads:
                item["source"]["mention"] = ref(heads[0])
        elif label == "content" and target is not None:
            content.append(span(target))
        elif label == "intermediary":
            item["intermediary"] = ref(to)
        elif label == "parent":
            item["parent"] = ref(to)
    ordered = {"id": item["id"], "cue": item["cue"]}
    if "source" in item:
        ordered["source"] = item["source"]
    ordered["content"] = content
    for key, extra in (("intermediary", None), ("source_class", "source_class"),
                       ("mode", "mode"), ("parent", None)):  # fmt: skip
        if extra is None and key in item:
            ordered[key] = item[key]
        elif extra is not None and extra in r.extras:
            ordered[key] = r.extras[extra]
    return ordered


def import_(fmt: str, path: Path, kind: SchemaKind = "document", **_: Any) -> list[Document]:
    """Import a Label Studio JSON export (a list of tasks) through the validator.

    Problems are located by ``file`` and a JSON Pointer into the export
    (``/0/annotations/0/result/5/value/labels``) and name the document.

    Raises:
        DataError: With every problem of every task.
    """
    out = ImportErrors(path)
    try:
        tasks = json.loads(Path(path).read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        out.add("file-unreadable", f"cannot read the Label Studio export: {exc}",
                "a Label Studio JSON export (a list of tasks)", "export as JSON")  # fmt: skip
        raise DataError(out.problems) from None
    if isinstance(tasks, dict):
        tasks = [tasks]
    documents = []
    for index, task in enumerate(tasks):
        record, where = task_to_record(task, index, out)
        if record is None:
            continue
        before = len(out.problems)
        document = finish_record(record, kind, out)
        for k in range(before, len(out.problems)):
            problem = out.problems[k]
            prefix = next(
                (p for p in sorted(where, key=len, reverse=True)
                 if problem.path == p or problem.path.startswith(p + "/")),
                None,
            )  # fmt: skip
            if prefix is not None:
                out.problems[k] = _with_message(problem, f" (in the export at {where[prefix]})")
        if document is not None:
            documents.append(document)
    out.raise_if_any()
    return documents


def _with_message(problem: Any, suffix: str) -> Any:
    return type(problem)(
        problem.code, problem.message + suffix, problem.expected, problem.fix,
        problem.file, problem.line, problem.document, problem.path,
    )  # fmt: skip
