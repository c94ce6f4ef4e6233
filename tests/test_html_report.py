"""The HTML error report: structure, escaping and counts; then the page in headless Chromium."""

from __future__ import annotations

import argparse
import os
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from newsbench.corpus import gold_path
from newsbench.eval.harness import ScoringConfig, score_documents
from newsbench.eval.html_report import (
    confusion_counts,
    error_class,
    error_code,
    register_show,
    render_gold,
    render_html,
)
from newsbench.eval.pairing import DocumentPair, pair_documents
from newsbench.schema.model import (
    Argument,
    Attribution,
    Document,
    Event,
    Mention,
    Source,
    Span,
    TimeExpression,
)
from newsbench.schema.validate import load_documents

# --- data -------------------------------------------------------------------------------


def perturb(gold: Document) -> Document:
    """A deterministic 'prediction': the gold with errors of every kind put in."""
    text = gold.text
    kept: list[Mention] = []
    for i, m in enumerate(gold.layer("mentions")):
        if i % 11 == 5:
            continue  # missed
        if i % 13 == 1:
            m = replace(m, type="ORG" if m.type != "ORG" else "PER")  # type
        elif i % 17 == 2 and m.end - m.start > 3:
            m = replace(m, end=m.end - 1, text=text[m.start : m.end - 1])  # boundary
        elif i % 19 == 3 and m.end - m.start > 3:  # boundary+type
            m = replace(
                m,
                end=m.end - 1,
                text=text[m.start : m.end - 1],
                type="FAC" if m.type != "FAC" else "LOC",
            )
        kept.append(m)
    covered = [(m.start, m.end) for m in gold.layer("mentions")]
    for n, word in enumerate(("the", "that", "some")):  # spurious
        pos = text.find(f" {word} ") + 1
        while pos and any(s <= pos < e for s, e in covered):
            pos = text.find(f" {word} ", pos + 1) + 1
        if pos:
            kept.append(Mention(f"spurious{n}", pos, pos + len(word), word, "PER", "NOM"))
    ids = {m.id for m in kept} | {t.id for t in gold.layer("time_expressions")}
    timexes = [
        replace(t, value="1999") if i == 1 else t
        for i, t in enumerate(gold.layer("time_expressions"))
    ]
    events = []
    for i, e in enumerate(gold.layer("events")):
        if i % 9 == 4:
            continue  # missed
        args = tuple(a for a in e.arguments or () if a.ref in ids)
        if i % 7 == 1 and args:
            args = (
                replace(args[0], role="Place" if args[0].role != "Place" else "Time"),
                *args[1:],
            )
        if i % 8 == 2:
            e = replace(e, realis="GENERIC" if e.realis != "GENERIC" else "ACTUAL")
        if i % 10 == 3:
            e = replace(e, type="Contact.Meet")
        events.append(replace(e, arguments=args))
    attributions = []
    for i, a in enumerate(gold.layer("attributions")):
        if i == 2:
            continue  # missed
        if i == 4:  # content overlap too small
            c = a.content[0]
            a = replace(a, content=(Span(c.start, c.start + 4, text[c.start : c.start + 4]),))
        if i == 6:
            a = replace(a, mode="DIRECT" if a.mode != "DIRECT" else "INDIRECT")
        if a.source is not None and a.source.mention not in ids:
            a = replace(a, source=replace(a.source, mention=None))
        if a.intermediary not in ids:
            a = replace(a, intermediary=None)
        attributions.append(a)
    return Document(
        id=gold.id,
        text=text,
        mentions=tuple(kept),
        time_expressions=tuple(timexes),
        events=tuple(events),
        attributions=tuple(attributions),
    )


TRICKY_TEXT = (
    'Breaking <b>"news"</b> & more 😀: Tom met Ann in <Paris> & "Rome".\n'
    "\U0001f600\U0001f600 Ann's </script><script>alert(1)</script> said it was 'fine'."
)


def _at(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def tricky_pair() -> DocumentPair:
    """Markup characters, quotes, astral-plane characters before the spans, nested mentions."""
    t = TRICKY_TEXT

    def mention(mid: str, needle: str, kind: str, entity: str, nth: int = 0) -> Mention:
        s, e = _at(t, needle, nth)
        return Mention(mid, s, e, t[s:e], kind, "NAM", entity)

    gold_mentions = (
        mention("m1", "Tom", "PER", "tom"),
        mention("m2", "Ann", "PER", "ann"),
        mention("m3", "<Paris>", "GPE", "paris"),
        mention("m4", '"Rome"', "GPE", "rome"),
        mention("m5", "Ann's </script>", "ORG", "script"),
        mention("m6", "Ann", "PER", "ann", nth=1),
    )
    s, e = _at(t, "met")
    event = Event("e1", "Contact.Meet", Span(s, e, "met"), "ACTUAL", (Argument("Entity", "m1"),))
    cs, ce = _at(t, "it was 'fine'")
    qs, qe = _at(t, "said")
    ss, se = _at(t, "Ann's </script>")
    attribution = Attribution(
        "a1",
        (Span(qs, qe, "said"),),
        (Span(cs, ce, t[cs:ce]),),
        Source(ss, se, t[ss:se], "m5"),
        source_class="NAMED_PERSON",
        mode="INDIRECT",
    )
    ts, te = _at(t, "Breaking")
    timex = TimeExpression("t1", ts, te, "Breaking", "DATE", "PRESENT_REF")
    gold = Document(
        "tricky<&>\"doc'",
        t,
        mentions=gold_mentions,
        time_expressions=(timex,),
        events=(event,),
        attributions=(attribution,),
    )
    pred_mentions = (
        gold_mentions[0],
        replace(gold_mentions[1], type="ORG"),  # type
        gold_mentions[2],  # the quoted one is missed
        gold_mentions[4],
        gold_mentions[5],
        Mention("p9", *_at(t, "news"), "news", "ORG", "NOM"),  # spurious
    )
    pred = replace(gold, mentions=pred_mentions, events=(replace(event, realis="OTHER"),))
    return DocumentPair(gold, pred)


@pytest.fixture(scope="module")
def corpus_pairs() -> list[DocumentPair]:
    gold = load_documents(gold_path("validation"), "document")
    return pair_documents(gold, [perturb(d) for d in gold])


@pytest.fixture(scope="module")
def scored(corpus_pairs: list[DocumentPair]) -> tuple[dict[str, Any], list[DocumentPair]]:
    pairs = [*corpus_pairs, tricky_pair()]
    report = score_documents(pairs, ScoringConfig(n_resamples=50))
    return report, pairs


@pytest.fixture(scope="module")
def page(scored: tuple[dict[str, Any], list[DocumentPair]]) -> str:
    report, pairs = scored
    return render_html(report, pairs, title='Run <"A"> & B')


# --- the HTML as text ----------------------------------------------------------------------


def test_the_perturbation_covers_every_kind_of_error(scored):
    kinds = {(e["layer"], e["kind"]) for e in scored[0]["errors"]}
    for expected in [
        ("entities", "missed"),
        ("entities", "spurious"),
        ("entities", "boundary"),
        ("entities", "type"),
        ("entities", "boundary+type"),
        ("timex", "value"),
        ("events", "missed"),
        ("events", "type"),
        ("events", "realis"),
        ("events", "role"),
        ("events", "missed-argument"),
        ("attributions", "missed"),
        ("attributions", "content-overlap"),
        ("attributions", "mode"),
    ]:
        assert expected in kinds


def test_one_mark_per_error_and_per_kind(scored, page):
    errors = scored[0]["errors"]
    marks = re.findall(r'<a class="emark [^"]*" id="e(\d+)"[^>]*data-kind="([^"]*)"', page)
    assert sorted(int(n) for n, _ in marks) == list(range(len(errors)))
    unescape = {"&quot;": '"', "&amp;": "&"}
    counted = Counter(re.sub("&quot;|&amp;", lambda m: unescape[m.group()], k) for _, k in marks)
    assert counted == Counter(e["kind"] for e in errors)
    rows = re.findall(r'<tr id="r(\d+)"', page)
    assert len(rows) == len(errors)


def test_no_external_references(page):
    for attribute, value in re.findall(r'\b(src|href|action|srcset|poster)\s*=\s*"([^"]*)"', page):
        assert value.startswith("#") or value.startswith("data:"), (attribute, value)
    assert "url(" not in page.replace("url(data:", "")
    assert "@import" not in page
    assert "http://" not in page.split("<main>")[0]  # nothing in the head
    assert '<meta http-equiv="Content-Security-Policy"' in page
    assert "<link" not in page
    assert len(re.findall(r"<script", page)) == 1  # the inline one, no src


def test_text_and_attributes_are_escaped(page):
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "</script>" not in page.split("<script>")[0]
    assert "&lt;Paris&gt;" in page
    assert "<Paris>" not in page
    assert "Run &lt;&quot;A&quot;&gt; &amp; B" in page
    assert "tricky&lt;&amp;&gt;&quot;doc&#x27;" in page
    # every attribute value is quoted and free of raw quotes / angle brackets
    for tag in re.findall(r"<[a-z][^<>]*>", page):
        stripped = re.sub(r'="[^"<>]*"', "", tag)
        assert '"' not in stripped and "'" not in stripped, tag


def test_error_codes_and_classes():
    assert error_code("missed") == "M"
    assert error_code("boundary+type") == "BT"
    assert error_code("source+content-overlap") == "SRCCO"
    assert error_code("brand-new_kind") == "BNK"
    assert error_class("missed-argument") == "missed"
    assert error_class("spurious") == "spurious"
    assert error_class("content-overlap") == "overlap"
    assert error_class("source_class") == "attribute"
    assert error_class("role") == "attribute"


def test_confusion_matrix_rows_add_up_to_the_support(scored):
    report = scored[0]
    matrix = confusion_counts(report)
    per_type = report["entities"]["entities"]["strict"]["per_type"]
    for i, row in enumerate(matrix["rows"][:-1]):
        assert sum(matrix["counts"][i]) == per_type.get(row, {}).get("support", 0)
    spurious = Counter(
        e["pred_label"]
        for e in report["errors"]
        if e["layer"] == "entities" and e["kind"] == "spurious"
    )
    assert sum(matrix["counts"][-1]) == sum(spurious.values())
    assert matrix["columns"][-1] == "(missed)" and matrix["rows"][-1] == "(spurious)"


def test_scores_signature_and_provenance_are_shown(scored, page):
    report = scored[0]
    for metric in report["headline"]:
        assert f'data-metric="{metric}"' in page
    assert "entities.strict" in page and "CI of F1" in page
    assert report["signature"].replace("|", "|<wbr>") in page
    assert "corpus version" in page
    assert '<table class="confusion"' in page
    assert page.count("<svg") >= len(report["headline"]) + 1


def test_marks_nest_and_cross_without_breaking_the_text(scored, page):
    # stripping every tag inside each document gives back the escaped text exactly
    pairs = scored[1]
    bodies = re.findall(r'<div class="text"[^>]*>(.*?)</div></article>', page, flags=re.S)
    assert len(bodies) == len(pairs)
    from html import unescape

    for body, pair in zip(bodies, pairs, strict=True):
        text = re.sub(r'<a class="emark[^>]*>[^<]*</a>', "", body)
        assert unescape(re.sub(r"<[^>]+>", "", text)) == pair.gold.text
        assert text.count("<span") == text.count("</span>")


def test_render_gold_and_show_command(tmp_path, corpus_pairs, capsys):
    html = render_gold([p.gold for p in corpus_pairs])
    assert "emark" not in html.split("<main>")[1].split("<script>")[0]
    assert html.count('class="m g') >= len(corpus_pairs[0].gold.layer("mentions"))
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    register_show(sub)
    out = tmp_path / "gold.html"
    args = parser.parse_args(["show", "--out", str(out)])
    assert args.handler(args) == 0
    assert out.read_text("utf-8").startswith("<!DOCTYPE html>")
    missing = parser.parse_args(["show", str(tmp_path / "nope.jsonl"), "--out", str(out)])
    assert missing.handler(missing) == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n', "utf-8")
    invalid = parser.parse_args(["show", str(bad), "--out", str(tmp_path / "x.html")])
    assert invalid.handler(invalid) == 1
    assert not (tmp_path / "x.html").exists()


def test_a_report_without_errors_or_entities_renders(corpus_pairs):
    gold = corpus_pairs[0].gold
    pairs = pair_documents([gold], [gold])
    report = score_documents(pairs, ScoringConfig(n_resamples=20))
    html = render_html(report, pairs)
    assert "0 error(s)" in html and "emark c-" not in html.split("<main>")[1].split("<style>")[0]


# --- in a real browser -------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    from tests.browser import INSTALL_HINT, Browser, find_chromium

    executable = find_chromium()
    if executable is None:
        pytest.skip(f"Chromium not found: the browser tests need it ({INSTALL_HINT})")
    with Browser(executable) as instance:
        yield instance


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory) -> Iterator[Path]:
    """Screenshots go under pytest's tmp; ``$NEWSBENCH_TEST_ARTIFACTS`` keeps a copy."""
    folder = tmp_path_factory.mktemp("html_report_artifacts")
    yield folder
    keep = os.environ.get("NEWSBENCH_TEST_ARTIFACTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for shot in folder.glob("*.png"):
            shutil.copy2(shot, Path(keep) / shot.name)


@pytest.fixture(scope="module")
def opened(browser, page, artifacts):
    path = artifacts / "report.html"
    path.write_text(page, "utf-8")
    browser.requests.clear()
    browser.console.clear()
    browser.set_viewport(1280, 900)
    browser.open(path.as_uri())
    return browser


def _js(browser, expression: str) -> Any:
    return browser.evaluate(f"(() => {{ {expression} }})()")


def test_browser_counts_every_error_mark(opened, scored):
    errors = scored[0]["errors"]
    assert opened.evaluate("document.querySelectorAll('.text .emark').length") == len(errors)
    per_kind = _js(
        opened,
        "const c = {}; document.querySelectorAll('.text .emark').forEach("
        "m => { c[m.dataset.kind] = (c[m.dataset.kind] || 0) + 1; }); return c;",
    )
    assert per_kind == dict(Counter(e["kind"] for e in errors))
    visible = _js(
        opened,
        "return [...document.querySelectorAll('.text .emark')]"
        ".filter(m => m.getBoundingClientRect().width > 0).length;",
    )
    assert visible == len(errors)


def test_browser_offsets_match_the_python_text(opened, scored):
    """Every mention's pieces, joined, read exactly its text (astral characters included)."""
    expected = {}
    for i, pair in enumerate(scored[1]):
        for side, doc in (("g", pair.gold), ("p", pair.pred)):
            for m in doc.layer("mentions"):
                expected[f"d{i}:{side}:{m.id}"] = m.text
    got = _js(
        opened,
        "const t = {}; document.querySelectorAll('.m[data-id]').forEach(e => {"
        " const clone = e.cloneNode(true);"
        " clone.querySelectorAll('.emark').forEach(x => x.remove());"
        " t[e.dataset.id] = (t[e.dataset.id] || '') + clone.textContent; }); return t;",
    )
    # a piece nested in another piece of the same mention cannot happen, so the join is exact
    assert got == expected


def test_browser_no_requests_leave_the_file_and_no_console_errors(opened):
    assert opened.requests, "the page load itself is recorded"
    for url in opened.requests:
        assert url.startswith(("file://", "data:")), url
    errors = [(level, text) for level, text in opened.console if level in {"error", "exception"}]
    assert errors == []


TOGGLES = [
    ("mentions-g", ".m.g", "borderBottomColor"),
    ("mentions-p", ".m.p", "borderTopColor"),
    ("time_expressions-g", ".x.g", "borderBottomColor"),
    ("time_expressions-p", ".x.p", "borderTopColor"),
    ("events-g", ".ev.g", "backgroundImage"),
    ("events-p", ".ev.p", "backgroundImage"),
    ("attributions-g", ".ac.g", "backgroundImage"),
    ("attributions-p", ".au.p", "textDecorationLine"),
    ("errors", ".text .emark", "display"),
]


@pytest.mark.parametrize(("toggle", "selector", "prop"), TOGGLES)
def test_browser_toggling_a_layer_hides_and_shows_its_marks(opened, toggle, selector, prop):
    read = f"return getComputedStyle(document.querySelector('{selector}'))['{prop}'];"
    click = f"document.querySelector('input[data-toggle=\"{toggle}\"]').click(); return 1;"
    shown = _js(opened, read)
    assert shown not in {"none", "rgba(0, 0, 0, 0)"}
    _js(opened, click)
    hidden = _js(opened, read)
    assert hidden in {"none", "rgba(0, 0, 0, 0)"}, (toggle, hidden)
    _js(opened, click)
    assert _js(opened, read) == shown


def test_browser_hover_highlights_the_coreference_chain(opened):
    result = _js(
        opened,
        "const m = [...document.querySelectorAll('.m.g[data-ent]')].find(e =>"
        ' document.querySelectorAll(`[data-ent="${CSS.escape(e.dataset.ent)}"]`).length > 2);'
        " m.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));"
        ' const chain = document.querySelectorAll(`[data-ent="${CSS.escape(m.dataset.ent)}"]`);'
        " return [chain.length, document.querySelectorAll('.hl').length,"
        " getComputedStyle(m).backgroundColor];",
    )
    assert result[0] > 2 and result[1] == result[0]
    assert result[2] != "rgba(0, 0, 0, 0)"


def test_browser_event_click_shows_roles_and_arguments(opened):
    result = _js(
        opened,
        "const t = [...document.querySelectorAll('.ev.g')].find(e =>"
        " JSON.parse(e.dataset.args).length > 1); t.click();"
        " const info = document.getElementById('info');"
        " const out = [info.hidden, info.querySelectorAll('li').length,"
        " JSON.parse(t.dataset.args).length, document.querySelectorAll('.arg').length,"
        " info.textContent]; t.click(); out.push(info.hidden); return out;",
    )
    hidden, items, n_args, marked, text, hidden_after = result
    assert not hidden and items == n_args and marked >= n_args and ":" in text
    assert hidden_after


def test_browser_filter_and_jump_to_an_error(opened, scored):
    errors = scored[0]["errors"]
    kind = "boundary"
    expected = sum(1 for e in errors if e["kind"] == kind)
    result = _js(
        opened,
        f"const s = document.getElementById('f-kind'); s.value = '{kind}';"
        " s.dispatchEvent(new Event('change'));"
        " const rows = [...document.querySelectorAll('table.errors tbody tr')]"
        ".filter(r => getComputedStyle(r).display !== 'none');"
        " const marks = [...document.querySelectorAll('.text .emark')]"
        ".filter(m => getComputedStyle(m).display !== 'none');"
        " const out = [rows.length, marks.length, document.getElementById('f-count').textContent];"
        " rows[rows.length - 1].click();"
        " const n = rows[rows.length - 1].dataset.err;"
        " const mark = document.getElementById('e' + n);"
        " const box = mark.getBoundingClientRect();"
        " out.push(box.top >= 0 && box.bottom <= innerHeight, mark.classList.contains('flash'));"
        " s.value = ''; s.dispatchEvent(new Event('change')); return out;",
    )
    rows, marks, count, in_view, flashed = result
    assert rows == expected == marks
    assert count == f"{expected} of {len(errors)} errors"
    assert in_view and flashed


@pytest.mark.parametrize("width", [1280, 800])
def test_browser_layout_and_screenshots(opened, artifacts, width):
    opened.set_viewport(width, 900)
    overflow = opened.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, f"the page scrolls sideways at {width} px"
    top = artifacts / f"report-{width}-top.png"
    opened.evaluate("window.scrollTo(0, 0)")
    opened.screenshot(top)
    opened.evaluate("document.getElementById('documents').scrollIntoView()")
    text = opened.screenshot(artifacts / f"report-{width}-text.png")
    opened.evaluate("document.getElementById('errors').scrollIntoView()")
    table = opened.screenshot(artifacts / f"report-{width}-errors.png")
    for shot in (top, text, table):
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    print(f"screenshots: {artifacts}")
    opened.set_viewport(1280, 900)


def test_browser_gold_page(browser, artifacts, corpus_pairs):
    path = artifacts / "gold.html"
    path.write_text(render_gold([p.gold for p in corpus_pairs]), "utf-8")
    browser.requests.clear()
    browser.console.clear()
    browser.set_viewport(800, 900)
    browser.open(path.as_uri())
    n_mentions = sum(len(p.gold.layer("mentions")) for p in corpus_pairs)
    ids = browser.evaluate(
        "new Set([...document.querySelectorAll('.m.g')].map(e => e.dataset.id)).size"
    )
    assert ids == n_mentions
    assert all(u.startswith(("file://", "data:")) for u in browser.requests)
    assert [c for c in browser.console if c[0] in {"error", "exception"}] == []
    browser.screenshot(artifacts / "gold-800.png")
    browser.set_viewport(1280, 900)
