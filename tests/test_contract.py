"""The JSON Schema is the contract: vocabularies and the prediction schema derive from it."""

import json

import jsonschema_rs

from newsbench.schema import contract


def test_document_schema_is_valid_draft_2020_12():
    schema = contract.load_schema("document")
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert jsonschema_rs.meta.is_valid(schema)
    assert contract.schema_version() == "1.2.0"


def test_every_object_forbids_unknown_keys():
    schema = contract.load_schema("document")
    objects = [schema, *(d for d in schema["$defs"].values() if d.get("type") == "object")]
    assert len(objects) > 8
    assert all(o.get("additionalProperties") is False for o in objects)


def test_prediction_schema_file_is_in_sync(repo_root):
    on_disk = json.loads((repo_root / "schema" / "prediction.schema.json").read_text("utf-8"))
    derived = contract.derive_prediction_schema(contract.load_schema("document"))
    assert on_disk == derived, "run: python -m newsbench.schema.contract"


def test_vocabularies_come_from_the_schema():
    assert contract.ENTITY_TYPES == ("PER", "ORG", "GPE", "LOC", "FAC", "VEH", "WEA")
    roles = contract.roles_by_event_type()
    assert roles["Transaction.TransferControl"] == ("Recipient", "Giver", "Territory", "Time")
    assert set(roles) == set(contract.EVENT_TYPES)
    assert {r for rs in roles.values() for r in rs} == set(contract.ROLES)
