"""Seeded synthetic corpora with the gold's layer densities, and noisy predictions.

Densities per 1,000 characters are measured on the gold corpus (mentions, time
expressions, events, arguments, attributions, entities per mention); documents are
built from a fixed word list, and every span is on token boundaries, so the
documents pass the validator. Predictions copy the gold and apply controlled error
rates: boundary, type, missed, spurious, and coreference clusters split and merged.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_VOCABULARY = """rebels forces army said told reported city capital border region officer sources
    Syria Damascus Homs Israel Hezbollah Reuters convoy vehicles fighters residents
    entered seized attacked fled withdrew took over control offensive clashes strike
    on in near from to the a of and that as after before during Friday Saturday Sunday
    morning evening 2018 according government president envoy militants post base"""
WORDS = tuple(_VOCABULARY.split())
ENTITY_TYPES = ("PER", "ORG", "GPE", "LOC", "FAC", "VEH", "WEA")
TYPE_WEIGHTS = (60, 35, 83, 20, 9, 7, 1)
EVENT_ROLES = {
    "Conflict.Attack": ("Attacker", "Target", "Place"),
    "Movement.TransportPerson": ("Agent", "Person", "Origin", "Destination"),
    "Movement.TransportArtifact": ("Agent", "Artifact", "Origin", "Destination"),
    "Transaction.TransferControl": ("Recipient", "Giver", "Territory"),
}


@dataclass(frozen=True)
class Densities:
    """Annotations per 1,000 characters (defaults measured on corpus 1.0.0)."""

    mentions: float = 215 / 4.856
    time_expressions: float = 16 / 4.856
    events: float = 39 / 4.856
    arguments_per_event: float = 72 / 39
    attributions: float = 24 / 4.856
    mentions_per_entity: float = 215 / 88


@dataclass(frozen=True)
class ErrorRates:
    """Probabilities of each prediction error, per gold item."""

    boundary: float = 0.1
    type: float = 0.1
    missed: float = 0.1
    spurious: float = 0.1
    cluster_split: float = 0.1
    cluster_merge: float = 0.05


def _text(
    rng: random.Random, n_chars: int
) -> tuple[str, list[tuple[int, int]], list[tuple[int, int]]]:
    """Return text, token offsets and sentence offsets."""
    parts: list[str] = []
    tokens: list[tuple[int, int]] = []
    sentences: list[tuple[int, int]] = []
    position = 0
    while position < n_chars:
        start = position
        for _ in range(rng.randint(12, 28)):
            word = rng.choice(WORDS)
            if parts and not parts[-1].endswith(" "):
                parts.append(" ")
                position += 1
            tokens.append((position, position + len(word)))
            parts.append(word)
            position += len(word)
        parts.append(".")
        tokens.append((position, position + 1))
        position += 1
        sentences.append((start, position))
        parts.append(" ")
        position += 1
    text = "".join(parts).rstrip()
    return text, tokens, sentences


def _span(text: str, start: int, end: int) -> dict[str, Any]:
    return {"start": start, "end": end, "text": text[start:end]}


def gold_document(
    doc_id: str, rng: random.Random, n_chars: int = 2000, densities: Densities = Densities()
) -> dict[str, Any]:
    """Return one synthetic gold document as a schema-valid JSON object."""
    text, tokens, sentences = _text(rng, n_chars)
    words = [t for t in tokens if text[t[0]].isalnum()]
    k = len(text) / 1000
    n_mentions = min(len(words) // 2, round(densities.mentions * k))
    chosen = sorted(rng.sample(range(len(words)), n_mentions))
    n_entities = max(1, round(n_mentions / densities.mentions_per_entity))
    mentions = []
    for i, w in enumerate(chosen):
        start, end = words[w]
        mentions.append(
            {
                "id": f"m{i}",
                **_span(text, start, end),
                "type": rng.choices(ENTITY_TYPES, TYPE_WEIGHTS)[0],
                "mention_type": rng.choice(("NAM", "NOM", "PRO")),
                "entity": f"E{rng.randrange(n_entities)}",
            }
        )
    used = set(chosen)
    free = [w for w in range(len(words)) if w not in used]
    rng.shuffle(free)
    timexes = []
    for i in range(min(len(free) // 4, round(densities.time_expressions * k))):
        start, end = words[free.pop()]
        timexes.append(
            {
                "id": f"t{i}",
                **_span(text, start, end),
                "type": "DATE",
                "value": f"2024-12-{rng.randint(1, 28):02d}",
            }
        )
    events = []
    for i in range(min(len(free) // 2, round(densities.events * k))):
        start, end = words[free.pop()]
        event_type = rng.choice(tuple(EVENT_ROLES))
        n_args = min(len(mentions), max(0, round(rng.gauss(densities.arguments_per_event, 1))))
        arguments = [
            {"role": rng.choice(EVENT_ROLES[event_type]), "ref": m["id"]}
            for m in rng.sample(mentions, n_args)
        ]
        if timexes and rng.random() < 0.2:
            arguments.append({"role": "Time", "ref": rng.choice(timexes)["id"]})
        events.append(
            {
                "id": f"ev{i}",
                "type": event_type,
                "trigger": _span(text, start, end),
                "realis": rng.choice(("ACTUAL", "ACTUAL", "OTHER", "GENERIC")),
                "arguments": arguments,
                "hopper": f"H{rng.randrange(max(1, i))}",
            }
        )
    attributions = []
    for i in range(min(len(sentences), round(densities.attributions * k))):
        s_start, s_end = sentences[i]
        sentence_words = [t for t in words if s_start <= t[0] and t[1] <= s_end]
        heads = [m for m in mentions if s_start <= m["start"] and m["end"] <= s_end]
        if len(sentence_words) < 6 or not heads:
            continue
        head = heads[0]
        cue = next((w for w in sentence_words if w[0] >= head["end"]), None)
        if cue is None or cue == sentence_words[-1]:
            continue
        content_start = next(w[0] for w in sentence_words if w[0] > cue[0])
        attributions.append(
            {
                "id": f"a{i}",
                "cue": [_span(text, *cue)],
                "source": {**_span(text, head["start"], head["end"]), "mention": head["id"]},
                "content": [_span(text, content_start, sentence_words[-1][1])],
                "source_class": "UNNAMED",
                "mode": "INDIRECT",
            }
        )
    whole = _span(text, 0, len(text))
    return {
        "id": doc_id,
        "text": text,
        "metadata": {"dct": "2024-12-08", "source_file": "synthetic", "language": "en"},
        "paragraphs": [{"id": "p1", **whole}],
        "zones": [{"id": "z1", "type": "body", **whole}],
        "sentences": [
            {"id": f"s{i}", **_span(text, s, e)}
            for i, (s, e) in enumerate(sentences)
            if e <= len(text)
        ],
        "mentions": mentions,
        "time_expressions": timexes,
        "events": events,
        "attributions": attributions,
    }


def noisy_prediction(
    gold: dict[str, Any], rng: random.Random, rates: ErrorRates = ErrorRates()
) -> dict[str, Any]:
    """Return a prediction for ``gold`` with the given error rates."""
    text = gold["text"]
    mentions = []
    kept_ids: set[str] = set()
    heads = {a["source"]["mention"] for a in gold["attributions"]}
    for m in gold["mentions"]:
        if rng.random() < rates.missed:
            continue
        m = dict(m)
        if rng.random() < rates.boundary and m["end"] + 1 < len(text) and m["id"] not in heads:
            end = text.find(" ", m["end"] + 1)
            end = len(text) if end < 0 else end
            if text[end - 1] == ".":
                end -= 1
            m.update(_span(text, m["start"], end))
        if rng.random() < rates.type:
            m["type"] = rng.choice([t for t in ENTITY_TYPES if t != m["type"]])
        if rng.random() < rates.cluster_split:
            m["entity"] = f"{m['entity']}-split{rng.randrange(3)}"
        elif rng.random() < rates.cluster_merge:
            m["entity"] = "E0"
        kept_ids.add(m["id"])
        mentions.append(m)
    for i in range(round(len(gold["mentions"]) * rates.spurious)):
        start = rng.randrange(0, len(text) - 1)
        while start > 0 and text[start - 1] != " ":
            start -= 1
        end = text.find(" ", start)
        end = len(text) if end < 0 else end
        if text[end - 1] == ".":
            end -= 1
        if end > start:
            mentions.append(
                {
                    "id": f"spu{i}",
                    **_span(text, start, end),
                    "type": rng.choice(ENTITY_TYPES),
                    "mention_type": "NAM",
                    "entity": f"S{i}",
                }
            )
    timexes = [t for t in gold["time_expressions"] if rng.random() >= rates.missed]
    kept_ids.update(t["id"] for t in timexes)
    events = []
    for e in gold["events"]:
        if rng.random() < rates.missed:
            continue
        e = dict(e)
        e["arguments"] = [a for a in e["arguments"] if a["ref"] in kept_ids]
        if rng.random() < rates.type:
            e["type"] = "Conflict.Attack"
            e["arguments"] = [
                a for a in e["arguments"] if a["role"] in ("Attacker", "Target", "Place", "Time")
            ]
        events.append(e)
    attributions = [
        dict(a)
        for a in gold["attributions"]
        if a["source"]["mention"] in kept_ids and rng.random() >= rates.missed
    ]
    return {
        "id": gold["id"],
        "text": text,
        "mentions": mentions,
        "time_expressions": timexes,
        "events": events,
        "attributions": attributions,
    }


def corpus(
    n_documents: int, seed: int = 12345, n_chars: int = 2000
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Yield ``(gold, prediction)`` pairs of a seeded synthetic corpus."""
    rng = random.Random(seed)
    for i in range(n_documents):
        gold = gold_document(f"doc{i:06d}", rng, n_chars)
        yield gold, noisy_prediction(gold, rng)
