"""Croissant JSON-LD description of the corpus, and CITATION.cff."""

from __future__ import annotations

import hashlib
import json
import socket
from importlib import metadata
from pathlib import Path

import pytest

from newsbench.corpus import CORPUS_VERSION, PERTURBATIONS
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
    assert set(files) == {path for by_split in DATA_FILES.values() for path in by_split.values()}
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
    configs = ("documents", "ner", "events", "attributions", "perturbed")
    assert set(sets) == {f"{c}-{s}" for c in configs for s in ("validation", "test")}
    for ident, record_set in sets.items():
        name, split = ident.rsplit("-", 1)
        assert [f["name"] for f in record_set["field"]] == list(FEATURES[name])
        for leaf in _leaves(record_set["field"]):
            assert leaf["dataType"] in {"sc:Text", "sc:Integer", "sc:Date"}
            assert leaf["source"]["fileObject"]["@id"] == Path(DATA_FILES[name][split]).name


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
    gold = load_documents(CROISSANT_FILE.parent / DATA_FILES["documents"]["validation"])
    (document,) = list(dataset.records("documents-validation"))
    key = "documents-validation"
    assert document[f"{key}/id"].decode() == gold[0].id
    assert len(document[f"{key}/mentions"]) == len(gold[0].mentions)
    first = document[f"{key}/mentions"][0]
    assert first[f"{key}/mentions/start"] == gold[0].mentions[0].start
    assert str(document[f"{key}/metadata"][f"{key}/metadata/dct"].date()) == (gold[0].metadata.dct)
    assert len(list(dataset.records("ner-validation"))) == len(gold[0].sentences)
    events = list(dataset.records("events-validation"))
    assert [e["events-validation/id"].decode() for e in events] == [e.id for e in gold[0].events]
    first_arguments = events[0]["events-validation/arguments"]
    roles = [a["events-validation/arguments/role"].decode() for a in first_arguments]
    assert roles == [a.role for a in gold[0].events[0].arguments]
    assert len(list(dataset.records("attributions-validation"))) == len(gold[0].attributions)
    test = load_documents(CROISSANT_FILE.parent / DATA_FILES["documents"]["test"])
    ids = [r["documents-test/id"].decode() for r in dataset.records("documents-test")]
    assert ids == [d.id for d in test]
    assert len(list(dataset.records("events-test"))) == sum(len(d.events) for d in test)


def test_citation_cff():
    yaml = pytest.importorskip("yaml")
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text("utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert {"message", "title", "authors", "type", "version", "license"} <= set(cff)
    assert cff["version"] == metadata.version("newsbench")
    (corpus,) = [r for r in cff["references"] if r["type"] == "data"]
    assert corpus["version"] == CORPUS_VERSION and corpus["license"] == "CC-BY-4.0"


def test_mlcroissant_reads_the_perturbed_copies_offline(no_network):
    mlc = pytest.importorskip(
        "mlcroissant", reason="mlcroissant is not installed (pip install mlcroissant)"
    )
    dataset = mlc.Dataset(jsonld=str(CROISSANT_FILE))
    rows = list(dataset.records("perturbed-validation"))
    assert [r["perturbed-validation/perturbation"].decode() for r in rows] == list(PERTURBATIONS)
