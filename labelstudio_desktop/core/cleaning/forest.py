"""A union-find over NumPy arrays that joins pairs a block at a time: no pair is ever held beyond its block, and
none goes through Python one by one.

Each block's pairs are reduced to their components' roots (pointer jumping, with the paths it walks compressed); the
pairs between two different components join them: of these, one pair per two components (the closest), then a
minimum spanning forest of those (scipy's ``csgraph``) names the pairs that did the joining (a spanning tree of
every group, which the review lists), and the roots of every joined set point at the smallest one. Each root also
counts the pairs found inside its set (weights: a pair of two collapsed nodes stands for all their members' pairs).
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree


class Forest:
    """Disjoint sets of the nodes ``0..n-1``, each root counting the pairs found inside its set."""

    def __init__(self, n: int, pairs: np.ndarray | None = None):
        self.parent = np.arange(n, dtype=np.int64)
        self.pairs = np.zeros(n, np.int64) if pairs is None else np.asarray(pairs, np.int64).copy()

    def find(self, nodes: np.ndarray) -> np.ndarray:
        """The roots of ``nodes`` (their paths compressed)."""
        nodes = np.asarray(nodes, np.int64)
        roots = self.parent[nodes]
        while True:
            up = self.parent[roots]
            if np.array_equal(up, roots):
                break
            roots = up
        self.parent[nodes] = roots
        return roots

    def roots(self) -> np.ndarray:
        """Every node's root."""
        while True:
            up = self.parent[self.parent]
            if np.array_equal(up, self.parent):
                return self.parent.copy()
            self.parent = up

    def join(self, a: np.ndarray, b: np.ndarray, distance: np.ndarray,
             weight: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Join the pairs ``(a[k], b[k])`` (each ``weight[k]`` pairs, default 1): the indices of the pairs that joined
        two sets (a minimum spanning forest, by distance, of the sets they joined), and every pair's root after."""
        a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
        weight = np.ones(len(a), np.int64) if weight is None else np.asarray(weight, np.int64)
        ra, rb = self.find(a), self.find(b)
        inside = ra == rb
        if inside.all():
            np.add.at(self.pairs, ra, weight)
            return np.zeros(0, np.int64), ra
        if inside.any():
            np.add.at(self.pairs, ra[inside], weight[inside])
        across = np.nonzero(~inside)[0]
        lo, hi = np.minimum(ra[across], rb[across]), np.maximum(ra[across], rb[across])
        # the roots met, numbered 0..k-1 in order (a table over all nodes: no sort)
        met = np.zeros(len(self.parent), bool)
        met[lo] = met[hi] = True
        nodes = np.flatnonzero(met)
        k = len(nodes)
        number = np.zeros(len(self.parent), np.int64)
        number[nodes] = np.arange(k)
        la, lb = number[lo], number[hi]
        del met, number
        # one pair per two sets, the closest: sorted by (sets, distance), the first of each
        d = distance[across]
        if np.issubdtype(d.dtype, np.integer) and len(d) and int(d.min()) >= 0:
            order = np.argsort((la * k + lb) * (int(d.max()) + 1) + d, kind="stable")
        else:
            order = np.lexsort((d, lb, la))
        key = la[order] * k + lb[order]
        first = np.ones(len(order), bool)
        first[1:] = key[1:] != key[:-1]
        best = order[first]
        graph = coo_matrix((np.asarray(d[best], np.float64) + 1.0, (la[best], lb[best])), shape=(k, k)).tocsr()
        tree = minimum_spanning_tree(graph).tocoo()
        tree_key = np.minimum(tree.row, tree.col).astype(np.int64) * k + np.maximum(tree.row, tree.col)
        joined = across[best[np.searchsorted(key[first], tree_key)]]
        count, component = connected_components(tree, directed=False)
        # each joined set's new root: its smallest root (nodes are in order, so the first of each component)
        firsts = np.unique(component, return_index=True)[1]
        new_root = nodes[firsts]
        total = np.zeros(count, np.int64)
        np.add.at(total, component, self.pairs[nodes])
        np.add.at(total, component[la], weight[across])
        self.parent[nodes] = new_root[component]
        self.pairs[new_root] = total
        return joined, self.parent[ra]
