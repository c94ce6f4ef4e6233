"""Small helpers on bipartite edge lists shared by the optimal alignments."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TypeVar

__all__ = ["split_lone_edges"]

Edge = TypeVar("Edge", bound=Sequence[int])


def split_lone_edges(edges: Iterable[Edge]) -> tuple[list[Edge], list[Edge]]:
    """Split edges ``(left, right, ...)`` into lone edges and the rest, in input order.

    A lone edge's two ends have no other edge: it is a connected component of its own,
    and with a positive weight it is that component's optimal assignment, so it needs no
    solver. Only the other edges need components and an assignment.
    """
    edges = list(edges)
    if len({edge[0] for edge in edges}) == len(edges) == len({edge[1] for edge in edges}):
        return edges, []  # no end is shared: every edge is lone
    left_degree = Counter(edge[0] for edge in edges)
    right_degree = Counter(edge[1] for edge in edges)
    lone: list[Edge] = []
    linked: list[Edge] = []
    for edge in edges:
        if left_degree[edge[0]] == 1 and right_degree[edge[1]] == 1:
            lone.append(edge)
        else:
            linked.append(edge)
    return lone, linked
