"""split_lone_edges: the edges that are components of their own, and the rest."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

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


def test_edges_that_share_no_end_are_all_lone_in_input_order() -> None:
    edges = [(2, 0), (0, 1), (1, 2, 5)]
    assert split_lone_edges(iter(edges)) == (edges, [])


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=12))
def test_lone_edges_are_those_whose_two_ends_have_no_other_edge(
    edges: list[tuple[int, int]],
) -> None:
    def alone(edge: tuple[int, int]) -> bool:
        return [e[0] for e in edges].count(edge[0]) == 1 == [e[1] for e in edges].count(edge[1])

    assert split_lone_edges(edges) == (
        [e for e in edges if alone(e)],
        [e for e in edges if not alone(e)],
    )
