"""Hypothesis strategies for valid newsbench documents (gold and prediction)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from newsbench.schema.contract import (
    ATTRIBUTION_MODES,
    ENTITY_TYPES,
    MENTION_TYPES,
    REALIS_VALUES,
    SOURCE_CLASSES,
    roles_by_event_type,
)
from newsbench.schema.tokens import token_offsets

WORDS = [
    "Syria",
    "rebels",
    "said",
    "the",
    "city",
    "Damascus",
    "é",
    "fled",
    "Friday",
    ",",
    ".",
    "Hezbollah",
    "forces",
    "\u00fcber",
    "\U0001f600",
    "told",
    "Reuters",
    "2018",
]


@st.composite
def documents(draw: Any, max_tokens: int = 40) -> dict[str, Any]:
    """Draw a schema- and semantically-valid gold document as a JSON object."""
    words = draw(st.lists(st.sampled_from(WORDS), min_size=3, max_size=max_tokens))
    text = " ".join(words)
    tokens = token_offsets(text)

    def span() -> dict[str, Any]:
        i = draw(st.integers(0, len(tokens) - 1))
        j = draw(st.integers(i, min(len(tokens) - 1, i + 3)))
        start, end = tokens[i][0], tokens[j][1]
        return {"start": start, "end": end, "text": text[start:end]}

    mentions = []
    for k in range(draw(st.integers(1, 6))):
        mentions.append(
            {
                "id": f"m{k}",
                **span(),
                "type": draw(st.sampled_from(ENTITY_TYPES)),
                "mention_type": draw(st.sampled_from(MENTION_TYPES)),
                "entity": f"E{draw(st.integers(0, 2))}",
            }
        )
    timexes = [{"id": "t0", **span(), "type": "DATE", "value": "2024-12-06"}]
    roles = roles_by_event_type()
    events = []
    for k in range(draw(st.integers(0, 3))):
        event_type = draw(st.sampled_from(sorted(roles)))
        role = draw(st.sampled_from([r for r in roles[event_type] if r != "Time"]))
        events.append(
            {
                "id": f"ev{k}",
                "type": event_type,
                "trigger": span(),
                "realis": draw(st.sampled_from(REALIS_VALUES)),
                "arguments": [{"role": role, "ref": "m0"}, {"role": "Time", "ref": "t0"}],
                "hopper": f"H{k % 2}",
            }
        )
    head = mentions[0]
    attributions = [
        {
            "id": "a0",
            "cue": [span()],
            "source": {
                "start": head["start"],
                "end": head["end"],
                "text": head["text"],
                "mention": "m0",
            },
            "content": [span()],
            "source_class": draw(st.sampled_from(SOURCE_CLASSES)),
            "mode": draw(st.sampled_from(ATTRIBUTION_MODES)),
        }
    ]
    whole = {"start": 0, "end": len(text), "text": text}
    return {
        "id": f"doc{draw(st.integers(0, 999))}",
        "text": text,
        "metadata": {"dct": "2024-12-08", "source_file": "generated", "language": "en"},
        "paragraphs": [{"id": "p1", **whole}],
        "zones": [{"id": "z1", "type": "body", **whole}],
        "sentences": [{"id": "s1", **whole}],
        "mentions": mentions,
        "time_expressions": timexes,
        "events": events,
        "attributions": attributions,
    }
