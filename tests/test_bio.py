"""IOB2 conversion and the CoNLL column reader."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsbench.eval.bio import (
    BioError,
    ConllSentence,
    Token,
    bio_to_offsets,
    join_tokens,
    offsets_to_bio,
    read_conll_columns,
    tokenize,
)
from newsbench.eval.spans import Span

TEXT = "Barack Obama visited New York-based IBM."
SPANS = [Span(0, 12, "PER"), Span(21, 29, "LOC"), Span(36, 39, "ORG")]
TAGS = ["B-PER", "I-PER", "O", "B-LOC", "I-LOC", "O", "O", "B-ORG", "O"]


def test_offsets_to_bio_uses_the_project_token_view() -> None:
    tokens, tags = offsets_to_bio(TEXT, reversed(SPANS))
    assert [t.text for t in tokens] == [
        "Barack", "Obama", "visited", "New", "York", "-", "based", "IBM", ".",
    ]  # fmt: skip
    assert tokens[5] == Token("-", 29, 30)
    assert tags == TAGS
    assert tokens == tokenize(TEXT)


def test_bio_to_offsets_decodes_strict_iob2() -> None:
    assert bio_to_offsets(tokenize(TEXT), TAGS) == SPANS
    offsets_only = [(t.start, t.end) for t in tokenize(TEXT)]
    assert bio_to_offsets(offsets_only, TAGS) == SPANS


def test_adjacent_entities_of_the_same_type_stay_separate() -> None:
    tokens = [Token("a", 0, 1), Token("b", 2, 3), Token("c", 4, 5)]
    assert bio_to_offsets(tokens, ["B-PER", "B-PER", "I-PER"]) == [
        Span(0, 1, "PER"),
        Span(2, 5, "PER"),
    ]
    assert offsets_to_bio("a b c", [Span(0, 1, "PER"), Span(2, 5, "PER")])[1] == [
        "B-PER", "B-PER", "I-PER",
    ]  # fmt: skip


def test_labels_may_contain_hyphens() -> None:
    tokens = [Token("a", 0, 1), Token("b", 2, 3)]
    assert bio_to_offsets(tokens, ["B-GPE-LOC", "I-GPE-LOC"]) == [Span(0, 3, "GPE-LOC")]


def test_repair_is_explicit_and_starts_a_new_entity() -> None:
    tokens = [Token("a", 0, 1), Token("b", 2, 3), Token("c", 4, 5), Token("d", 6, 7)]
    tags = ["I-PER", "I-ORG", "O", "I-ORG"]
    assert bio_to_offsets(tokens, tags, repair=True) == [
        Span(0, 1, "PER"),
        Span(2, 3, "ORG"),
        Span(6, 7, "ORG"),
    ]
    with pytest.raises(BioError):
        bio_to_offsets(tokens, tags)


def test_join_tokens() -> None:
    text, tokens = join_tokens(["New", "York", "-", "based"])
    assert text == "New York - based"
    assert tokens[2] == Token("-", 9, 10)
    assert [text[t.start : t.end] for t in tokens] == ["New", "York", "-", "based"]


CONLL = """\
-DOCSTART- -X- -X- O

EU NNP B-NP B-ORG
rejects VBZ B-VP O
German JJ B-NP B-MISC

Peter NNP B-NP B-PER
Blackburn NNP I-NP I-PER
-DOCSTART- -X- O O
New York\tNNP\tB-LOC
city\tNN\tO


"""


def test_columns_split_on_ascii_whitespace_only() -> None:
    # A token may hold a no-break space or an em space; only tabs and ASCII spaces
    # separate columns (the token was cut and its tag read from the POS column).
    lines = ["New\u00a0York NNP B-LOC\n", "said\u2003so VBD O\n"]
    (sentence,) = read_conll_columns(lines)
    assert sentence.tokens == ("New\u00a0York", "said\u2003so")
    assert sentence.tags == ("B-LOC", "O")


def test_read_conll_columns_sentences_documents_and_lines() -> None:
    sentences = list(read_conll_columns(CONLL.splitlines(keepends=True)))
    assert [s.tokens for s in sentences] == [
        ("EU", "rejects", "German"),
        ("Peter", "Blackburn"),
        ("New York", "city"),
    ]
    assert sentences[0].tags == ("B-ORG", "O", "B-MISC")
    assert sentences[0].lines == (3, 4, 5)
    assert sentences[2].lines == (10, 11)
    assert [s.document for s in sentences] == [1, 1, 2]
    text, spans = sentences[2].to_spans()
    assert text == "New York city"
    assert spans == [Span(0, 8, "LOC")]


def test_read_conll_columns_from_a_path_and_other_tag_column(tmp_path: Path) -> None:
    path = tmp_path / "sample.conll"
    path.write_text(CONLL, encoding="utf-8")
    chunks = list(read_conll_columns(path, tag_column=2))
    assert chunks[0].tags == ("B-NP", "B-VP", "B-NP")
    assert [s.tokens for s in read_conll_columns(str(path))] == [
        s.tokens for s in read_conll_columns(CONLL.splitlines())
    ]


def test_read_conll_columns_empty_input() -> None:
    assert list(read_conll_columns([])) == []
    assert list(read_conll_columns(["\n", "-DOCSTART- O\n", "\n"])) == []


# --- properties ---------------------------------------------------------------------------

WORDS = st.sampled_from(["Obama", "Paris", "said", "é", "über", "2018", "a_b", ",", ".", "-", "("])
LABELS = st.sampled_from(["PER", "ORG", "LOC", "GPE-X"])


@st.composite
def text_and_spans(draw: st.DrawFn) -> tuple[str, list[Span]]:
    words = draw(st.lists(WORDS, min_size=1, max_size=25))
    text = " ".join(words)
    tokens = tokenize(text)
    assert len(tokens) == len(words)
    spans, index = [], 0
    while index < len(tokens):
        index += draw(st.integers(0, 3))
        if index >= len(tokens):
            break
        last = min(len(tokens) - 1, index + draw(st.integers(0, 3)))
        spans.append(Span(tokens[index].start, tokens[last].end, draw(LABELS)))
        index = last + 1
    return text, spans


@settings(max_examples=200, deadline=None)
@given(text_and_spans(), st.randoms(use_true_random=False))
def test_round_trip_offsets_bio_offsets(case: tuple[str, list[Span]], rnd: object) -> None:
    text, spans = case
    shuffled = spans[:]
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert bio_to_offsets(*offsets_to_bio(text, shuffled)) == spans


@st.composite
def valid_iob2(draw: st.DrawFn) -> list[str]:
    tags: list[str] = []
    for _ in range(draw(st.integers(0, 20))):
        options = ["O", "B"] + (["I"] if tags and tags[-1] != "O" else [])
        kind = draw(st.sampled_from(options))
        if kind == "O":
            tags.append("O")
        elif kind == "B":
            tags.append(f"B-{draw(LABELS)}")
        else:
            tags.append(f"I-{tags[-1][2:]}")
    return tags


@settings(max_examples=200, deadline=None)
@given(valid_iob2())
def test_round_trip_bio_offsets_bio(tags: list[str]) -> None:
    text, tokens = join_tokens([f"w{i}" for i in range(len(tags))])
    spans = bio_to_offsets(tokens, tags)
    assert offsets_to_bio(text, spans) == (tokens, tags)


# --- one test per error message -----------------------------------------------------------


def test_error_span_start_not_a_token_start() -> None:
    with pytest.raises(BioError, match=r"start offset 1 is not a token start .*\\w\+ runs"):
        offsets_to_bio(TEXT, [Span(1, 12, "PER")])


def test_error_span_end_not_a_token_end() -> None:
    with pytest.raises(BioError, match=r"'Barack Ob': end offset 9 is not a token end"):
        offsets_to_bio(TEXT, [Span(0, 9, "PER")])


def test_error_span_starting_on_whitespace() -> None:
    with pytest.raises(BioError, match=r"start offset 6 is not a token start"):
        offsets_to_bio(TEXT, [Span(6, 12, "PER")])


def test_error_span_outside_text() -> None:
    with pytest.raises(BioError, match=r"ends after the end of the text \(length 40\)"):
        offsets_to_bio(TEXT, [Span(36, 45, "ORG")])


def test_error_overlapping_spans_cannot_be_iob2() -> None:
    message = (
        r"spans overlap: .*'New York-based IBM' and .*'York'; IOB2 cannot represent nested "
        r"or overlapping spans. Filter to a non-overlapping layer first \(e.g. named mentions"
    )
    with pytest.raises(BioError, match=message):
        offsets_to_bio(TEXT, [Span(21, 39, "ORG"), Span(25, 29, "LOC")])


def test_error_duplicate_spans_overlap() -> None:
    with pytest.raises(BioError, match=r"spans overlap"):
        offsets_to_bio(TEXT, [Span(0, 12, "PER"), Span(0, 12, "PER")])


def test_error_offsets_to_bio_non_span() -> None:
    with pytest.raises(TypeError, match=r"spans must be Span objects, got tuple"):
        offsets_to_bio(TEXT, [(0, 12, "PER")])  # type: ignore[list-item]


def test_error_orphan_inside_tag_after_outside() -> None:
    tokens = tokenize(TEXT)
    tags = ["B-PER", "I-PER", "I-PER", *TAGS[3:]]
    tags[2] = "O"
    tags[3] = "I-LOC"
    with pytest.raises(BioError, match=r"token 3: tag 'I-LOC' after 'O' does not continue an "
                       r"entity of type 'LOC'; strict IOB2 starts every entity with 'B-LOC'.*"
                       r"repair=True") as info:  # fmt: skip
        bio_to_offsets(tokens, tags)
    assert info.value.token_index == 3


def test_error_orphan_inside_tag_at_start() -> None:
    with pytest.raises(BioError, match=r"token 0: tag 'I-PER' at the start does not continue"):
        bio_to_offsets([Token("a", 0, 1)], ["I-PER"])


def test_error_inside_tag_of_another_type() -> None:
    with pytest.raises(BioError, match=r"token 1: tag 'I-ORG' after 'B-PER' does not continue"):
        bio_to_offsets([Token("a", 0, 1), Token("b", 2, 3)], ["B-PER", "I-ORG"])


@pytest.mark.parametrize("tag", ["PER", "B-", "E-PER", "b-PER", "", "BPER"])
def test_error_malformed_tag(tag: str) -> None:
    with pytest.raises(BioError, match=r"token 0: malformed tag .*expected 'O', 'B-<label>'"):
        bio_to_offsets([Token("a", 0, 1)], [tag])


def test_error_length_mismatch() -> None:
    with pytest.raises(BioError, match=r"got 1 tokens but 2 tags"):
        bio_to_offsets([Token("a", 0, 1)], ["O", "O"])


def test_error_unsupported_scheme() -> None:
    with pytest.raises(BioError, match=r"unsupported tagging scheme 'IOBES'; only \['IOB2'\]"):
        bio_to_offsets([], [], scheme="IOBES")


def test_error_invalid_token_offsets() -> None:
    with pytest.raises(BioError, match=r"token 0 has invalid offsets .*0 <= start < end"):
        bio_to_offsets([Token("a", 3, 3)], ["O"])


def test_error_tokens_out_of_order() -> None:
    with pytest.raises(BioError, match=r"token 1 .* starts before the end of the previous token"):
        bio_to_offsets([Token("ab", 0, 2), Token("b", 1, 2)], ["O", "O"])


def test_error_token_of_wrong_shape() -> None:
    with pytest.raises(BioError, match=r"token 0 must be a Token/\(text, start, end\)"):
        bio_to_offsets(["a"], ["O"])  # type: ignore[list-item]


def test_error_empty_word_in_join_tokens() -> None:
    with pytest.raises(BioError, match=r"token 1 is empty"):
        join_tokens(["a", ""])


def test_error_conll_line_with_one_column() -> None:
    with pytest.raises(BioError, match=r"line 2: expected at least 2 columns .*got 1: 'rejects'"):
        list(read_conll_columns(["EU B-ORG\n", "rejects\n"]))


def test_error_conll_tag_column_is_token_or_missing() -> None:
    with pytest.raises(BioError, match=r"line 1: tag_column=0 does not select a tag column"):
        list(read_conll_columns(["EU B-ORG"], tag_column=0))
    with pytest.raises(BioError, match=r"line 1: tag_column=-3 does not select"):
        list(read_conll_columns(["EU B-ORG"], tag_column=-3))
    with pytest.raises(BioError, match=r"line 1: tag_column=5 does not select"):
        list(read_conll_columns(["EU B-ORG"], tag_column=5))


def test_error_conll_tags_reported_with_line_numbers() -> None:
    lines = ["-DOCSTART- O", "", "EU B-ORG", "rejects O", "German I-MISC"]
    (sentence,) = read_conll_columns(lines)
    assert isinstance(sentence, ConllSentence)
    with pytest.raises(BioError, match=r"^line 5: token 2: tag 'I-MISC' after 'O'") as info:
        sentence.to_spans()
    assert (info.value.line, info.value.token_index) == (5, 2)
    assert sentence.to_spans(repair=True)[1] == [Span(0, 2, "ORG"), Span(11, 17, "MISC")]


def test_a_boolean_is_no_token_offset():
    # True is an int to Python; as an offset it is a caller's mistake, refused as BioError
    for token in ((True, 2), (0, True), ("x", False, 1)):
        with pytest.raises(BioError, match="invalid offsets"):
            bio_to_offsets([token], ["B-PER"])
