"""The data contract: the JSON Schemas and the vocabularies read from them.

``document.schema.json`` is the single source of truth; its enums are the newsbench
label inventory (:mod:`newsbench.schema.inventory`; another corpus declares its own, and
:func:`schema_for` puts its label sets in place of the enums). Every closed vocabulary
below (entity types, roles per event type, ...) is read from it, never typed a
second time. ``prediction.schema.json`` is *derived* from it by
:func:`derive_prediction_schema` (same objects, fewer required keys) and kept in
sync by a test; regenerate it with ``python -m newsbench.schema.contract``.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any, Literal

from newsbench.schema.inventory import (
    Inventory,
    apply_inventory,
    inventory_to_dict,
    schema_inventory,
)

SchemaKind = Literal["document", "prediction"]

SCHEMA_FILES: dict[str, str] = {
    "document": "document.schema.json",
    "prediction": "prediction.schema.json",
}

# What a prediction may leave out, per schema object: the keys that stay required.
PREDICTION_REQUIRED: dict[str, list[str]] = {
    "": ["id", "text"],
    "mention": ["id", "start", "end", "text", "type"],
    "time_expression": ["id", "start", "end", "text", "type"],
    "event": ["id", "type", "trigger"],
    "attribution": ["id", "cue", "content"],
    "source": ["start", "end", "text"],
}


def _read_schema_file(name: str) -> dict[str, Any]:
    return json.loads(resources.files("newsbench.schema").joinpath(name).read_text("utf-8"))


@cache
def load_schema(kind: SchemaKind = "document") -> dict[str, Any]:
    """Return the parsed JSON Schema of ``kind`` (``document`` or ``prediction``)."""
    if kind not in SCHEMA_FILES:
        raise ValueError(f"unknown schema kind {kind!r}; expected one of {sorted(SCHEMA_FILES)}")
    return _read_schema_file(SCHEMA_FILES[kind])


def derive_prediction_schema(document_schema: dict[str, Any]) -> dict[str, Any]:
    """Derive the prediction schema: the document schema with every layer optional.

    Args:
        document_schema: The parsed gold document schema.

    Returns:
        A new schema with its own ``$id`` and the reduced ``required`` lists of
        :data:`PREDICTION_REQUIRED`; all types, enums and closed objects are kept.
    """
    schema = copy.deepcopy(document_schema)
    schema["$id"] = schema["$id"].replace("document.schema.json", "prediction.schema.json")
    schema["title"] = "newsbench prediction document"
    schema["description"] = (
        "A system's predictions for one document. Derived from document.schema.json: the same "
        "objects and vocabularies, but every layer and every attribute a system may not predict "
        "is optional. An omitted layer means 'not predicted'; an empty list means 'predicted "
        "nothing'."
    )
    for name, required in PREDICTION_REQUIRED.items():
        target = schema if name == "" else schema["$defs"][name]
        target["required"] = list(required)
    return schema


@cache
def schema_for(kind: SchemaKind, inventory: Inventory | None = None) -> dict[str, Any]:
    """Return the schema of ``kind`` with the label sets of ``inventory`` (default newsbench)."""
    schema = load_schema(kind)
    if inventory is None or inventory == newsbench_inventory():
        return schema
    return apply_inventory(schema, inventory)


@cache
def newsbench_inventory() -> Inventory:
    """The newsbench inventory, read from the document schema's enums."""
    return schema_inventory(load_schema("document"))


@cache
def schema_version() -> str:
    """Return the schema version, read from the ``$id`` of the document schema."""
    schema_id: str = load_schema("document")["$id"]
    return schema_id.rstrip("/").split("/")[-2]


def _enum(name: str) -> tuple[str, ...]:
    return tuple(load_schema("document")["$defs"][name]["enum"])


@cache
def vocabulary() -> dict[str, tuple[str, ...]]:
    """Return every closed vocabulary of the schema, by ``$defs`` name."""
    defs = load_schema("document")["$defs"]
    return {name: tuple(d["enum"]) for name, d in defs.items() if "enum" in d}


@cache
def roles_by_event_type() -> dict[str, tuple[str, ...]]:
    """Return the allowed argument roles of each event type (from the schema's if/then)."""
    table: dict[str, tuple[str, ...]] = {}
    for rule in load_schema("document")["$defs"]["event"]["allOf"]:
        event_type = rule["if"]["properties"]["type"]["const"]
        roles = rule["then"]["properties"]["arguments"]["items"]["properties"]["role"]["enum"]
        table[event_type] = tuple(roles)
    return table


ENTITY_TYPES: tuple[str, ...] = _enum("entity_type")
MENTION_TYPES: tuple[str, ...] = _enum("mention_type")
TIMEX_TYPES: tuple[str, ...] = _enum("timex_type")
EVENT_TYPES: tuple[str, ...] = _enum("event_type")
REALIS_VALUES: tuple[str, ...] = _enum("realis")
ZONE_TYPES: tuple[str, ...] = _enum("zone_type")
SOURCE_CLASSES: tuple[str, ...] = _enum("source_class")
ATTRIBUTION_MODES: tuple[str, ...] = _enum("attribution_mode")
ROLES: tuple[str, ...] = _enum("role")


def derived_files() -> dict[str, str]:
    """The files derived from the document schema, by path under the schema package."""
    document = _read_schema_file(SCHEMA_FILES["document"])
    derived = derive_prediction_schema(document)
    return {
        SCHEMA_FILES["prediction"]: json.dumps(derived, indent=2, ensure_ascii=False) + "\n",
        "inventories/newsbench.json": json.dumps(
            inventory_to_dict(schema_inventory(document)), indent=2, ensure_ascii=False
        )
        + "\n",
    }


def main() -> None:
    """Regenerate ``prediction.schema.json`` and ``inventories/newsbench.json``."""
    for name, text in derived_files().items():
        target = resources.files("newsbench.schema").joinpath(name)
        with resources.as_file(target) as path:
            path.write_text(text, "utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
