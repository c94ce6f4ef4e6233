"""Coreference scoring of entity clusters and event hoppers, per document.

Mentions are keyed by their ``(start, end)`` offsets, so predicted mentions are
aligned to gold ones by exact span. Three settings are scored for entities:

- ``e2e`` (end to end): the key is the gold clustering, the response the
  predicted clustering of the predicted mentions (twinless mentions on either
  side are handled as the CoNLL reference scorer does);
- ``gold_mentions``: the response is restricted to the gold mentions, and gold
  mentions the system did not predict are added as singletons, which scores
  the clustering decisions alone;
- each of the above with and without singleton clusters (``singletons`` /
  ``no_singletons``, the CoNLL-2012 convention drops them).

Event hoppers are scored end to end over triggers keyed by offsets. A
predicted mention or event without a cluster id is its own singleton.

Coreference chains cross sentences, so its sufficient statistics are kept per
**document**; intervals are computed only when the corpus has 2+ documents.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from operator import attrgetter

from newsbench.eval.coref import CorefCounts, coref_counts_by_policy
from newsbench.eval.event_scoring import hopper_clusters
from newsbench.schema.model import Document, Mention

Key = tuple[int, int]
SETTINGS: tuple[str, ...] = ("e2e", "gold_mentions")
POLICIES: tuple[str, ...] = ("singletons", "no_singletons")


def mention_clusters(mentions: Iterable[Mention]) -> list[list[Key]]:
    """Return the entity clusters of ``mentions`` keyed by ``(start, end)``.

    Several mentions with the same offsets (allowed in predictions) keep only
    the first in id order, so that a mention key appears once on its side.
    """
    clusters: dict[str, list[Key]] = defaultdict(list)
    seen: set[Key] = set()
    for mention in sorted(mentions, key=attrgetter("start", "end", "id")):
        key = (mention.start, mention.end)
        if key in seen:
            continue
        seen.add(key)
        cluster = mention.entity if mention.entity is not None else f"\0{mention.id}"
        clusters[cluster].append(key)
    # Keys arrive in increasing order (sorted, no repeats): every cluster is sorted.
    return [c for _, c in sorted(clusters.items())]


def _restrict_to(
    key: Sequence[Sequence[Key]], response: Sequence[Sequence[Key]]
) -> list[list[Key]]:
    gold = {k for cluster in key for k in cluster}
    restricted = [[k for k in cluster if k in gold] for cluster in response]
    covered = {k for cluster in restricted for k in cluster}
    restricted = [c for c in restricted if c]
    restricted.extend([k] for k in sorted(gold - covered))
    return restricted


def predicts_entity_clusters(doc: Document) -> bool:
    """True if the document gives at least one mention with an entity id."""
    return any(m.entity is not None for m in doc.layer("mentions"))


def predicts_hoppers(doc: Document) -> bool:
    """True if the document gives at least one event with a hopper id."""
    return any(e.hopper is not None for e in doc.layer("events"))


def entity_coref_counts(gold: Document, pred: Document) -> dict[str, CorefCounts]:
    """Return the counts of every setting and singleton policy for one document.

    Keys are ``"<setting>.<policy>"``, e.g. ``"e2e.singletons"``.
    """
    key = mention_clusters(gold.layer("mentions"))
    response = mention_clusters(pred.layer("mentions"))
    responses = {"e2e": response, "gold_mentions": _restrict_to(key, response)}
    counts: dict[str, CorefCounts] = {}
    for setting in SETTINGS:
        by_policy = coref_counts_by_policy(key, responses[setting])
        counts.update((f"{setting}.{policy}", by_policy[policy]) for policy in POLICIES)
    return counts


def event_coref_counts(gold: Document, pred: Document) -> dict[str, CorefCounts]:
    """Return end-to-end hopper counts with and without singletons for one document."""
    key = hopper_clusters(gold)
    response = hopper_clusters(pred) if pred.events is not None else []
    by_policy = coref_counts_by_policy(key, response)
    return {f"e2e.{policy}": by_policy[policy] for policy in POLICIES}
