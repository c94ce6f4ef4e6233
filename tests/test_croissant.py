"""Croissant JSON-LD description of the corpus, and CITATION.cff."""

from __future__ import annotations

import hashlib
import json
import socket
from importlib import metadata
from pathlib import Path

import pytest

from newsbench.corpus import CORPUS_VERSION
from newsbench.corpus.croissant import CROISSANT_FILE, croissant, main, render
from newsbench.corpus.hf import DATA_FILES, FEATURES
from newsbench.schema.validate import load_documents

REPO = Path(__file__).resolve().parent.parent


def test_croissant_file_is_current():
    assert main(["--check"]) == 0
    assert CROISSANT_FILE.read_bytes() == render(croissant())


def test_distribution_names_every_data_file_with_its_sha256():
    meta = json.loads(CROISSANT_FILE.read_text("utf-8"))
    assert meta["conformsTo"] == "http://mlcommons.org/croissant/1.0"
    assert meta["version"] == CORPUS_VERSION
    files = {f["contentUrl"]: f for f in meta["distribution"]}
    assert set(files) == set(DATA_FILES.values())
    for url, entry in files.items():
        assert entry["@type"] == "cr:FileObject" and not Path(url).is_absolute()
        data = (CROISSANT_FILE.parent / url).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()


def _leaves(fields):
    for field in fields:
        if "subField" in field:
            yield from _leaves(field["subField"])
        else:
            yield field


def test_record_sets_have_typed_fields():
    meta = json.loads(CROISSANT_FILE.read_text("utf-8"))
    sets = {r["@id"]: r for r in meta["recordSet"]}
    assert set(sets) == {"documents", "ner", "events", "attributions"}
    for name, record_set in sets.items():
        assert [f["name"] for f in record_set["field"]] == list(FEATURES[name])
        for leaf in _leaves(record_set["field"]):
            assert leaf["dataType"] in {"sc:Text", "sc:Integer", "sc:Date"}
            assert leaf["source"]["fileObject"]["@id"] == Path(DATA_FILES[name]).name


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access during an offline test")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_mlcroissant_loads_and_iterates_offline(no_network):
    mlc = pytest.importorskip(
        "mlcroissant", reason="mlcroissant is not installed (pip install mlcroissant)"
    )
    dataset = mlc.Dataset(jsonld=str(CROISSANT_FILE))
    gold = load_documents(CROISSANT_FILE.parent / DATA_FILES["documents"])
    (document,) = list(dataset.records("documents"))
    assert document["documents/id"].decode() == gold[0].id
    assert len(document["documents/mentions"]) == len(gold[0].mentions)
    first = document["documents/mentions"][0]
    assert first["documents/mentions/start"] == gold[0].mentions[0].start
    assert str(document["documents/metadata"]["documents/metadata/dct"].date()) == (
        gold[0].metadata.dct
    )
    assert len(list(dataset.records("ner"))) == len(gold[0].sentences)
    events = list(dataset.records("events"))
    assert [e["events/id"].decode() for e in events] == [e.id for e in gold[0].events]
    roles = [a["events/arguments/role"].decode() for a in events[0]["events/arguments"]]
    assert roles == [a.role for a in gold[0].events[0].arguments]
    assert len(list(dataset.records("attributions"))) == len(gold[0].attributions)


def test_citation_cff():
    yaml = pytest.importorskip("yaml")
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text("utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert {"message", "title", "authors", "type", "version", "license"} <= set(cff)
    assert cff["version"] == metadata.version("newsbench")
    (corpus,) = [r for r in cff["references"] if r["type"] == "data"]
    assert corpus["version"] == CORPUS_VERSION and corpus["license"] == "CC-BY-4.0"
