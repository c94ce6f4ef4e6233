"""Aligning returned strings back to offsets (newsbench.baselines.align)."""

from __future__ import annotations

from newsbench.baselines.align import (
    Alignment,
    AlignmentReport,
    TextAligner,
    Unaligned,
    UnalignedItem,
    fold,
    merge_reports,
    span_distance,
)

TEXT = (
    "Rebels entered Damascus on Sunday. Officials in  Damascus said the rebels\n"
    "entered the CITY of Homs too. Syrian forces left Syria-Lebanon border posts."
)


def _at(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """Offsets of the nth occurrence of needle, computed from the text."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def _aligned(result: Alignment | Unaligned) -> Alignment:
    assert isinstance(result, Alignment), result
    return result


def test_exact_match() -> None:
    hit = _aligned(TextAligner(TEXT).align("Homs"))
    assert (hit.start, hit.end) == _at(TEXT, "Homs")
    assert hit.text == "Homs" and hit.method == "exact"


def test_case_insensitive_match_keeps_the_documents_spelling() -> None:
    hit = _aligned(TextAligner(TEXT).align("the city of homs"))
    assert (hit.start, hit.end) == _at(TEXT, "the CITY of Homs")
    assert hit.text == "the CITY of Homs" and hit.method == "normalised"


def test_whitespace_insensitive_match_maps_back_to_original_offsets() -> None:
    # The text has two spaces after "in" and a newline after "rebels".
    hit = _aligned(TextAligner(TEXT).align("Officials in Damascus"))
    assert (hit.start, hit.end) == _at(TEXT, "Officials in  Damascus")
    assert TEXT[hit.start : hit.end] == hit.text
    hit = _aligned(TextAligner(TEXT).align("the rebels entered"))
    assert (hit.start, hit.end) == _at(TEXT, "the rebels\nentered")


def test_typographic_quotes_fold_to_ascii() -> None:
    text = "He said it was 'over' today."
    hit = _aligned(TextAligner(text).align("\u2018over\u2019"))
    assert (hit.start, hit.end) == _at(text, "'over'")


def test_exact_match_is_preferred_over_a_normalised_one() -> None:
    text = "The city fell. The City Council met."
    hit = _aligned(TextAligner(text).align("City"))
    assert (hit.start, hit.end) == _at(text, "City")
    assert hit.method == "exact"


def test_repeated_string_is_disambiguated_by_context() -> None:
    aligner = TextAligner(TEXT)
    hit = _aligned(aligner.align("Damascus", context="Officials in Damascus said"))
    assert (hit.start, hit.end) == _at(TEXT, "Damascus", 1)
    hit = _aligned(aligner.align("Damascus", context="Rebels entered Damascus on Sunday"))
    assert (hit.start, hit.end) == _at(TEXT, "Damascus", 0)


def test_context_that_does_not_contain_the_string_scores_by_word_overlap() -> None:
    text = "The army attacked at dawn. Officials said later that the army withdrew."
    hit = _aligned(TextAligner(text).align("army", context="officials said ... withdrew"))
    assert (hit.start, hit.end) == _at(text, "army", 1)


def test_kth_request_takes_kth_occurrence_without_context() -> None:
    aligner = TextAligner(TEXT)
    first = _aligned(aligner.align("entered", namespace="events"))
    second = _aligned(aligner.align("entered", namespace="events"))
    assert (first.start, first.end) == _at(TEXT, "entered", 0)
    assert (second.start, second.end) == _at(TEXT, "entered", 1)
    third = aligner.align("entered", namespace="events")
    assert isinstance(third, Unaligned) and "already taken" in third.reason


def test_namespaces_are_independent_and_none_takes_nothing() -> None:
    aligner = TextAligner(TEXT)
    a = _aligned(aligner.align("Homs", namespace="mentions"))
    b = _aligned(aligner.align("Homs", namespace="events"))
    c = _aligned(aligner.align("Homs"))
    d = _aligned(aligner.align("Homs"))
    assert (a.start, b.start, c.start, d.start) == (_at(TEXT, "Homs")[0],) * 4


def test_context_pointing_at_a_taken_occurrence_is_a_duplicate() -> None:
    aligner = TextAligner(TEXT)
    context = "Officials in Damascus said"
    _aligned(aligner.align("Damascus", context=context, namespace="m"))
    again = aligner.align("Damascus", context=context, namespace="m")
    assert isinstance(again, Unaligned) and "duplicate" in again.reason


def test_take_false_skips_taken_but_takes_nothing() -> None:
    aligner = TextAligner(TEXT)
    first = _aligned(aligner.align("entered", namespace="n", take=False))
    again = _aligned(aligner.align("entered", namespace="n", take=False))
    assert first.start == again.start
    aligner.take("n", first.start, first.end)
    after = _aligned(aligner.align("entered", namespace="n"))
    assert (after.start, after.end) == _at(TEXT, "entered", 1)


def test_near_prefers_the_closest_occurrence() -> None:
    aligner = TextAligner(TEXT)
    anchor = _at(TEXT, "Homs")
    hit = _aligned(aligner.align("entered", near=anchor))
    assert (hit.start, hit.end) == _at(TEXT, "entered", 1)


def test_window_limits_the_search_and_keeps_absolute_offsets() -> None:
    line2 = TEXT.index("\n") + 1
    hit = _aligned(TextAligner(TEXT).align("entered", window=(line2, len(TEXT))))
    assert (hit.start, hit.end) == _at(TEXT, "entered", 1)
    missing = TextAligner(TEXT).align("Sunday", window=(line2, len(TEXT)))
    assert isinstance(missing, Unaligned) and missing.reason == "not found in the text"


def test_unalignable_strings_are_reported_not_guessed() -> None:
    aligner = TextAligner(TEXT)
    for query in ("Damscus", "Aleppo", "", "   "):
        result = aligner.align(query)
        assert isinstance(result, Unaligned), query


def test_inside_word_matches_are_rejected() -> None:
    aligner = TextAligner(TEXT)
    # "Syria" occurs inside "Syrian" (rejected) and in "Syria-Lebanon" (accepted).
    hit = _aligned(aligner.align("Syria"))
    assert (hit.start, hit.end) == (_at(TEXT, "Syria-")[0], _at(TEXT, "Syria-")[0] + 5)
    # "ria" and "ebel" only occur inside words.
    for query in ("ria", "ebel", "amascu"):
        result = aligner.align(query)
        assert isinstance(result, Unaligned)
        assert result.reason == "occurs only inside words (would split a word)"


def test_case_folding_that_changes_length_maps_back_exactly() -> None:
    text = "Visit \u0130stanbul and Paris."  # "İ".lower() is two characters
    hit = _aligned(TextAligner(text).align("i\u0307stanbul and paris"))
    assert (hit.start, hit.end) == (_at(text, "\u0130stanbul")[0], _at(text, "Paris")[1])
    assert hit.text == "\u0130stanbul and Paris"


def test_fold_and_distance_helpers() -> None:
    assert fold("  The\tCITY \n of\u2014Homs ") == "the city of-homs"
    assert span_distance(10, 15, (20, 30)) == 5
    assert span_distance(35, 40, (20, 30)) == 5
    assert span_distance(25, 40, (20, 30)) == 0


def test_report_counts_and_merges() -> None:
    a = AlignmentReport("d1", chunks=2, returned=3, aligned=2)
    a.add(UnalignedItem("mentions", 0, 1, "text", "Damscus", "not found in the text"))
    a.count_method(Alignment(0, 1, "R", "exact"))
    b = AlignmentReport("d2", chunks=1, failed_chunks=1)
    b.add(UnalignedItem("response", 0, None, "json", "", "answer unusable", "item"))
    total = merge_reports([a, b])
    assert (total.chunks, total.failed_chunks, total.returned, total.aligned) == (3, 1, 3, 2)
    assert len(total.unaligned) == 2 and total.methods == {"exact": 1}
    assert a.to_dict()["unaligned"][0]["value"] == "Damscus"
    assert "2/3 items aligned" in a.summary()
