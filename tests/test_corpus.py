"""The published gold: built from the sources, valid, consistent, and loadable."""

from __future__ import annotations

import pytest

from newsbench.corpus import CORPUS_VERSION, SPLITS, gold_path
from newsbench.corpus.build import build_documents, gold_sources, main, render_jsonl
from newsbench.corpus.consistency import find_inconsistencies, read_allowlist, unexplained
from newsbench.schema.validate import load_documents, validate_file

SEED_SHA256 = "613420153a0f2087cc8751ea791ebc09a80204c26ab6c37fda5eed15e465c504"


@pytest.mark.parametrize("split", SPLITS)
def test_published_gold_is_in_sync_with_the_sources(split):
    documents = build_documents(gold_sources(split))
    assert gold_path(split).read_bytes() == render_jsonl(documents), (
        f"corpus/data/{split}.jsonl is stale: run `newsbench build-corpus`"
    )


def test_build_check_passes():
    assert main(["--check"]) == 0


@pytest.mark.parametrize("split", SPLITS)
def test_published_gold_validates(split):
    assert validate_file(gold_path(split), "document") == []


def test_gold_text_is_the_seed_byte_for_byte(repo_root):
    (doc,) = load_documents(gold_path("validation"))
    assert doc.metadata.source_sha256 == SEED_SHA256
    assert doc.text.encode("utf-8") == (repo_root / doc.metadata.source_file).read_bytes()
    assert doc.metadata.dct == "2024-12-08"


def test_every_layer_is_annotated():
    (doc,) = load_documents(gold_path("validation"))
    assert len(doc.paragraphs) == 24
    assert {z.type for z in doc.zones} == {"body", "caption", "credit"}
    assert len(doc.sentences) >= 28
    assert {m.mention_type for m in doc.mentions} == {"NAM", "NOM", "PRO"}
    assert {e.realis for e in doc.events} == {"ACTUAL", "GENERIC", "OTHER"}
    assert {a.mode for a in doc.attributions} == {"DIRECT", "INDIRECT", "MIXED"}
    assert any(a.parent for a in doc.attributions)
    assert any(a.intermediary for a in doc.attributions)
    assert len({e.type for e in doc.events}) == 4


def test_consistency_findings_are_all_explained():
    findings = find_inconsistencies(d for s in SPLITS for d in load_documents(gold_path(s)))
    missing, stale = unexplained(findings, read_allowlist())
    assert missing == [], "fix the gold or explain each finding in consistency-allow.txt"
    assert stale == [], "remove allow-list entries that no longer match a finding"


def test_corpus_version_is_in_the_changelog(repo_root):
    changelog = (repo_root / "corpus" / "CHANGELOG.md").read_text("utf-8")
    assert f"## {CORPUS_VERSION}" in changelog


def test_dataset_card_statistics_are_current():
    from newsbench.corpus.card import CARD, updated_card

    text = CARD.read_text("utf-8")
    gold = {split: load_documents(gold_path(split)) for split in SPLITS}
    assert text == updated_card(text, gold), "run: python -m newsbench.corpus.card"
    for section in (
        "## Dataset summary",
        "## Dataset structure",
        "## Annotation process",
        "## Agreement",
        "## Who annotated",
        "## Known limitations",
        "## Licensing and provenance",
        "## Citation",
    ):
        assert section in text
