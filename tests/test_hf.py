"""The Hugging Face view of the corpus: derived files in sync, card YAML, offline loads, rows.

Loads run offline (``HF_DATASETS_OFFLINE``/``HF_HUB_OFFLINE``, ``HF_HOME`` and the cache in
a temp folder, sockets refused) and are checked feature by feature and row by row
against the gold.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsbench.corpus import PERTURBATIONS, gold_path, hf, perturbed_gold_path
from newsbench.eval.bio import BioError, bio_to_offsets
from newsbench.schema import contract
from newsbench.schema.model import Document, Mention, Sentence, document_to_dict
from newsbench.schema.tokens import token_offsets
from newsbench.schema.validate import load_documents

if importlib.util.find_spec("datasets") is None:  # not imported here: env first
    pytest.skip("needs the hf extra: pip install 'newsbench[hf]'", allow_module_level=True)

CORPUS = Path(hf.__file__).resolve().parent
OFFSETS = {"start", "end", "token_starts", "token_ends"}


CLASS_LABELS: dict[str, tuple[str, ...]] = {
    path: labels
    for layer_paths, labels in (
        (("mentions.type",), contract.ENTITY_TYPES),
        (("mentions.mention_type",), contract.MENTION_TYPES),
        (("time_expressions.type",), contract.TIMEX_TYPES),
        (("events.type", "type"), contract.EVENT_TYPES),
        (("events.realis", "realis"), contract.REALIS_VALUES),
        (("events.arguments.role", "arguments.role"), contract.ROLES),
        (("zones.type",), contract.ZONE_TYPES),
        (("attributions.source_class", "source_class"), contract.SOURCE_CLASSES),
        (("attributions.mode", "mode"), contract.ATTRIBUTION_MODES),
        (("perturbation",), PERTURBATIONS),
    )
    for path in layer_paths
}
"""Every closed label set of the HF view, by feature path: a ClassLabel in schema order."""


@pytest.fixture(scope="module")
def gold() -> list[Document]:
    return load_documents(gold_path("validation"))


@pytest.fixture(scope="module")
def offline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Offline env, a temp HF_HOME and no sockets; yields the cache dir."""
    home = tmp_path_factory.mktemp("hf_home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HOME", str(home))
        mp.setenv("HF_DATASETS_OFFLINE", "1")
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("HF_DATASETS_CACHE", str(home / "datasets"))

        def refuse(self: socket.socket, *args: Any) -> None:
            raise OSError("network access during an offline test")

        mp.setattr(socket.socket, "connect", refuse)
        import datasets.config  # after the env: a first import reads it

        mp.setattr(datasets.config, "HF_HUB_OFFLINE", True)
        mp.setattr(datasets.config, "HF_DATASETS_OFFLINE", True)
        mp.setattr(datasets.config, "HF_DATASETS_CACHE", home / "datasets")
        yield home / "cache"


@pytest.fixture(scope="module")
def loaded_splits(offline: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """Every config and split, loaded both from the folder (a clone) and with ``load_hf``."""
    import datasets

    out: dict[str, dict[str, dict[str, Any]]] = {"validation": {}, "test": {}}
    for config in hf.CONFIGS:
        folder = datasets.load_dataset(str(CORPUS), config, cache_dir=str(offline))
        assert list(folder) == ["validation", "test"]
        for split in out:
            out[split][config] = {
                "folder": folder[split],
                "load_hf": hf.load_hf(config, split=split, cache_dir=str(offline / "pkg")),
            }
    default = datasets.load_dataset(str(CORPUS), cache_dir=str(offline))
    out["validation"]["documents"]["default"] = default["validation"]
    out["test"]["documents"]["load_hf default"] = hf.load_hf(cache_dir=str(offline / "pkg"))
    return out


@pytest.fixture(scope="module")
def loaded(loaded_splits: dict[str, dict[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """The validation split (the seed article) of every config, from every loader."""
    return loaded_splits["validation"]


def test_the_test_split_loads_with_every_row(loaded_splits) -> None:
    test_gold = load_documents(gold_path("test"))
    for config in hf.CONFIGS:
        expected = (
            len(test_gold) if config == "documents" else len(hf.derived_rows(config, test_gold))
        )
        for source, ds in loaded_splits["test"][config].items():
            assert len(ds) == expected and ds.split == "test", (config, source)
            assert ds.features == hf.features(config)
    for ds in loaded_splits["test"]["documents"].values():  # load_hf's default is test
        assert hf.documents_from_dataset(ds) == test_gold


def test_an_unknown_split_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown split 'train'"):
        hf.load_hf("ner", split="train")


# --- declarations, YAML, sync ----------------------------------------------------------


def test_ner_tag_inventory_is_fixed():
    assert hf.NER_TAGS == (
        "O",
        "B-PER",
        "I-PER",
        "B-ORG",
        "I-ORG",
        "B-GPE",
        "I-GPE",
        "B-LOC",
        "I-LOC",
        "B-FAC",
        "I-FAC",
        "B-VEH",
        "I-VEH",
        "B-WEA",
        "I-WEA",
    )


def _front_matter() -> dict[str, Any]:
    import yaml

    text = (CORPUS / "README.md").read_text("utf-8")
    _, front, _ = text.split("---\n", 2)
    return yaml.safe_load(front)


def test_card_yaml_is_generated_from_the_declarations():
    from datasets import Features

    meta = _front_matter()
    assert meta["configs"] == hf.configs_metadata()
    assert meta["dataset_info"] == hf.dataset_info_metadata()
    assert [c["config_name"] for c in meta["configs"]] == list(hf.CONFIGS)
    assert [c for c in meta["configs"] if c.get("default")] == [meta["configs"][0]]
    for entry in meta["configs"]:
        assert entry["data_files"] == [
            {"split": split, "path": hf.DATA_FILES[entry["config_name"]][split]}
            for split in ("validation", "test")
        ]
        assert all((CORPUS / f["path"]).is_file() for f in entry["data_files"])
    for entry in meta["dataset_info"]:
        declared = hf.features(entry["config_name"])
        assert Features._from_yaml_list(entry["features"]) == declared
        assert declared._to_yaml_list() == entry["features"]
    assert "sequence" not in json.dumps(meta["dataset_info"])
    assert meta["pretty_name"] == "newsbench"  # the rest of the front matter is kept


def test_derived_files_are_in_sync():
    assert hf.stale_files() == [], "run: python -m newsbench.corpus.hf"
    assert hf.main(["--check"]) == 0


def test_check_reports_and_regenerates_stale_files(tmp_path, monkeypatch, capsys):
    copy = tmp_path / "corpus"
    (copy / "data").mkdir(parents=True)
    shutil.copy(CORPUS / "README.md", copy / "README.md")
    for config in hf.DERIVED_CONFIGS:
        for path in hf.DATA_FILES[config].values():
            shutil.copy(CORPUS / path, copy / path)
    monkeypatch.setattr(hf, "CORPUS_DIR", copy)
    monkeypatch.setattr(hf, "CARD", copy / "README.md")
    assert hf.main(["--check"]) == 0
    (copy / hf.DATA_FILES["events"]["test"]).write_text("{}\n")
    (copy / hf.DATA_FILES["ner"]["validation"]).unlink()
    card = (copy / "README.md").read_text("utf-8")
    (copy / "README.md").write_text(card.replace("dtype: int32", "dtype: int64", 1), "utf-8")
    assert hf.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert all(name in err for name in ("events-test.jsonl", "ner-validation.jsonl", "README.md"))
    assert hf.main([]) == 0
    assert hf.main(["--check"]) == 0
    assert (copy / "README.md").read_text("utf-8") == card
    assert hf.updated_card(card) == card  # idempotent


def test_card_update_touches_only_the_front_matter():
    card = (CORPUS / "README.md").read_text("utf-8")
    body = card.split("---\n", 2)[2]
    bare = card.replace(hf.yaml_block(), "")
    assert hf.updated_card(bare) == card
    assert hf.updated_card(bare).split("---\n", 2)[2] == body
    with pytest.raises(ValueError, match="hand-written"):
        hf.updated_card(bare.replace("pretty_name:", "configs: []\npretty_name:"))
    with pytest.raises(ValueError, match="front matter"):
        hf.updated_card("# no front matter\n")


# --- offline loads: features and rows ---------------------------------------------------


def _leaves(feature: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    import datasets

    if isinstance(feature, dict):
        for name, child in feature.items():
            yield from _leaves(child, f"{path}.{name}" if path else name)
    elif isinstance(feature, datasets.List):
        assert type(feature) is datasets.List, f"{path}: {feature!r} is not a List"
        yield from _leaves(feature.feature, path)
    else:
        yield path, feature


def test_every_feature_type(loaded):
    import datasets

    for config in hf.CONFIGS:
        declared = hf.features(config)
        for source, ds in loaded[config].items():
            assert ds.features == declared, (config, source)
            assert ds.features.arrow_schema == declared.arrow_schema
            assert ds.split == "validation"
        for path, leaf in _leaves(declared):
            name = path.rsplit(".", 1)[-1]
            if name == "ner_tags":
                assert leaf == datasets.ClassLabel(names=list(hf.NER_TAGS)), path
            elif path in CLASS_LABELS:
                assert leaf == datasets.ClassLabel(names=list(CLASS_LABELS[path])), path
            elif name in OFFSETS:
                assert leaf == datasets.Value("int32"), path
            elif name == "dct":
                assert leaf == datasets.Value("date32"), path
            elif name == "perturbation_seed":
                assert leaf == datasets.Value("int32"), path
            else:
                assert leaf == datasets.Value("string"), path
    events = hf.features("events")
    assert isinstance(events["arguments"], datasets.List)
    assert isinstance(events["arguments"].feature, dict)


def _complete(value: Any, node: hf.Node) -> Any:
    """The gold JSON value with every declared key present (absent -> None) and every
    ClassLabel as its id, as ``datasets`` gives it."""
    if value is None:
        return None
    if isinstance(node, dict):
        return {name: _complete(value.get(name), child) for name, child in node.items()}
    if isinstance(node, list):
        return [_complete(item, node[0]) for item in value]
    if isinstance(node, hf.ClassLabels) and isinstance(value, str):
        return node.names.index(value)
    return value


def test_documents_rows_are_the_gold(loaded, gold):
    expected = []
    for doc in gold:
        row = _complete(document_to_dict(doc), hf.FEATURES["documents"])
        row["metadata"]["dct"] = datetime.date.fromisoformat(row["metadata"]["dct"])
        expected.append(row)
    assert any(row["metadata"]["title"] is None for row in expected)
    assert any(a["parent"] is None for row in expected for a in row["attributions"])
    for source, ds in loaded["documents"].items():
        assert ds.to_list() == expected, source
        assert hf.documents_from_dataset(ds) == gold, source
    round_trip = hf.documents_from_dataset(loaded["documents"]["load_hf"])
    lines = gold_path("validation").read_bytes().splitlines()
    assert [json.loads(line) for line in lines] == [document_to_dict(d) for d in round_trip]


def test_perturbed_rows_are_the_published_copies(loaded_splits):
    for split in ("validation", "test"):
        copies = {name: load_documents(perturbed_gold_path(name, split)) for name in PERTURBATIONS}
        published = [  # document by document, each with its copies in PERTURBATIONS order
            (name, copies[name][index])
            for index in range(len(copies[PERTURBATIONS[0]]))
            for name in PERTURBATIONS
        ]
        for source, ds in loaded_splits[split]["perturbed"].items():
            rows = ds.to_list()
            assert [(r["perturbation"], r["id"], r["text"]) for r in rows] == [
                (PERTURBATIONS.index(name), d.id, d.text) for name, d in published
            ], (split, source)
            assert all(
                r["metadata"]["perturbation"] == PERTURBATIONS[r["perturbation"]] for r in rows
            )
            assert hf.documents_from_dataset(rows) == [d for _, d in published]
            assert all(r["metadata"]["perturbation_seed"] == 0 for r in rows)
            assert [len(r["mentions"]) for r in rows] == [len(d.mentions) for _, d in published]


def test_ner_rows_encode_the_named_mentions(loaded, gold):
    expected = [row for doc in gold for row in hf.ner_rows(doc)]
    by_doc = {doc.id: doc for doc in gold}
    for source in ("folder", "load_hf"):
        assert loaded["ner"][source].to_list() == expected, source
    seen: dict[str, set[str]] = {doc.id: set() for doc in gold}
    for row in expected:
        doc = by_doc[row["document_id"]]
        sentence = next(s for s in doc.sentences if s.id == row["id"])
        offsets = list(zip(row["token_starts"], row["token_ends"], strict=True))
        assert offsets == token_offsets(doc.text, sentence.start, sentence.end)
        assert row["tokens"] == [doc.text[s:e] for s, e in offsets]
        tags = [hf.NER_TAGS[i] for i in row["ner_tags"]]
        spans = bio_to_offsets(offsets, tags)
        mentions = {m.id: m for m in doc.mentions}
        used = [mentions[i] for i in row["mention_ids"]]
        assert [(s.start, s.end, s.label) for s in spans] == [
            (m.start, m.end, m.type) for m in used
        ]
        seen[doc.id].update(row["mention_ids"])
    for doc in gold:
        named = {m.id for m in doc.mentions if m.mention_type == "NAM"}
        assert named and seen[doc.id] == named  # no NAM overlaps in 1.0.0: all are used
        assert [r["id"] for r in expected if r["document_id"] == doc.id] == [
            s.id for s in doc.sentences
        ]


def test_event_rows_resolve_the_arguments(loaded, gold):
    expected = []
    for doc in gold:
        spans = {x.id: x for x in (*doc.mentions, *doc.time_expressions)}
        for e in doc.events:
            expected.append(
                {
                    "document_id": doc.id,
                    "id": e.id,
                    "type": contract.EVENT_TYPES.index(e.type),
                    "trigger": {
                        "start": e.trigger.start,
                        "end": e.trigger.end,
                        "text": e.trigger.text,
                    },
                    "realis": contract.REALIS_VALUES.index(e.realis),
                    "arguments": [
                        {
                            "role": contract.ROLES.index(a.role),
                            "ref": a.ref,
                            "start": spans[a.ref].start,
                            "end": spans[a.ref].end,
                            "text": doc.text[spans[a.ref].start : spans[a.ref].end],
                        }
                        for a in e.arguments
                    ],
                    "hopper": e.hopper,
                }
            )
    for source in ("folder", "load_hf"):
        assert loaded["events"][source].to_list() == expected, source


def test_attribution_rows_are_the_gold_attributions(loaded, gold):
    expected = []
    for doc in gold:
        for record in document_to_dict(doc)["attributions"]:
            row = _complete(record, hf.FEATURES["attributions"])
            expected.append({**row, "document_id": doc.id})
    assert any(r["intermediary"] is not None for r in expected)
    for source in ("folder", "load_hf"):
        rows = loaded["attributions"][source].to_list()
        assert rows == expected, source
        assert all(r["cue"] and r["content"] for r in rows)


# --- conversions for the harness --------------------------------------------------------


def test_gold_tags_score_one_on_named_entities(loaded, gold):
    from newsbench.eval.harness import ScoringConfig, score_documents
    from newsbench.eval.pairing import pair_documents

    rows = loaded["ner"]["load_hf"]
    for tags in (rows["ner_tags"], [[hf.NER_TAGS[i] for i in t] for t in rows["ner_tags"]]):
        preds = hf.tags_to_documents(rows, tags, gold)
        assert [p.id for p in preds] == [g.id for g in gold]
        report = score_documents(
            pair_documents(gold, preds), ScoringConfig(n_resamples=20), layers=["mentions"]
        )
        assert report["metrics"]["entities.NAM.strict"]["f1"] == 1.0
        assert report["metrics"]["entities.NAM.strict"]["precision"] == 1.0
        named = [m for m in gold[0].mentions if m.mention_type == "NAM"]
        assert len(preds[0].mentions) == len(named)


def test_tags_to_documents_errors(loaded, gold):
    rows = loaded["ner"]["load_hf"].to_list()
    tags = [row["ner_tags"] for row in rows]
    with pytest.raises(ValueError, match="tag sequences"):
        hf.tags_to_documents(rows, tags[:-1], gold)
    with pytest.raises(ValueError, match="tag id 99"):
        hf.tags_to_documents(rows, [[99] * len(t) for t in tags], gold)
    with pytest.raises(BioError):
        hf.tags_to_documents(rows, [["I-PER"] * len(t) for t in tags], gold)
    with pytest.raises(ValueError, match="unknown document"):
        hf.tags_to_documents([{**rows[0], "document_id": "nope"}], tags[:1], gold)
    empty = hf.tags_to_documents([], [], gold)
    assert [d.mentions for d in empty] == [()] * len(gold)


def test_overlapping_named_mentions_keep_the_outermost():
    text = "The New York Times said."
    mentions = (
        Mention("m2", 4, 12, "New York", "GPE", "NAM", "e2"),
        Mention("m1", 4, 18, "New York Times", "ORG", "NAM", "e1"),
        Mention("m3", 0, 18, "The New York Times", "ORG", "NOM", "e1"),
    )
    doc = Document("d", text, sentences=(Sentence("s1", 0, 24, text),), mentions=mentions)
    assert [m.id for m in hf.ner_mentions(doc)] == ["m1"]
    (row,) = hf.ner_rows(doc)
    assert row["mention_ids"] == ["m1"]
    assert [hf.NER_TAGS[i] for i in row["ner_tags"]] == ["O", "B-ORG", "I-ORG", "I-ORG", "O", "O"]
    outside = Document("d", text, sentences=(Sentence("s1", 0, 9, text[:9]),), mentions=mentions)
    with pytest.raises(ValueError, match="not inside exactly one sentence"):
        hf.ner_rows(outside)


def test_the_card_counts_the_nested_names_the_ner_config_leaves_out(repo_root):
    card = (repo_root / "corpus" / "README.md").read_text("utf-8")
    counts = {}
    for split in ("test", "validation"):
        documents = load_documents(gold_path(split))
        names = sum(m.mention_type == "NAM" for d in documents for m in d.layer("mentions"))
        kept = sum(len(hf.ner_mentions(d)) for d in documents)
        counts[split] = (names, names - kept)
    (names, left_out), (valid_names, valid_left_out) = counts["test"], counts["validation"]
    assert valid_left_out == 0
    assert f"{left_out} of the test split's {names:,} names" in card
    assert f"none of the validation split's {valid_names})" in card
    assert f"recall {(names - left_out) / names:.3f} on the test gold" in card


def test_unknown_config_and_missing_datasets(monkeypatch):
    with pytest.raises(ValueError, match="unknown config"):
        hf.load_hf("nope")
    monkeypatch.setitem(sys.modules, "datasets", None)
    with pytest.raises(ImportError, match=r"newsbench\[hf\]"):
        hf.features("ner")
    with pytest.raises(ImportError, match=r"newsbench\[hf\]"):
        hf.load_hf()


def test_fresh_offline_process_loads_every_config_and_core_skips_datasets(tmp_path):
    """A new interpreter with the offline env from the start; the core never imports datasets."""
    script = textwrap.dedent(
        f"""
        import socket, sys
        import newsbench.corpus, newsbench.corpus.hf, newsbench.eval.harness
        assert "datasets" not in sys.modules, "the core imported datasets"
        def refuse(*args):
            raise OSError("network")
        socket.socket.connect = refuse
        import datasets
        from newsbench.corpus.hf import CONFIGS, load_hf
        for config in CONFIGS:
            a = datasets.load_dataset({str(CORPUS)!r}, config)["test"]  # the default split
            b = load_hf(config)
            assert a.to_list() == b.to_list() and a.features == b.features, config
            print(config, len(a))
        """
    )
    env = {
        **os.environ,
        "HF_HOME": str(tmp_path / "home"),
        "HF_DATASETS_OFFLINE": "1",
        "HF_HUB_OFFLINE": "1",
    }
    env.pop("HF_DATASETS_CACHE", None)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[::2] == list(hf.CONFIGS)
    assert (tmp_path / "home" / "datasets").is_dir()
