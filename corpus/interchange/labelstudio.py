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
from newsbench.eval.converters import is_offset, non_json_values, offset_message
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
from newsbench.schema.io import _duplicate_keys, atomic_output, too_deep_problem
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


_MISSING: Any = object()
_ID_TYPES = (str, int)
_REFIX = "export the tasks again from Label Studio (JSON export), or correct the field"


def _json_type(value: Any) -> str:
    """Name the JSON type of a parsed value (``bool`` before ``int``)."""
    for kinds, name in (((bool,), "boolean"), ((int, float), "number"), ((str,), "string"),
                        ((list,), "array"), ((dict,), "object")):  # fmt: skip
        if isinstance(value, kinds):
            return name
    return "null" if value is None else type(value).__name__


@dataclass
class _Checker:
    """Reports the problems of one task, located by JSON pointer and document."""

    out: ImportErrors
    document: str | None = None

    def bad(self, code: str, message: str, expected: str, fix: str, path: str) -> None:
        self.out.add(code, message, expected, fix, document=self.document, path=path)

    def typed(self, value: Any, kinds: tuple[type, ...], expected: str, path: str) -> bool:
        """True if ``value`` has one of ``kinds`` (a bool is no int); else report it."""
        if isinstance(value, kinds) and (bool in kinds or not isinstance(value, bool)):
            return True
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        name = path.rsplit("/", 1)[-1] or "the export"
        name = f"entry {name}" if name.isdigit() else name
        self.bad("schema-type", f"{name} is a JSON {_json_type(value)} ({shown}), not "
                 f"{expected}", expected, _REFIX, path)  # fmt: skip
        return False

    def get(
        self, obj: dict[str, Any], key: str, kinds: tuple[type, ...], expected: str, path: str
    ) -> Any:
        """Return ``obj[key]`` if present and typed, else report it and return ``_MISSING``."""
        if key not in obj:
            self.bad("schema-required", f"the key {key!r} is missing", expected,
                     f"add {key!r} ({expected})", f"{path}/{key}")  # fmt: skip
            return _MISSING
        value = obj[key]
        return value if self.typed(value, kinds, expected, f"{path}/{key}") else _MISSING

    def offset(self, value: dict[str, Any], key: str, path: str) -> int | None:
        """Return the JavaScript offset ``value[key]``: an integer (no bool, no float)."""
        if key in value and is_offset(value[key]):
            return value[key]
        self.bad("schema-required" if key not in value else "schema-type",
                 offset_message(key, value.get(key)),
                 "an integer JavaScript (UTF-16) string offset", _REFIX,
                 f"{path}/{key}")  # fmt: skip
        return None


def _object_id(rid: Any) -> str:
    text = str(rid)
    return text if _ID.match(text) else f"ls-{text}"


def _results(task: dict[str, Any], base: str, check: _Checker) -> tuple[list[Any] | None, str]:
    """Return ``(results, pointer)`` of the one annotation (or prediction) to import."""
    for key in ("annotations", "predictions"):
        if key not in task:
            continue
        items = task[key]
        if not check.typed(items, (list,), f"a list of {key}", f"{base}/{key}"):
            return None, ""
        live = []
        for i, item in enumerate(items):
            path = f"{base}/{key}/{i}"
            if not check.typed(item, (dict,), "an object", path):
                return None, ""
            cancelled = item.get("was_cancelled", False)
            if not check.typed(cancelled, (bool,), "true or false", f"{path}/was_cancelled"):
                return None, ""
            if not cancelled:
                live.append((i, item))
        if len(live) == 1:
            i, chosen = live[0]
            path = f"{base}/{key}/{i}"
            results = check.get(chosen, "result", (list,), "a list of results", path)
            return (None, "") if results is _MISSING else (results, f"{path}/result")
        if len(live) > 1:
            check.bad("file-unreadable", f"the task holds {len(live)} {key}",
                      "exactly one (not cancelled) annotation per task",
                      "export the adjudicated annotation only, or delete the others",
                      f"{base}/{key}")  # fmt: skip
            return None, ""
    check.bad("file-unreadable", "the task has no annotation and no prediction",
              "one annotation (or prediction) per task",
              "annotate the task or leave it out of the export", base)  # fmt: skip
    return None, ""


def _task_id(task: dict[str, Any], data: dict[str, Any], index: int, check: _Checker) -> Any:
    """Return the document id of a task: ``data.id``, else the task ``id``, else ``task-<n>``."""
    for where, path in ((data, f"/{index}/data"), (task, f"/{index}")):
        if "id" in where:
            found = check.get(where, "id", _ID_TYPES, "a document id (a string)", path)
            return _MISSING if found is _MISSING else str(found)
    return f"task-{index}"


def task_to_record(
    task: Any, index: int, out: ImportErrors
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """Rebuild the schema JSON object of one task; record format problems in ``out``.

    Every field the import reads is type-checked (a problem names its JSON pointer);
    offsets must be integers (no booleans, no floats).

    Returns:
        The record (``None`` after a problem) and, for each region id, its JSON pointer in
        the input (for locating the validator's problems).
    """
    base = f"/{index}"
    check = _Checker(out)
    if not check.typed(task, (dict,), "an object (a task)", base):
        return None, {}
    data = check.get(task, "data", (dict,), "an object with the task text", base)
    if data is _MISSING:
        return None, {}
    text = check.get(data, "text", (str,), "the document text (a string)", f"{base}/data")
    doc_id = _task_id(task, data, index, check)
    if text is _MISSING or doc_id is _MISSING:
        return None, {}
    check.document = doc_id
    count = len(out.problems)
    info = _newsbench_info(data, base, check)
    results, pointer = _results(task, base, check)
    if results is None or info is _MISSING:
        return None, {}
    offsets = _Offsets(text)
    regions: dict[str, _Region] = {}
    pending: list[tuple[dict[str, Any], str]] = []
    relations: list[tuple[dict[str, Any], str]] = []
    rejected: set[str] = set()  # regions with a problem: their extras are not checked
    bad = check.bad

    for k, item in enumerate(results):
        path = f"{pointer}/{k}"
        if not check.typed(item, (dict,), "an object (a result)", path):
            continue
        kind = check.get(item, "type", (str,), "the result type (a string)", path)
        if kind is _MISSING:
            continue
        if kind == "relation":
            relations.append((item, path))
        elif kind == "labels":
            region = _region(item, path, text, offsets, check, rejected)
            if region is None:
                continue
            if region.id in regions:
                bad("duplicate-id", f"a second region with the id {region.id!r}",
                    "unique region ids", "give the region a new id", f"{path}/id")  # fmt: skip
                continue
            regions[region.id] = region
            rejected.discard(region.id)
        elif kind in ("choices", "textarea"):
            pending.append((item, path))
        else:
            bad("schema-enum", f"a result of type {kind!r}", "labels, choices, textarea or "
                "relation results", "remove the result", f"{path}/type")  # fmt: skip
    for item, path in pending:
        _extra(item, path, regions, rejected, check)
    for item, path in relations:
        _relation(item, path, regions, rejected, check)
    if len(out.problems) > count:
        return None, {}
    return _assemble(text, doc_id, info, regions)


def _region(
    item: dict[str, Any],
    path: str,
    text: str,
    offsets: _Offsets,
    check: _Checker,
    rejected: set[str],
) -> _Region | None:
    """Read one ``labels`` result; ``None`` after a problem (its id is then ``rejected``)."""
    rid = check.get(item, "id", _ID_TYPES, "a region id (a string)", path)
    if rid is not _MISSING:
        rejected.add(str(rid))
    name = check.get(item, "from_name", (str,), "'label' or 'structure'", path)
    value = check.get(item, "value", (dict,), "an object with start, end, text, labels", path)
    if _MISSING in (rid, name, value):
        return None
    if name not in ("label", "structure"):
        check.bad("schema-enum", f"the from_name {name!r} of a labels result is not a "
                  f"newsbench control{did_you_mean(name, ('label', 'structure'))}",
                  "'label' or 'structure'", f"use the labeling config {CONFIG_FILE}",
                  f"{path}/from_name")  # fmt: skip
        return None
    labels = check.get(value, "labels", (list,), "a list of one label", f"{path}/value")
    if labels is _MISSING:
        return None
    allowed = REGION_LABELS if name == "label" else STRUCTURE_LABELS
    if len(labels) != 1 or labels[0] not in allowed:
        label = labels[0] if labels else None
        check.bad("schema-enum", f"the label {label!r} of {name!r} is not a newsbench "
                  f"label{did_you_mean(label, allowed)}", f"exactly one of {', '.join(allowed)}",
                  f"use the labeling config {CONFIG_FILE}", f"{path}/value/labels")  # fmt: skip
        return None
    js_start = check.offset(value, "start", f"{path}/value")
    js_end = check.offset(value, "end", f"{path}/value")
    shown = check.get(value, "text", (str,), "the region text (a string)", f"{path}/value")
    if js_start is None or js_end is None or shown is _MISSING:
        return None
    start, end = offsets.to_py.get(js_start), offsets.to_py.get(js_end)
    if start is None or end is None or end <= start:
        check.bad("span-out-of-range", f"the offsets [{js_start}, {js_end}) are not a span "
                  "of the text", "JavaScript string offsets 0 <= start < end <= text length",
                  "export again from Label Studio", f"{path}/value")  # fmt: skip
        return None
    if shown != text[start:end]:
        check.bad("span-text-mismatch", f"the region text {shown!r} differs from the task "
                  f"text {text[start:end]!r} at its offsets",
                  "value.text equal to the text at value.start/value.end",
                  "is the task text changed? export the tasks again",
                  f"{path}/value/text")  # fmt: skip
        return None
    return _Region(str(rid), name, labels[0], start, end, path)


def _extra(
    item: dict[str, Any],
    path: str,
    regions: dict[str, _Region],
    rejected: set[str],
    check: _Checker,
) -> None:
    """Attach one per-region ``choices``/``textarea`` result to its region."""
    rid = check.get(item, "id", _ID_TYPES, "the id of its region (a string)", path)
    if rid is _MISSING or str(rid) in rejected:
        return
    name = check.get(item, "from_name", (str,), f"one of {', '.join(PER_REGION)}", path)
    value = check.get(item, "value", (dict,), "an object with the chosen value", path)
    if name is _MISSING or value is _MISSING:
        return
    field_name = "choices" if item["type"] == "choices" else "text"
    values = check.get(value, field_name, (list,), "a list of one value", f"{path}/value")
    if values is _MISSING:
        return
    region = regions.get(str(rid))
    if name not in PER_REGION or region is None or len(values) != 1:
        check.bad("schema-enum", f"a per-region {item['type']} result {name!r} for region "
                  f"{rid!r} with {len(values)} values",
                  f"one value of {', '.join(PER_REGION)} for an existing region",
                  f"use the labeling config {CONFIG_FILE}", path)  # fmt: skip
        return
    region.extras[name] = values[0]


def _relation(
    item: dict[str, Any],
    path: str,
    regions: dict[str, _Region],
    rejected: set[str],
    check: _Checker,
) -> None:
    """Attach one ``relation`` result to its source region."""
    from_id = check.get(item, "from_id", _ID_TYPES, "a region id (a string)", path)
    if from_id is _MISSING or str(from_id) in rejected:
        return
    to_id = check.get(item, "to_id", _ID_TYPES, "a region or object id (a string)", path)
    labels = check.get(item, "labels", (list,), "a list of one relation label", path)
    if to_id is _MISSING or labels is _MISSING:
        return
    source = regions.get(str(from_id))
    if len(labels) != 1 or labels[0] not in (*ROLES, *PART_RELATIONS) or source is None:
        check.bad("schema-enum", f"a relation with labels {labels} from region {from_id!r}",
                  "one relation label (a role, or cue, source, content, intermediary, "
                  "parent, head) from an existing region",
                  f"use the labeling config {CONFIG_FILE}", path)  # fmt: skip
        return
    source.relations.append((labels[0], str(to_id), path))


def _newsbench_info(data: dict[str, Any], index_path: str, check: _Checker) -> Any:
    """Return the checked ``data.newsbench`` object (``{}`` when absent)."""
    if "newsbench" not in data:
        return {}
    path = f"{index_path}/data"
    info = check.get(data, "newsbench", (dict,), "an object (layers, metadata)", path)
    if info is _MISSING:
        return _MISSING
    path = f"{path}/newsbench"
    ok = True
    for key in ("layers", "events_without_arguments"):
        if key not in info:
            continue
        names = check.get(info, key, (list,), "a list of names", path)
        if names is _MISSING:
            ok = False
            continue
        for k, name in enumerate(names):
            ok = check.typed(name, (str,), "a name (a string)", f"{path}/{key}/{k}") and ok
            if key == "layers" and isinstance(name, str) and name not in LAYERS:
                check.bad("schema-enum", f"the layer {name!r} is not a newsbench layer"
                          f"{did_you_mean(name, LAYERS)}", f"one of {', '.join(LAYERS)}",
                          "correct or remove the layer name", f"{path}/{key}/{k}")  # fmt: skip
                ok = False
    return info if ok else _MISSING


def _assemble(
    text: str, doc_id: str, info: dict[str, Any], regions: dict[str, _Region]
) -> tuple[dict[str, Any], dict[str, str]]:
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


def _read_tasks(path: Path, out: ImportErrors) -> list[Any]:
    """Parse the export; every part that is no JSON value (or a repeated key) is a problem."""
    try:
        raw = Path(path).read_bytes().decode("utf-8").removeprefix("\ufeff")
        tasks = json.loads(raw)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        out.add("file-unreadable", f"cannot read the Label Studio export: {exc}",
                "a Label Studio JSON export (a list of tasks)", "export as JSON")  # fmt: skip
        raise DataError(out.problems) from None
    except RecursionError:
        out.problems.append(too_deep_problem(file=out.file))
        raise DataError(out.problems) from None
    single = isinstance(tasks, dict)
    if single:
        tasks = [tasks]  # one task: located as /0/... like the first task of a list
    if not isinstance(tasks, list):
        out.add("schema-type", f"the export is a JSON {_json_type(tasks)}, not a list of tasks",
                "a Label Studio JSON export: a list of task objects",
                "export the project as JSON from Label Studio")  # fmt: skip
        raise DataError(out.problems)
    for pointer, key in _duplicate_keys(raw):
        out.add("duplicate-key", f"the key {key!r} occurs more than once in one object; a "
                "JSON parser keeps only the last value, so the others would be lost",
                "each key at most once per object", "merge or rename the repeated key",
                path=f"{'/0' if single else ''}{pointer}/{key}")  # fmt: skip
    for pointer, what in non_json_values(tasks):
        out.add("invalid-json", f"the export holds {what}", "JSON values that are Unicode "
                "text and finite numbers", "export the tasks again; replace the value",
                path=pointer)  # fmt: skip
    out.raise_if_any()
    return tasks


def import_(fmt: str, path: Path, kind: SchemaKind = "document", **_: Any) -> list[Document]:
    """Import a Label Studio JSON export (a list of tasks) through the validator.

    Problems are located by ``file`` and a JSON Pointer into the export
    (``/0/annotations/0/result/5/value/labels``) and name the document. A task that cannot
    be read is a problem, never left out.

    Raises:
        DataError: With every problem of every task.
    """
    out = ImportErrors(path)
    tasks = _read_tasks(path, out)
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
