"""Corpus statistics: counts per layer and per label, computed from documents."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.table import Table

from newsbench.schema.model import Document


def _sorted(counter: Counter[str]) -> dict[str, int]:
    return {key: counter[key] for key in sorted(counter)}


def corpus_statistics(documents: Iterable[Document]) -> dict[str, Any]:
    """Return counts per layer and per type for ``documents``.

    The result is plain JSON data: ``{"documents": n, "characters": n,
    "layers": {layer: {"total": n, "by_<attribute>": {label: n}}}}``. Layers a
    prediction file does not give are reported as absent rather than zero.
    """
    docs = list(documents)
    layers: dict[str, dict[str, Any]] = {}

    def add(layer: str, total: int, **breakdowns: Counter[str]) -> None:
        entry = layers.setdefault(layer, {"total": 0})
        entry["total"] += total
        for name, counter in breakdowns.items():
            merged = Counter(entry.get(name, {}))
            merged.update(counter)
            entry[name] = _sorted(merged)

    for doc in docs:
        if doc.paragraphs is not None:
            add("paragraphs", len(doc.paragraphs))
        if doc.zones is not None:
            add("zones", len(doc.zones), by_type=Counter(z.type for z in doc.zones))
        if doc.sentences is not None:
            add("sentences", len(doc.sentences))
        if doc.mentions is not None:
            add(
                "mentions",
                len(doc.mentions),
                by_type=Counter(m.type for m in doc.mentions),
                by_mention_type=Counter(m.mention_type or "(none)" for m in doc.mentions),
            )
            entities = {m.entity for m in doc.mentions if m.entity is not None}
            add("entities", len(entities))
        if doc.time_expressions is not None:
            add(
                "time_expressions",
                len(doc.time_expressions),
                by_type=Counter(t.type for t in doc.time_expressions),
            )
        if doc.events is not None:
            arguments = [a for e in doc.events for a in e.arguments or ()]
            add(
                "events",
                len(doc.events),
                by_type=Counter(e.type for e in doc.events),
                by_realis=Counter(e.realis or "(none)" for e in doc.events),
            )
            add("arguments", len(arguments), by_role=Counter(a.role for a in arguments))
            add("hoppers", len({e.hopper for e in doc.events if e.hopper is not None}))
        if doc.attributions is not None:
            add(
                "attributions",
                len(doc.attributions),
                by_mode=Counter(a.mode or "(none)" for a in doc.attributions),
                by_source_class=Counter(a.source_class or "(none)" for a in doc.attributions),
            )
    return {
        "documents": len(docs),
        "characters": sum(len(d.text) for d in docs),
        "layers": layers,
    }


def print_statistics(stats: dict[str, Any], console: Console) -> None:
    """Render corpus statistics as tables."""
    console.print(f"{stats['documents']} document(s), {stats['characters']} characters")
    table = Table(title="Counts per layer")
    table.add_column("layer")
    table.add_column("total", justify="right")
    table.add_column("breakdown")
    for layer, entry in stats["layers"].items():
        breakdown = "; ".join(
            f"{name.removeprefix('by_')}: " + ", ".join(f"{k} {v}" for k, v in counts.items())
            for name, counts in entry.items()
            if name != "total"
        )
        table.add_row(layer, str(entry["total"]), breakdown)
    console.print(table)
