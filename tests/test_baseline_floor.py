"""The floor baseline: non-initial capitalised words as NAM mentions of one label."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from newsbench.baselines.base import Extractor, SourceDocument, check_predictions
from newsbench.baselines.floor import DEFAULT_LABEL, FloorExtractor, is_sentence_initial
from newsbench.schema.model import document_to_dict
from newsbench.schema.validate import validate_record

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "000_b245f45723a17301.txt"
GOLD = REPO / "corpus" / "data" / "validation.jsonl"


def predict(text: str, **kwargs: str) -> list[tuple[str, str]]:
    (doc,) = FloorExtractor(**kwargs).extract([SourceDocument("d", text)])
    return [(m.text, m.type) for m in doc.mentions or ()]


def test_capitalised_words_not_starting_a_sentence():
    text = (
        'Rebels took Homs. "Syria is lost," Jane Roe said.\nReuters and UN staff left U.S. bases.'
    )
    assert predict(text) == [("Homs", "GPE"), ("Jane", "GPE"), ("Roe", "GPE")]


def test_sentence_initial_detection():
    text = 'A b. C d! "E f? G\nH'
    starts = {w: is_sentence_initial(text, text.index(w)) for w in "ACEGH"}
    assert starts == {"A": True, "C": True, "E": True, "G": True, "H": True}
    assert not is_sentence_initial("a B", 2)


def test_label_argument_and_validation():
    assert predict("the Homs area", label="PER") == [("Homs", "PER")]
    with pytest.raises(ValueError, match="not an entity type"):
        FloorExtractor(label="PERSON")


def test_each_mention_is_its_own_entity_and_mentions_only():
    extractor = FloorExtractor()
    assert isinstance(extractor, Extractor)
    (doc,) = extractor.extract([SourceDocument("d", "in Homs and Hama and Homs")])
    assert [m.entity for m in doc.mentions or ()] == ["E1", "E2", "E3"]
    assert {m.mention_type for m in doc.mentions or ()} == {"NAM"}
    assert doc.time_expressions is None and doc.events is None and doc.attributions is None


def test_end_to_end_on_the_seed():
    sources = [SourceDocument("seed", SEED.read_text("utf-8"), "2024-12-08")]
    first = list(FloorExtractor().extract(sources))
    assert first == list(FloorExtractor().extract(sources))
    check_predictions(FloorExtractor(), sources, first)
    _, problems = validate_record(document_to_dict(first[0]), "prediction")
    assert problems == []
    assert len(first[0].mentions or ()) > 50


def test_default_label_is_the_most_frequent_corpus_type():
    if not GOLD.exists():
        pytest.skip("corpus/data/validation.jsonl is not built yet (newsbench build-corpus)")
    counts: Counter[str] = Counter()
    for line in GOLD.read_text("utf-8").splitlines():
        counts.update(m["type"] for m in json.loads(line).get("mentions", []))
    assert counts.most_common(1)[0][0] == DEFAULT_LABEL
