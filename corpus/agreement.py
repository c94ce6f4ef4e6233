"""Inter-annotator agreement, computed with the project's own harness.

Annotation B is scored as if it were a prediction against annotation A (F1 is
symmetric: swapping the two swaps P and R), on every layer, strict and partial.
Chance-corrected agreement on labels is Cohen's kappa over the items both
annotators marked with the same span: entity type and mention type of mentions
with equal offsets, TIMEX type of time expressions with equal offsets, event type
and realis of triggers with equal offsets, and mode and source class of
attributions with equal cue offsets.

Usage::

    python -m newsbench.corpus.agreement corpus/agreement/annotator_a.ann \\
        corpus/agreement/annotator_b.ann [--json out.json]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Any

from newsbench.corpus.build import REPO_ROOT
from newsbench.corpus.gold_source import parse_gold_source
from newsbench.eval.arguments import resample_count
from newsbench.eval.harness import ScoringConfig, score_documents
from newsbench.eval.pairing import pair_documents
from newsbench.schema.model import Document
from newsbench.schema.paths import PathArgument, PathError, check_paths


def cohen_kappa(labels_a: Sequence[Hashable], labels_b: Sequence[Hashable]) -> float:
    """Cohen's kappa of two label sequences over the same items.

    ``kappa = (p_o - p_e) / (1 - p_e)`` with ``p_o`` the observed agreement and
    ``p_e = sum_k p_A(k) p_B(k)`` the chance agreement. When ``p_e = 1`` (both
    annotators used one and the same label throughout) kappa is undefined; it is
    reported as 1.0 (perfect agreement on a constant labelling). An empty
    sequence gives NaN.

    Raises:
        ValueError: if the sequences differ in length.
    """
    if len(labels_a) != len(labels_b):
        raise ValueError(f"kappa needs paired labels: {len(labels_a)} != {len(labels_b)}")
    n = len(labels_a)
    if n == 0:
        return float("nan")
    observed = sum(a == b for a, b in zip(labels_a, labels_b, strict=True)) / n
    count_a, count_b = Counter(labels_a), Counter(labels_b)
    expected = sum(count_a[k] * count_b[k] for k in count_a) / (n * n)
    if expected == 1.0:
        return 1.0
    return (observed - expected) / (1.0 - expected)


def _paired_labels(
    items_a: Sequence[Any],
    items_b: Sequence[Any],
    key: Callable[[Any], Hashable],
    label: Callable[[Any], Hashable],
) -> tuple[list[Hashable], list[Hashable]]:
    by_key_b: dict[Hashable, list[Any]] = {}
    for item in sorted(items_b, key=lambda x: (key(x), str(label(x)))):
        by_key_b.setdefault(key(item), []).append(item)
    out_a, out_b = [], []
    for item in sorted(items_a, key=lambda x: (key(x), str(label(x)))):
        candidates = by_key_b.get(key(item))
        if candidates:
            other = candidates.pop(0)
            out_a.append(label(item))
            out_b.append(label(other))
    return out_a, out_b


def kappas(
    a: Document | Sequence[Document], b: Document | Sequence[Document]
) -> dict[str, dict[str, float | int]]:
    """Cohen's kappa of every label attribute over equal-span items (of every document pair)."""
    docs_a = [a] if isinstance(a, Document) else list(a)
    docs_b = [b] if isinstance(b, Document) else list(b)

    def span(x: Any) -> tuple[int, int]:
        return (x.start, x.end)

    def trigger(x: Any) -> tuple[int, int]:
        return (x.trigger.start, x.trigger.end)

    def cue(x: Any) -> tuple[int, int]:
        return (x.cue[0].start, x.cue[-1].end)

    specs: dict[str, tuple[str, Callable[[Any], Hashable], Callable[[Any], Hashable]]] = {
        "mention.type": ("mentions", span, lambda m: m.type),
        "mention.mention_type": ("mentions", span, lambda m: m.mention_type),
        "timex.type": ("time_expressions", span, lambda t: t.type),
        "timex.value (exact agreement)": ("time_expressions", span, lambda t: t.value),
        "event.type": ("events", trigger, lambda e: e.type),
        "event.realis": ("events", trigger, lambda e: e.realis),
        "attribution.mode": ("attributions", cue, lambda x: x.mode),
        "attribution.source_class": ("attributions", cue, lambda x: x.source_class),
    }
    out: dict[str, dict[str, float | int]] = {}
    for name, (layer, key, label) in specs.items():
        labels_a, labels_b = [], []
        for doc_a, doc_b in zip(docs_a, docs_b, strict=True):
            one_a, one_b = _paired_labels(doc_a.layer(layer), doc_b.layer(layer), key, label)
            labels_a += one_a
            labels_b += one_b
        observed = (
            sum(x == y for x, y in zip(labels_a, labels_b, strict=True)) / len(labels_a)
            if labels_a
            else float("nan")
        )
        out[name] = {
            "items": len(labels_a),
            "observed": observed,
            "kappa": cohen_kappa(labels_a, labels_b),
        }
    return out


def agreement(
    a: Document | Sequence[Document],
    b: Document | Sequence[Document],
    *,
    n_resamples: int = 1000,
) -> dict[str, Any]:
    """Score B against A with the harness and add kappas; return JSON data.

    ``a`` and ``b`` are one document each or the same documents (by id) in both.
    """
    docs_a = [a] if isinstance(a, Document) else list(a)
    docs_b = [b] if isinstance(b, Document) else list(b)
    report = score_documents(
        pair_documents(docs_a, docs_b),
        ScoringConfig(n_resamples=n_resamples),
        corpus_version="agreement",
    )
    by_id = {d.id: d for d in docs_b}
    return {"report": report, "kappa": kappas(docs_a, [by_id[d.id] for d in docs_a])}


AGREEMENT_ROWS: tuple[tuple[str, str], ...] = (
    ("mentions, strict (span + type)", "entities.strict"),
    ("mentions, exact span", "entities.exact"),
    ("mentions, partial (overlap, PAR = 1/2)", "entities.partial"),
    ("named mentions, strict", "entities.NAM.strict"),
    ("entity coreference, CoNLL F1", "coref.entities.conll"),
    ("entity coreference, CoNLL F1 on shared mentions", "coref.entities.gold_mentions.conll"),
    ("time expressions, strict span", "timex.strict"),
    ("time expressions, relaxed span", "timex.relaxed"),
    ("time expressions, value F1", "timex.value"),
    ("event triggers, identification", "events.trigger_id"),
    ("event triggers, classification", "events.trigger_cls"),
    ("event arguments, classification", "events.arg_cls"),
    ("event arguments, classification, coref-aware", "events.arg_cls.coref"),
    ("event hoppers, CoNLL F1", "coref.events.conll"),
    ("attribution cue, strict", "attr.cue"),
    ("attribution source, strict", "attr.source"),
    ("attribution source, partial", "attr.source.partial"),
    ("attribution content, strict", "attr.content"),
    ("attribution content, partial", "attr.content.partial"),
    ("attribution relation (whole)", "attr.relation"),
)


def render_markdown(result: dict[str, Any]) -> str:
    """Return the agreement tables as Markdown."""
    metrics = result["report"]["metrics"]
    lines = ["| layer and measure | F1 (%) |", "| --- | ---: |"]
    for label, metric in AGREEMENT_ROWS:
        if metric in metrics:
            lines.append(f"| {label} | {100 * metrics[metric]['f1']:.1f} |")
    lines += [
        "",
        "| label (over items with equal spans) | items | observed (%) | Cohen's kappa |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, row in result["kappa"].items():
        lines.append(
            f"| {name} | {row['items']} | {100 * row['observed']:.1f} | {row['kappa']:.3f} |"
        )
    return "\n".join(lines) + "\n"


AGREEMENT_DOC = REPO_ROOT / "corpus" / "AGREEMENT.md"
AGREEMENT_DIR = REPO_ROOT / "corpus" / "agreement"
TEST_A = AGREEMENT_DIR / "test" / "a"
TEST_B = AGREEMENT_DIR / "test" / "b"


def _double_annotated(folder: Path) -> tuple[Path, ...]:
    """The files of ``folder`` whose document both test annotators have finished."""
    both = {p.name for p in TEST_A.glob("*.ann")} & {p.name for p in TEST_B.glob("*.ann")}
    return tuple(sorted(folder / name for name in both))


COMPARISONS: dict[str, tuple[tuple[Path, ...], tuple[Path, ...]]] = {
    "a-vs-b": ((AGREEMENT_DIR / "annotator_a.ann",), (AGREEMENT_DIR / "annotator_b.ann",)),
    "gold-vs-c": (
        (REPO_ROOT / "corpus" / "gold" / "validation" / "000_b245f45723a17301.ann",),
        (AGREEMENT_DIR / "annotator_c_spec_only.ann",),
    ),
    "test-a-vs-b": (_double_annotated(TEST_A), _double_annotated(TEST_B)),
}
"""The comparisons reported in AGREEMENT.md: name -> (reference files, other annotation
files; the same documents). ``test-a-vs-b``: the test documents annotated twice,
independently, before adjudication (first annotator, who also wrote the text, vs a second
annotator who saw only the text, the spec and the guidelines)."""


def render_block(name: str, *, n_resamples: int = 20) -> str:
    """Return the generated Markdown block of one comparison (markers included)."""
    reference, other = COMPARISONS[name]
    result = agreement(
        [parse_gold_source(path, REPO_ROOT) for path in reference],
        [parse_gold_source(path, REPO_ROOT) for path in other],
        n_resamples=n_resamples,
    )
    return (
        f"<!-- agreement:{name}:start -->\n"
        f"<!-- generated by `python -m newsbench.corpus.agreement --update`; "
        f"do not edit by hand -->\n\n{render_markdown(result)}"
        f"<!-- agreement:{name}:end -->"
    )


def updated_document(text: str) -> str:
    """Return AGREEMENT.md text with every generated block recomputed.

    Raises:
        ValueError: if a block's markers are missing.
    """
    for name in COMPARISONS:
        start_marker, end_marker = (
            f"<!-- agreement:{name}:start -->",
            f"<!-- agreement:{name}:end -->",
        )
        start, end = text.find(start_marker), text.find(end_marker)
        if start < 0 or end < start:
            raise ValueError(f"AGREEMENT.md has no {start_marker} ... {end_marker} block")
        text = text[:start] + render_block(name) + text[end + len(end_marker) :]
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    if argv is None:
        argv = sys.argv[1:]
    if list(argv) == ["--update"]:
        text = AGREEMENT_DOC.read_text("utf-8")
        AGREEMENT_DOC.write_text(updated_document(text), "utf-8")
        print(f"updated {AGREEMENT_DOC}")
        return 0
    parser = argparse.ArgumentParser(description="inter-annotator agreement of two .ann files")
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--json", type=Path, help="write the full result here")
    parser.add_argument("--resamples", type=resample_count, default=1000)
    args = parser.parse_args(argv)
    try:
        check_paths(
            [
                PathArgument("A", args.a, "input"),
                PathArgument("B", args.b, "input"),
                *([PathArgument("--json", args.json, "output")] if args.json else []),
            ]
        )
    except PathError as exc:
        parser.error("; ".join(exc.problems))
    doc_a = parse_gold_source(args.a, REPO_ROOT)
    doc_b = parse_gold_source(args.b, REPO_ROOT)
    result = agreement(doc_a, doc_b, n_resamples=args.resamples)
    if args.json:
        from newsbench.eval.report import write_json

        write_json(args.json, result)
    sys.stdout.write(render_markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
