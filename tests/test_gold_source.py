"""The gold source form: anchors resolve uniquely or the build names every problem."""

from __future__ import annotations

import pytest

from newsbench.corpus.gold_source import GoldSourceError, parse_gold_source

HEADER = """document d1
text seeds/000_b245f45723a17301.txt
dct 2024-12-08
language en
paragraph 1
"""


def _parse(tmp_path, repo_root, body):
    path = tmp_path / "x.ann"
    path.write_text(HEADER + body, "utf-8")
    return parse_gold_source(path, repo_root)


def test_anchor_with_context_and_nth(tmp_path, repo_root):
    doc = _parse(
        tmp_path,
        repo_root,
        (
            'mention m1 PER NOM E_r text="rebels" text.ctx="Syrian rebels said"\n'
            'mention m2 PER PRO E_r text="them" text.nth=1\n'
        ),
    )
    rebels, them = doc.mentions
    assert (rebels.start, rebels.end) == (7, 13) and doc.text[7:13] == "rebels"
    assert them.start == doc.text.index(" them ") + 1 and them.end == them.start + 4


def test_ambiguous_anchor_lists_every_match(tmp_path, repo_root):
    with pytest.raises(GoldSourceError, match=r"x.ann:6: 'Homs' occurs 0 times.*\(nowhere\)"):
        _parse(tmp_path, repo_root, 'mention m1 GPE NAM E_s text="Homs"\n')


def test_anchor_inside_a_word_does_not_match(tmp_path, repo_root):
    with pytest.raises(GoldSourceError, match=r"'rebel' occurs 0 times as a whole word"):
        _parse(tmp_path, repo_root, 'mention m1 PER NOM E_r text="rebel"\n')


def test_repeated_anchor_needs_disambiguation(tmp_path, repo_root):
    doc_body = 'timex t1 DATE 2024-12-08 text="Sunday"\nmention m1 PER PRO E_r text="that"\n'
    pattern = (
        r"'that' occurs 2 times as a whole word in paragraph 1 "
        r"\(\[\d+, \d+\), \[\d+, \d+\)\); add .ctx or .nth"
    )
    with pytest.raises(GoldSourceError, match=pattern):
        _parse(tmp_path, repo_root, doc_body)


def test_every_error_is_reported(tmp_path, repo_root):
    with pytest.raises(GoldSourceError) as info:
        _parse(
            tmp_path,
            repo_root,
            (
                'mention m1 XYZ NAM E_s text="Syrian"\n'
                'event ev1 Conflict.Attack MAYBE H1 trigger="offensive"\n'
                "bogus line\n"
            ),
        )
    messages = info.value.errors
    assert len(messages) == 3
    assert "entity type 'XYZ'" in messages[0]
    assert "realis 'MAYBE'" in messages[1]
    assert "unknown line kind 'bogus'" in messages[2]


def test_unknown_key_is_an_error(tmp_path, repo_root):
    with pytest.raises(GoldSourceError, match="unknown key"):
        _parse(tmp_path, repo_root, 'mention m1 GPE NAM E_s text="Syrian" colour=red\n')


def test_body_zones_are_derived_for_unzoned_paragraphs(mini_document):
    zones = {z.id: z.type for z in mini_document.zones}
    assert zones["z9_1"] == "caption" and zones["z9_2"] == "credit"
    assert "z9" not in zones and zones["z1"] == "body"
    assert len(mini_document.paragraphs) == 24


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            'mention m1 PER NOM E_r text="rebels" text.ctx="Syrian rebels said" '
            'text.ctx="the rebels"\n',
            "two text.ctx= for one text=: give one",
        ),
        (
            'mention m1 PER NOM E_r text.nth=1 text="rebels"\n',
            "text.nth= comes before any text=",
        ),
        (
            'mention m1 PER NOM E_r text="rebels" text.ctx="Syrian rebels said"\n'
            "text seeds/000_b245f45723a17301.txt\n",
            "a second 'text' line: a .ann file has one",
        ),
    ],
    ids=["two-contexts", "modifier-first", "second-text"],
)
def test_nothing_in_a_source_is_dropped_or_overridden_in_silence(
    tmp_path, repo_root, body, message
):
    with pytest.raises(GoldSourceError, match=message):
        _parse(tmp_path, repo_root, body)


def test_a_key_that_takes_one_value_is_given_once(tmp_path, repo_root):
    body = (
        'mention m1 PER NOM E_r text="rebels" text.ctx="Syrian rebels said"\n'
        'attribution a1 ASSERTIVE DIRECT cue="said" cue.ctx="rebels said" '
        'source="rebels" source.ctx="Syrian rebels said" source.mention=m1 source.mention=m1 '
        'content="x"\n'
    )
    with pytest.raises(GoldSourceError, match=r"source\.mention= given twice"):
        _parse(tmp_path, repo_root, body)


def test_a_comment_ends_at_its_line_whatever_ends_it(tmp_path, repo_root):
    """As in the shell: a backslash at the end of a comment continues nothing (it hid the
    next line's annotation inside the comment)."""
    body = (
        "# see the note \\\n"
        'mention m1 PER NOM E_r text="rebels" text.ctx="Syrian rebels said"\n'
        'mention m2 PER NOM E_r text="rebels" \\\n  text.ctx="Syrian rebels said" # ok\n'
    )
    assert [m.id for m in _parse(tmp_path, repo_root, body).mentions] == ["m1", "m2"]


def test_one_document_twice_in_one_build_is_an_error(tmp_path, repo_root, capsys):
    from newsbench.corpus.build import main as build_main

    first, again, other = tmp_path / "d1.ann", tmp_path / "d1-copy.ann", tmp_path / "d2.ann"
    body = HEADER + 'mention m1 PER NOM E_r text="rebels" text.ctx="Syrian rebels said"\n'
    first.write_text(body, "utf-8")
    again.write_text(body, "utf-8")  # the same id and text
    other.write_text(body.replace("document d1", "document d2"), "utf-8")  # the same text
    out = tmp_path / "out.jsonl"
    argv = ["--source", str(first), str(again), str(other), "--out", str(out)]
    assert build_main(argv) == 1
    err = capsys.readouterr().err
    assert "id 'd1' is twice in the --source files (first as 'd1')" in err
    assert "the text of 'd2' is twice in the --source files (first as 'd1')" in err
    assert not out.exists()
