"""Tests of the trained (scikit-learn) baseline: features, decoding, rules and folds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("sklearn")

from newsbench.baselines import trained
from newsbench.baselines.base import ExtractorUnavailable, SourceDocument, check_predictions
from newsbench.baselines.runner import build_extractor
from newsbench.baselines.trained import (
    TrainedExtractor,
    build_attributions,
    decode_iob2,
    select_mention_layer,
    simple_sentences,
    token_features,
    word_shape,
)
from newsbench.corpus.gold_source import parse_gold_source
from newsbench.eval.bio import bio_to_offsets
from newsbench.schema.model import Document, Mention, document_to_dict
from newsbench.schema.tokens import token_offsets
from newsbench.schema.validate import validate_record


@pytest.fixture(scope="module")
def gold(repo_root: Path) -> Document:
    """The annotator-B gold document (the seed article, every layer)."""
    return parse_gold_source(repo_root / "corpus/agreement/annotator_b.ann", repo_root)


def _mention(text: str, word: str, type_: str, mention_type: str | None, mid: str) -> Mention:
    start = text.index(word)
    return Mention(mid, start, start + len(word), word, type_, mention_type)


def _span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


# ------------------------------------------------------------------------- features


@pytest.mark.parametrize(
    ("word", "shape"),
    [("Syria", "Xx"), ("rebels", "x"), ("CNN", "X"), ("2018", "d"), (".", "."), ("McCain", "XxXx")],
)
def test_word_shape(word: str, shape: str) -> None:
    assert word_shape(word) == shape


def test_token_features_words_shapes_affixes_and_window() -> None:
    words = ["Syrian", "rebels", "said", "."]
    feats = token_features(words, [True, False, False, False])
    first, second = feats[0], feats[1]
    assert first["w=syrian"] == 1 and first["shape=Xx"] == 1
    assert first["p3=syr"] == 1 and first["s3=ian"] == 1
    assert first["cap"] == 1 and first["init"] == 1
    assert second["cap"] == 0 and second["init"] == 0
    assert first["w[-1]=<s>"] == 1 and first["w[-2]=<s>"] == 1
    assert first["w[1]=rebels"] == 1 and first["w[2]=said"] == 1
    assert first["shape[1]=x"] == 1
    assert second["w[-1]=syrian"] == 1 and second["shape[-1]=Xx"] == 1
    assert feats[3]["w[1]=</s>"] == 1 and feats[3]["w[2]=</s>"] == 1
    # A plain classifier: no feature can see a (gold or predicted) tag.
    assert not any("tag" in key for f in feats for key in f)


def test_simple_sentences_splits_on_end_punctuation_but_not_initials() -> None:
    text = 'The U.S. said so. Then he left. "Go home!" he said.'
    spans = [text[s:e] for s, e in simple_sentences(text)]
    assert spans == ["The U.S. said so.", "Then he left.", '"Go home!" he said.']


def test_simple_sentences_respects_bounds() -> None:
    text = "First line. Second.\nOther paragraph."
    end = text.index("\n")
    assert [text[s:e] for s, e in simple_sentences(text, 0, end)] == ["First line.", "Second."]


# ---------------------------------------------------------------------- decoding


def test_decode_iob2_turns_orphan_inside_tags_into_begins() -> None:
    tags = ["I-PER", "I-PER", "O", "I-GPE", "B-GPE", "I-ORG", "I-ORG"]
    decoded = decode_iob2(tags)
    assert decoded == ["B-PER", "I-PER", "O", "B-GPE", "B-GPE", "B-ORG", "I-ORG"]
    tokens = [(2 * i, 2 * i + 1) for i in range(len(tags))]
    labels = [s.label for s in bio_to_offsets(tokens, decoded)]  # strict decoding accepts it
    assert labels == ["PER", "GPE", "GPE", "ORG"]


def test_decode_iob2_keeps_valid_sequences() -> None:
    tags = ["B-PER", "I-PER", "O", "B-GPE", "O"]
    assert decode_iob2(tags) == tags


# ------------------------------------------------------------ nested mention layer


def test_select_mention_layer_prefers_nam_then_nom_then_pro() -> None:
    text = "the Syrian army said it would fight"
    nam = _mention(text, "Syrian", "GPE", "NAM", "m1")
    nom = Mention("m2", text.index("the"), text.index(" said"), "the Syrian army", "ORG", "NOM")
    army = _mention(text, "army", "ORG", "NOM", "m3")
    pro = _mention(text, "it", "ORG", "PRO", "m4")
    pro_wide = Mention("m5", text.index("it"), text.index(" would") + 6, "it would", "ORG", "PRO")
    kept = select_mention_layer([pro_wide, army, pro, nom, nam])
    # NAM first; the NOM phrase overlaps it, the NOM head "army" does not; the longer PRO
    # wins over the shorter one it contains.
    assert [m.id for m in kept] == ["m1", "m3", "m5"]
    assert select_mention_layer(reversed([pro_wide, army, pro, nom, nam])) == kept


def test_select_mention_layer_longer_first_within_a_mention_type() -> None:
    text = "New York Times reporters"
    outer = Mention("m1", 0, text.index(" reporters"), "New York Times", "ORG", "NAM")
    inner = _mention(text, "New York", "GPE", "NAM", "m2")
    untyped = _mention(text, "reporters", "PER", None, "m3")
    assert [m.id for m in select_mention_layer([inner, untyped, outer])] == ["m1", "m3"]


# ------------------------------------------------------------ cue -> attribution


def test_attribution_content_after_cue_skips_that() -> None:
    text = "Rebel forces announced that they had seized Homs."
    forces = _mention(text, "forces", "PER", "NOM", "m1")
    homs = _mention(text, "Homs", "GPE", "NAM", "m2")
    cue = _span(text, "announced")
    (attribution,) = build_attributions(text, simple_sentences(text), [cue], [forces, homs])
    assert (attribution.cue[0].start, attribution.cue[0].end) == cue
    assert attribution.cue[0].text == "announced"
    assert attribution.content[0].text == "they had seized Homs"
    assert attribution.content[0].start == text.index("they")
    assert attribution.source is not None
    assert (attribution.source.start, attribution.source.end) == (forces.start, forces.end)
    assert attribution.source.mention == "m1"
    assert (attribution.mode, attribution.source_class) == ("INDIRECT", "UNNAMED")


def test_attribution_that_after_an_addressee() -> None:
    text = "Syrian army sources told Reuters that Israel struck a convoy."
    mentions = [
        _mention(text, "Syrian", "GPE", "NAM", "m1"),
        _mention(text, "sources", "PER", "NOM", "m2"),
        _mention(text, "Reuters", "ORG", "NAM", "m3"),
        _mention(text, "Israel", "GPE", "NAM", "m4"),
    ]
    (attribution,) = build_attributions(
        text, simple_sentences(text), [_span(text, "told")], mentions
    )
    assert attribution.content[0].text == "Israel struck a convoy"
    assert attribution.source is not None and attribution.source.text == "sources"


def test_attribution_sentence_final_cue_takes_the_clause_before_the_last_comma() -> None:
    text = "Israel hit one of the convoys as it was departing, one source said."
    source = _mention(text, "source", "PER", "NOM", "m2")
    mentions = [_mention(text, "Israel", "GPE", "NAM", "m1"), source]
    (attribution,) = build_attributions(
        text, simple_sentences(text), [_span(text, "said")], mentions
    )
    content = "Israel hit one of the convoys as it was departing"
    assert attribution.content[0].text == content
    assert (attribution.content[0].start, attribution.content[0].end) == _span(text, content)
    assert attribution.source is not None and attribution.source.mention == "m2"


def test_attribution_direct_quote_and_named_sources() -> None:
    text = 'Hochstein said "it is not eliminated." CNN reported that clashes continued.'
    person = _mention(text, "Hochstein", "PER", "NAM", "m1")
    outlet = _mention(text, "CNN", "ORG", "NAM", "m2")
    sentences = simple_sentences(text)
    assert len(sentences) == 2
    first, second = build_attributions(
        text, sentences, [_span(text, "reported"), _span(text, "said")], [outlet, person]
    )
    assert first.content[0].text == '"it is not eliminated."'
    assert (first.mode, first.source_class) == ("DIRECT", "NAMED_PERSON")
    assert second.content[0].text == "clashes continued"
    assert (second.mode, second.source_class) == ("INDIRECT", "NAMED_ORGANIZATION")
    assert [first.id, second.id] == ["a1", "a2"]


def test_attribution_without_a_source_mention_is_skipped() -> None:
    text = "Officials said the road was closed. Reuters reported nothing."
    reuters = _mention(text, "Reuters", "ORG", "NAM", "m1")
    # "Officials" is not a predicted mention, and Reuters is in the next sentence.
    assert build_attributions(text, simple_sentences(text), [_span(text, "said")], [reuters]) == []


# -------------------------------------------------------------------------- folds


def test_one_fold_per_paragraph(gold: Document) -> None:
    extractor = TrainedExtractor(training=[gold])
    assert gold.paragraphs is not None
    assert extractor.n_folds == len(gold.paragraphs) == 24
    total = sum(len(token_offsets(gold.text, p.start, p.end)) for p in gold.paragraphs)
    for fold, paragraph in zip(extractor.folds, gold.paragraphs, strict=True):
        held_out = len(token_offsets(gold.text, paragraph.start, paragraph.end))
        assert fold.held_out_tokens == held_out
        assert fold.training_tokens == total - held_out
        assert fold.training_paragraphs == 23
    summary = extractor.describe()
    assert summary["folds"] == 24 and summary["training_tokens_total"] == total
    assert "time_expressions" in summary["not_predicted"]
    assert "leave-one-paragraph-out" in extractor.protocol


def test_no_paragraph_is_predicted_by_a_model_that_saw_it(
    gold: Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    fitted: dict[int, set[tuple[int, int]]] = {}
    real_fit = trained.fit_models

    def recording_fit(units: Any) -> Any:
        models = real_fit(units)
        fitted[id(models)] = {offset for u in units for offset in u.offsets}
        return models

    used: list[tuple[int, int, Any]] = []
    real_predict = TrainedExtractor._predict_paragraph

    def recording_predict(self: Any, text: str, start: int, end: int, models: Any, *rest: Any):
        used.append((start, end, models))
        return real_predict(self, text, start, end, models, *rest)

    monkeypatch.setattr(trained, "fit_models", recording_fit)
    monkeypatch.setattr(TrainedExtractor, "_predict_paragraph", recording_predict)
    extractor = TrainedExtractor(training=[gold])
    list(extractor.extract([SourceDocument.from_document(gold)]))

    assert gold.paragraphs is not None
    assert [(s, e) for s, e, _ in used] == [(p.start, p.end) for p in gold.paragraphs]
    assert len({id(m) for _, _, m in used}) == 24  # a distinct model per paragraph
    for index, (start, end, models) in enumerate(used):
        paragraph_tokens = set(token_offsets(gold.text, start, end))
        training_tokens = fitted[id(models)]
        assert not paragraph_tokens & training_tokens
        assert all(not (start <= s < end) for s, _ in training_tokens)
        assert (gold.id, index) not in models.trained_on
        assert len(models.trained_on) == 23
        assert models.training_tokens == len(training_tokens)
        # Inspect the model itself: a word that occurs only in this paragraph is unknown to it.
        words = {gold.text[s:e].lower() for s, e in paragraph_tokens}
        elsewhere = {gold.text[s:e].lower() for s, e in training_tokens}
        for word in sorted(words - elsewhere):
            assert f"w={word}" not in models.vectorizer.vocabulary_


def test_unknown_document_uses_the_model_trained_on_everything(gold: Document) -> None:
    extractor = TrainedExtractor(training=[gold])
    text = "Syrian rebels said they entered Damascus.\nCNN reported clashes."
    (prediction,) = extractor.extract([SourceDocument("unseen", text)])
    assert list(extractor._cache) == [None]
    assert len(extractor._cache[None].trained_on) == 24
    assert validate_record(document_to_dict(prediction), "prediction")[1] == []


# ------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def predictions(gold: Document) -> tuple[TrainedExtractor, list[SourceDocument], list[Document]]:
    extractor = TrainedExtractor(training=[gold])
    sources = [SourceDocument.from_document(gold)]
    return extractor, sources, list(extractor.extract(sources))


def test_end_to_end_predictions_are_valid(
    predictions: tuple[TrainedExtractor, list[SourceDocument], list[Document]],
) -> None:
    extractor, sources, predicted = predictions
    check_predictions(extractor, sources, predicted)
    (doc,) = predicted
    assert validate_record(document_to_dict(doc), "prediction")[1] == []
    assert doc.time_expressions is None
    assert doc.mentions and doc.events and doc.attributions
    assert len({m.entity for m in doc.mentions}) == len(doc.mentions)
    assert len({e.hopper for e in doc.events}) == len(doc.events)
    assert all(e.arguments is None and e.realis for e in doc.events)
    mention_ids = {m.id for m in doc.mentions}
    for attribution in doc.attributions:
        assert attribution.source is not None and attribution.source.mention in mention_ids


def test_end_to_end_is_deterministic(
    gold: Document, predictions: tuple[TrainedExtractor, list[SourceDocument], list[Document]]
) -> None:
    _, sources, first = predictions
    second = list(TrainedExtractor(training=[gold]).extract(sources))
    assert [document_to_dict(d) for d in second] == [document_to_dict(d) for d in first]


def test_runner_passes_the_gold_as_training(gold: Document) -> None:
    extractor = build_extractor("sklearn", [gold])
    assert isinstance(extractor, TrainedExtractor)
    assert extractor.n_folds == 24


# ------------------------------------------------------------------ availability


def test_missing_training_is_unavailable() -> None:
    with pytest.raises(ExtractorUnavailable, match="training"):
        TrainedExtractor()


def test_missing_sklearn_is_unavailable_with_install_hint(
    gold: Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("sklearn", "sklearn.feature_extraction", "sklearn.svm"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ExtractorUnavailable, match=r"pip install 'newsbench\[sklearn\]'"):
        TrainedExtractor(training=[gold])


def test_module_imports_without_sklearn() -> None:
    code = (
        "import sys; sys.modules['sklearn'] = None\n"
        "from newsbench.baselines.base import ExtractorUnavailable\n"
        "import newsbench.baselines.trained as t\n"
        "try:\n    t.TrainedExtractor(training=[object()])\n"
        "except ExtractorUnavailable as exc:\n    print(exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "pip install 'newsbench[sklearn]'" in out
