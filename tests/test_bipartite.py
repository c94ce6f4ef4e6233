"""split_lone_edges: the edges that are components of their own, and the rest."""

from __future__ import annotations

from newsbench.eval.bipartite import split_lone_edges


def test_lone_edges_are_split_from_shared_ones_in_input_order() -> None:
    # (0, 0) and (3, 4, 7) touch nothing else; 1 and 2 share right node 1; left node 5
    # has two edges.
    edges = [(1, 1), (0, 0), (2, 1), (3, 4, 7), (5, 2), (5, 3)]
    lone, linked = split_lone_edges(iter(edges))
    assert lone == [(0, 0), (3, 4, 7)]
    assert linked == [(1, 1), (2, 1), (5, 2), (5, 3)]


def test_no_edges() -> None:
    assert split_lone_edges([]) == ([], [])
