"""The two splits: the seed article as validation, the held-out test split and its coverage.

The test split must be able to rank systems: at least 24 documents and 60,000 characters of
constructed news, every label of every layer used, every role filled, and layer densities
at least those of the seed article (issue: "A benchmark that can rank systems").
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from newsbench.corpus import CORPUS_VERSION, DEFAULT_SPLIT, SPLITS, gold_path
from newsbench.eval.cli import main
from newsbench.eval.report import read_report
from newsbench.schema.contract import (
    ATTRIBUTION_MODES,
    ENTITY_TYPES,
    MENTION_TYPES,
    REALIS_VALUES,
    SOURCE_CLASSES,
    TIMEX_TYPES,
    roles_by_event_type,
)
from newsbench.schema.model import Document
from newsbench.schema.validate import load_documents

REPO = Path(__file__).resolve().parent.parent
SEED_ID = "000_b245f45723a17301"
WEEKDAYS = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")


@cache
def split(name: str) -> tuple[Document, ...]:
    return tuple(load_documents(gold_path(name)))


def _density(documents: tuple[Document, ...], count: int) -> float:
    return 1000 * count / sum(len(d.text) for d in documents)


def test_the_splits_and_the_default() -> None:
    assert SPLITS == ("validation", "test") and DEFAULT_SPLIT == "test"
    assert CORPUS_VERSION == "3.0.0"
    assert [d.id for d in split("validation")] == [SEED_ID]
    seed = (REPO / "seeds" / f"{SEED_ID}.txt").read_text("utf-8")
    assert split("validation")[0].text == seed  # byte for byte


def test_the_splits_share_no_document() -> None:
    validation, test = split("validation"), split("test")
    assert not {d.id for d in validation} & {d.id for d in test}
    assert not {d.text for d in validation} & {d.text for d in test}
    seed_sentences = {s.text for s in validation[0].sentences if len(s.text) > 40}
    assert not any(s.text in seed_sentences for d in test for s in d.sentences)


def test_the_test_split_is_large_enough_to_rank_systems() -> None:
    test = split("test")
    assert len(test) >= 24
    assert sum(len(d.text) for d in test) >= 60_000
    dcts = sorted(d.metadata.dct for d in test if d.metadata)
    assert dcts[0][:4] == "2023" and dcts[-1][:4] == "2026"


def test_every_entity_type_mention_type_and_enough_names() -> None:
    mentions = [m for d in split("test") for m in d.mentions]
    named = Counter(m.type for m in mentions if m.mention_type == "NAM")
    assert {m.mention_type for m in mentions} == set(MENTION_TYPES)
    for entity_type in ("PER", "ORG", "GPE", "LOC"):
        assert named[entity_type] >= 20, entity_type
    every = Counter(m.type for m in mentions)
    for entity_type in ("FAC", "VEH", "WEA"):
        assert every[entity_type] >= 5 and named[entity_type] >= 1, entity_type
    assert set(every) == set(ENTITY_TYPES)


def test_every_timex_type_with_values_that_need_the_dct() -> None:
    timexes = [(d, t) for d in split("test") for t in d.time_expressions]
    assert {t.type for _, t in timexes} == set(TIMEX_TYPES)
    weekdays = [t for _, t in timexes if WEEKDAYS.fullmatch(t.text)]
    assert len(weekdays) >= 10 and all(re.fullmatch(r"\d{4}-\d\d-\d\d", t.value) for t in weekdays)
    relative = [t for _, t in timexes if t.text.lower() in {"last month", "this week"}]
    assert relative, "no 'last month' or 'this week'"
    assert any(t.value == "PRESENT_REF" for _, t in timexes)


def test_every_event_type_role_and_realis() -> None:
    events = [e for d in split("test") for e in d.events]
    assert {e.realis for e in events} == set(REALIS_VALUES)
    filled = {(e.type, a.role) for e in events for a in e.arguments}
    expected = {(t, r) for t, roles in roles_by_event_type().items() for r in roles}
    assert expected <= filled, sorted(expected - filled)
    hoppers = Counter((d.id, e.hopper) for d in split("test") for e in d.events)
    assert sum(1 for n in hoppers.values() if n > 1) >= 10  # events mentioned again


def test_attributions_of_every_kind() -> None:
    documents = split("test")
    attributions = [(d, a) for d in documents for a in d.attributions]
    assert len(attributions) >= 150
    assert {a.mode for _, a in attributions} == set(ATTRIBUTION_MODES)
    assert {a.source_class for _, a in attributions} == set(SOURCE_CLASSES)
    assert sum(a.parent is not None for _, a in attributions) >= 5  # nested sources
    assert sum(a.intermediary is not None for _, a in attributions) >= 10
    cues = Counter(" ".join(d.text[c.start : c.end] for c in a.cue) for d, a in attributions)
    assert cues["according to"] >= 3


@pytest.mark.parametrize("layer", ["mentions", "time_expressions", "events", "attributions"])
def test_layer_densities_at_least_the_seed_s(layer: str) -> None:
    seed, test = split("validation"), split("test")

    def count(documents: tuple[Document, ...]) -> int:
        return sum(len(d.layer(layer)) for d in documents)

    assert _density(test, count(test)) >= _density(seed, count(seed)), layer


def test_score_defaults_to_the_test_split_and_the_signature_names_it(tmp_path: Path) -> None:
    oracle = tmp_path / "oracle.jsonl"
    assert main(["run", "oracle", "--out", str(oracle)]) == 0
    for chosen in (None, "test"):
        out = tmp_path / f"{chosen}.json"
        extra = ["--split", chosen] if chosen else []
        assert main(["score", "--pred", str(oracle), "--out", str(out), "--resamples", "10",
                     *extra]) == 0  # fmt: skip
        report = read_report(out)
        assert f"|corpus:{CORPUS_VERSION}|split:test|" in report["signature"]
        assert report["resampling"]["unit"] == "document"
        assert report["headline"]["entities.strict"]["f1"] == 1.0
    # the validation split: the oracle of the test split predicts other documents
    assert main(["score", "--pred", str(oracle), "--split", "validation"]) == 1


def test_split_all_scores_both_and_gold_and_split_exclude_each_other(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    validation = tmp_path / "v.jsonl"
    assert main(["run", "oracle", "--gold", str(gold_path("validation")), "--out",
                 str(validation)]) == 0  # fmt: skip
    out = tmp_path / "v.json"
    argv = ["score", "--pred", str(validation), "--split", "validation", "--out", str(out),
            "--resamples", "10"]  # fmt: skip
    assert main(argv) == 0
    assert "|split:validation|" in read_report(out)["signature"]
    capsys.readouterr()
    assert main(["score", "--pred", str(validation), "--gold", str(gold_path()), "--split",
                 "test"]) == 2  # fmt: skip
    assert "give --gold or --split" in capsys.readouterr().err


def test_stats_reports_per_split(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert main(["stats", "--format", "json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert list(stats) == list(SPLITS)
    assert stats["validation"]["documents"] == 1
    assert stats["test"]["documents"] == len(split("test"))
