"""Each gold consistency check finds its pattern; the allow-list cannot go stale."""

from __future__ import annotations

from dataclasses import replace

import pytest

from newsbench.corpus.consistency import (
    Finding,
    find_inconsistencies,
    read_allowlist,
    unexplained,
)
from newsbench.schema.model import Source, Span


def _checks(doc):
    return {f.check for f in find_inconsistencies([doc])}


def test_the_fixture_has_one_finding(mini_document):
    # the fixture annotates "he" (paragraph 21) but not its antecedent "Donald Trump"
    assert find_inconsistencies([mini_document]) == [
        Finding(
            "pronoun-singleton",
            f"{mini_document.id} m21_1 he",
            "pronoun 'he' (m21_1) is alone in its cluster: unresolved?",
        )
    ]


def test_same_text_different_type(mini_document):
    first = mini_document.mentions[0]  # "Syrian" GPE
    second = replace(first, id="extra", type="ORG")
    doc = replace(mini_document, mentions=(*mini_document.mentions, second))
    findings = find_inconsistencies([doc])
    assert (
        Finding(
            "same-text-different-type",
            f"{doc.id} Syrian",
            "'Syrian' is annotated as GPE, ORG",
        )
        in findings
    )
    assert "duplicate-mention-span" in {f.check for f in findings}


def test_cluster_and_hopper_mix_types(mini_document):
    mentions = list(mini_document.mentions)
    mentions[0] = replace(mentions[0], type="ORG")  # E_syria: GPE and ORG
    events = list(mini_document.events)
    events[1] = replace(events[1], hopper=events[0].hopper)  # TransportPerson + Attack
    checks = _checks(replace(mini_document, mentions=tuple(mentions), events=tuple(events)))
    assert {"cluster-mixes-types", "hopper-mixes-types"} <= checks


def test_event_patterns(mini_document):
    events = list(mini_document.events)
    events[0] = replace(events[0], arguments=())
    inner = replace(
        events[1],
        id="inner",
        trigger=Span(
            events[1].trigger.start, events[1].trigger.start + 3, events[1].trigger.text[:3]
        ),
    )
    checks = _checks(replace(mini_document, events=(*events, inner)))
    assert {"event-without-arguments", "trigger-inside-trigger"} <= checks


def test_mention_patterns(mini_document):
    mentions = list(mini_document.mentions)
    they = next(i for i, m in enumerate(mentions) if m.text == "they")
    mentions[they] = replace(mentions[they], entity="E_alone")
    mentions[0] = replace(mentions[0], mention_type="PRO")  # "Syrian" as PRO
    checks = _checks(replace(mini_document, mentions=tuple(mentions)))
    assert {"pronoun-singleton", "pro-not-a-pronoun"} <= checks


def test_source_without_head_mention(mini_document):
    attributions = list(mini_document.attributions)
    source = attributions[0].source
    attributions[0] = replace(
        attributions[0], source=Source(source.start, source.end, source.text, None)
    )
    assert "source-not-a-mention" in _checks(
        replace(mini_document, attributions=tuple(attributions))
    )


def test_allowlist_staleness_and_format(tmp_path):
    findings = [Finding("event-without-arguments", "ev1 siege", "...")]
    allowed = {
        ("event-without-arguments", "ev1 siege"): "reason",
        ("pronoun-singleton", "m9 it"): "reason",
    }
    missing, stale = unexplained(findings, allowed)
    assert missing == [] and stale == [("pronoun-singleton", "m9 it")]
    bad = tmp_path / "allow.txt"
    bad.write_text("event-without-arguments | ev1 siege\n")
    with pytest.raises(ValueError, match=r"expected 'check \| key \| reason'"):
        read_allowlist(bad)
