"""Consistency checks over the gold: patterns that are usually annotation slips.

Each check yields :class:`Finding` objects with a stable ``key``. A finding is
either fixed in the gold or listed, with its reason, in
``corpus/gold/consistency-allow.txt`` (one ``check | key | reason`` per line).
:func:`unexplained` returns findings missing from the allow-list and allow-list
entries that no longer match anything, so the list cannot go stale.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from newsbench.schema.model import Document

ALLOWLIST = Path(__file__).resolve().parent / "gold" / "consistency-allow.txt"
PRONOUN_FORMS = frozenset(
    {
        "he",
        "she",
        "it",
        "they",
        "him",
        "her",
        "them",
        "his",
        "its",
        "their",
        "theirs",
        "we",
        "us",
        "our",
        "ours",
        "who",
        "which",
        # first and second person, possessive determiners, objects and reflexives
        "i",
        "me",
        "my",
        "you",
        "your",
        "yours",
        "whom",
        "whose",
        "hers",
        "itself",
        "himself",
        "herself",
        "themselves",
        "ourselves",
        "myself",
        "yourself",
    }
)


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One suspicious pattern: the check's name, a stable key, and a description."""

    check: str
    key: str
    detail: str


def _keys_with_several_labels(pairs: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """Yield ``(key, "A, B")`` for every key seen with more than one label, sorted."""
    labels: dict[str, set[str]] = defaultdict(set)
    for key, label in pairs:
        labels[key].add(label)
    for key, found in sorted(labels.items()):
        if len(found) > 1:
            yield key, ", ".join(sorted(found))


def _same_text_different_type(doc: Document) -> Iterator[Finding]:
    pairs = ((m.text, m.type) for m in doc.layer("mentions") if m.mention_type != "PRO")
    for text, found in _keys_with_several_labels(pairs):
        yield Finding("same-text-different-type", text, f"{text!r} is annotated as {found}")


def _cluster_mixes_types(doc: Document) -> Iterator[Finding]:
    pairs = ((m.entity or "", m.type) for m in doc.layer("mentions"))
    for entity, found in _keys_with_several_labels(pairs):
        yield Finding("cluster-mixes-types", entity, f"cluster {entity!r} mixes {found}")


def _hopper_mixes_types(doc: Document) -> Iterator[Finding]:
    pairs = ((e.hopper or "", e.type) for e in doc.layer("events"))
    for hopper, found in _keys_with_several_labels(pairs):
        yield Finding("hopper-mixes-types", hopper, f"hopper {hopper!r} mixes {found}")


def _event_without_arguments(doc: Document) -> Iterator[Finding]:
    for e in doc.layer("events"):
        if not e.arguments:
            yield Finding(
                "event-without-arguments",
                f"{e.id} {e.trigger.text}",
                f"event {e.id} ({e.type}, {e.trigger.text!r}) has no argument",
            )


def _trigger_inside_trigger(doc: Document) -> Iterator[Finding]:
    events = sorted(doc.layer("events"), key=lambda e: (e.trigger.start, -e.trigger.end))
    for outer in events:
        for inner in events:
            if inner is outer:
                continue
            o, i = outer.trigger, inner.trigger
            if o.start <= i.start and i.end <= o.end and (o.start, o.end) != (i.start, i.end):
                yield Finding(
                    "trigger-inside-trigger",
                    f"{inner.id} in {outer.id}",
                    f"trigger {i.text!r} lies inside trigger {o.text!r}",
                )


def _attribution_source_not_a_mention(doc: Document) -> Iterator[Finding]:
    for a in doc.layer("attributions"):
        if a.source is None or a.source.mention is None:
            yield Finding(
                "source-not-a-mention", a.id, f"attribution {a.id} has no source head mention"
            )


def _pronoun_singleton(doc: Document) -> Iterator[Finding]:
    sizes: dict[str, int] = defaultdict(int)
    for m in doc.layer("mentions"):
        sizes[m.entity or m.id] += 1
    for m in doc.layer("mentions"):
        if m.mention_type == "PRO" and sizes[m.entity or m.id] == 1:
            yield Finding(
                "pronoun-singleton",
                f"{m.id} {m.text}",
                f"pronoun {m.text!r} ({m.id}) is alone in its cluster: unresolved?",
            )


def _mention_type_form(doc: Document) -> Iterator[Finding]:
    for m in doc.layer("mentions"):
        is_pronoun = m.text.lower() in PRONOUN_FORMS
        if m.mention_type == "PRO" and not is_pronoun:
            yield Finding(
                "pro-not-a-pronoun",
                f"{m.id} {m.text}",
                f"{m.text!r} ({m.id}) is PRO but not a pronoun form",
            )
        elif m.mention_type != "PRO" and is_pronoun:
            yield Finding(
                "pronoun-not-pro",
                f"{m.id} {m.text}",
                f"{m.text!r} ({m.id}) is a pronoun form marked {m.mention_type}",
            )
        elif m.mention_type == "NAM" and not m.text[:1].isupper():
            yield Finding(
                "name-not-capitalised",
                f"{m.id} {m.text}",
                f"NAM mention {m.text!r} ({m.id}) does not start with a capital",
            )


def _duplicate_spans(doc: Document) -> Iterator[Finding]:
    seen: dict[tuple[int, int], str] = {}
    for m in doc.layer("mentions"):
        key = (m.start, m.end)
        if key in seen:
            yield Finding(
                "duplicate-mention-span",
                f"{seen[key]} {m.id}",
                f"mentions {seen[key]} and {m.id} have the same span {m.text!r}",
            )
        else:
            seen[key] = m.id


def _span_ends_with_punctuation(doc: Document) -> Iterator[Finding]:
    spans = [(m.id, m.text) for m in doc.layer("mentions")]
    spans += [(t.id, t.text) for t in doc.layer("time_expressions")]
    spans += [(e.id, e.trigger.text) for e in doc.layer("events")]
    for ident, text in spans:
        if text[-1] in ".,;:!?" and not (text[-1] == "." and "." in text[:-1]):
            yield Finding(
                "span-ends-with-punctuation",
                f"{ident} {text}",
                f"{text!r} ({ident}) ends with punctuation",
            )


CHECKS = (
    _same_text_different_type,
    _cluster_mixes_types,
    _hopper_mixes_types,
    _event_without_arguments,
    _trigger_inside_trigger,
    _attribution_source_not_a_mention,
    _pronoun_singleton,
    _mention_type_form,
    _duplicate_spans,
    _span_ends_with_punctuation,
)


def find_inconsistencies(documents: Iterable[Document]) -> list[Finding]:
    """Run every check over the documents; return the sorted findings.

    A finding's key starts with its document's id (``000_b245f45723a17301 ev4_3 siege``),
    so that equal object ids in two documents never share an allow-list entry.
    """
    findings = {
        Finding(f.check, f"{doc.id} {f.key}", f.detail)
        for doc in documents
        for check in CHECKS
        for f in check(doc)
    }
    return sorted(findings)


def read_allowlist(path: Path = ALLOWLIST) -> dict[tuple[str, str], str]:
    """Read ``check | key | reason`` lines (``#`` comments and blank lines ignored).

    Raises:
        ValueError: for a malformed line or an entry without a reason.
    """
    entries: dict[tuple[str, str], str] = {}
    if not path.exists():
        return entries
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 3 or not all(parts):
            raise ValueError(f"{path}:{number}: expected 'check | key | reason'")
        entries[(parts[0], parts[1])] = parts[2]
    return entries


def unexplained(
    findings: Sequence[Finding], allowed: dict[tuple[str, str], str]
) -> tuple[list[Finding], list[tuple[str, str]]]:
    """Return findings not in the allow-list and allow-list entries that match nothing."""
    keys = {(f.check, f.key) for f in findings}
    missing = [f for f in findings if (f.check, f.key) not in allowed]
    stale = sorted(k for k in allowed if k not in keys)
    return missing, stale


def main(argv: Sequence[str] | None = None) -> int:
    """Print unexplained findings and stale allow-list entries; exit 1 if any."""
    from newsbench.corpus import SPLITS, gold_path
    from newsbench.schema.validate import load_documents

    del argv
    findings = find_inconsistencies(d for s in SPLITS for d in load_documents(gold_path(s)))
    missing, stale = unexplained(findings, read_allowlist())
    for f in missing:
        print(f"{f.check} | {f.key} | {f.detail}")
    for check, key in stale:
        print(f"stale allow-list entry: {check} | {key}")
    print(
        f"{len(findings)} finding(s), {len(missing)} unexplained, {len(stale)} stale",
        file=sys.stderr,
    )
    return 1 if missing or stale else 0


if __name__ == "__main__":
    sys.exit(main())
