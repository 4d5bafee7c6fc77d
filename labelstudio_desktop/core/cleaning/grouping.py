"""Duplicate groups from a stream of pairs, with a bounded number of pairs per group kept for review.

The images are first collapsed into *nodes*: images with the same fingerprint key (their hash, and their mirror
image's hash) are within distance 0 of each other, so a node stands for all its members and their pairs, and only
distinct keys are searched (a thousand burst shots with a few dozen distinct hashes are a few dozen nodes). An image
with a "not a duplicate" decision stays a node of its own, so that a rejected pair can be left out.

The pairs between nodes come in blocks (:func:`.hamming.stream_pairs`); each block joins the sets of a
:class:`.forest.Forest`, which counts the pairs found in every set (a pair of nodes stands for every pair of their
members). What is kept of a block for review: the pairs that joined two sets (a spanning forest, at most one less than
the nodes), and the pairs of sets that still have at most :data:`PAIRS_PER_GROUP` pairs. At the end a group with that
many pairs or fewer lists them all (member by member); a larger group lists its :data:`PAIRS_PER_GROUP` closest kept
pairs, from its spanning tree (between nodes) and the pairs that tie each node's members to its first member.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .forest import Forest

#: Pairs listed per group for review: a group with more lists this many (its closest, spanning it where it can).
PAIRS_PER_GROUP = 100
#: Pairs held for review before those of groups already past PAIRS_PER_GROUP (not on a spanning tree) are dropped.
POOL = 1 << 22
EXACT, NEAR, SIMILAR = 0, 1, 2


@dataclass
class Kept:
    """The pairs kept for review, by member index: parallel arrays."""

    a: np.ndarray
    b: np.ndarray
    kind: np.ndarray  # EXACT, NEAR, SIMILAR
    distance: np.ndarray  # float64: Hamming distance, or 1 - similarity
    mirrored: np.ndarray  # bool
    similarity: np.ndarray  # float64, NaN where there is none

    @classmethod
    def empty(cls) -> Kept:
        return cls(*(np.zeros(0, t) for t in (np.int64, np.int64, np.int8, np.float64, bool, np.float64)))

    @classmethod
    def joined(cls, parts: list[Kept]) -> Kept:
        if not parts:
            return cls.empty()
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in
                     ("a", "b", "kind", "distance", "mirrored", "similarity")))

    def take(self, index: np.ndarray) -> Kept:
        return Kept(self.a[index], self.b[index], self.kind[index], self.distance[index], self.mirrored[index],
                    self.similarity[index])

    def __len__(self) -> int:
        return len(self.a)


@dataclass
class Groups:
    """What :meth:`Grouping.finish` finds: every member's group (-1: none; groups numbered by their first member),
    the pairs found in all, and the pairs kept."""

    group: np.ndarray  # int64 per member
    count: int
    pairs_found: int
    kept: Kept


def collapse(keys: np.ndarray, alone: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Members (rows of ``keys``) with equal keys as one node, except the ``alone`` ones (a node each): every member's
    node, each node's member count and first member. Nodes are numbered by their first member."""
    m = len(keys)
    node_of = np.zeros(m, np.int64)
    together = np.nonzero(~alone)[0]
    if len(together):
        packed = np.ascontiguousarray(keys[together])
        rows = packed.view(np.dtype((np.void, packed.dtype.itemsize * packed.shape[1]))).ravel()
        _values, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
        node_of[together] = together[first[inverse.ravel()]]  # provisional: the node's first member
    node_of[alone] = np.nonzero(alone)[0]
    firsts, node_of = np.unique(node_of, return_inverse=True)
    counts = np.bincount(node_of, minlength=len(firsts)).astype(np.int64)
    return node_of.astype(np.int64), counts, firsts.astype(np.int64)


class Grouping:
    """Joins pairs of nodes a block at a time (:meth:`add`), then makes the groups and the pairs kept
    (:meth:`finish`)."""

    def __init__(self, node_of: np.ndarray, counts: np.ndarray, firsts: np.ndarray,
                 rejected: np.ndarray | None = None, keep: int | None = None, pool: int = POOL):
        self.node_of, self.counts, self.firsts = node_of, counts, firsts
        self.members = len(node_of)
        self.alone = counts == 1
        self.rejected = np.zeros(0, np.int64) if rejected is None else np.unique(np.asarray(rejected, np.int64))
        self.keep = PAIRS_PER_GROUP if keep is None else keep
        self.budget = self.pool_size = pool
        self.forest = Forest(len(counts), counts * (counts - 1) // 2)
        self.pool: list[tuple[Kept, np.ndarray, np.ndarray]] = []  # (pairs, their nodes stand for all members, tree)
        self.held = 0

    def add(self, u: np.ndarray, v: np.ndarray, distance: np.ndarray, kind: int = NEAR, mirrored: bool = False,
            members: tuple[np.ndarray, np.ndarray] | None = None, similarity: np.ndarray | None = None) -> None:
        """Pairs of nodes ``(u[k], v[k])`` (each standing for every pair of their members), or with ``members`` pairs
        of single members (``u``, ``v`` their nodes). A rejected pair of members is left out."""
        u, v = np.asarray(u, np.int64), np.asarray(v, np.int64)
        distance = np.asarray(distance, np.float64)
        a, b = (self.firsts[u], self.firsts[v]) if members is None else (np.asarray(members[0], np.int64),
                                                                          np.asarray(members[1], np.int64))
        keep = u != v
        if len(self.rejected):
            both = keep & self.alone[u] & self.alone[v] if members is None else keep.copy()
            if both.any():
                lo, hi = np.minimum(a[both], b[both]), np.maximum(a[both], b[both])
                keep[np.nonzero(both)[0][np.isin(lo * self.members + hi, self.rejected)]] = False
        if not keep.all():
            u, v, a, b, distance = u[keep], v[keep], a[keep], b[keep], distance[keep]
            similarity = similarity[keep] if similarity is not None else None
        if not len(u):
            return
        weight = self.counts[u] * self.counts[v] if members is None else np.ones(len(u), np.int64)
        tree = np.zeros(len(u), bool)
        joined, roots = self.forest.join(u, v, distance, weight)
        tree[joined] = True
        small = self.forest.pairs[roots] <= self.keep
        take = tree | small
        n = int(take.sum())
        if not n:
            return
        kept = Kept(a[take], b[take], np.full(n, kind, np.int8), distance[take], np.full(n, mirrored),
                    similarity[take] if similarity is not None else np.full(n, np.nan))
        self.pool.append((kept, np.full(n, members is None), tree[take]))
        self.held += n
        if self.held > self.budget:
            self._compact()

    def _compact(self) -> None:
        """Drop the held pairs of groups past :attr:`keep` pairs that are on no spanning tree."""
        kept, expand, tree = self._pooled()
        small = self.forest.pairs[self.forest.find(self.node_of[kept.a])] <= self.keep
        take = tree | small
        self.pool = [(kept.take(take), expand[take], tree[take])]
        self.held = int(take.sum())
        self.budget = max(self.pool_size, 2 * self.held)

    def _pooled(self) -> tuple[Kept, np.ndarray, np.ndarray]:
        if not self.pool:
            return Kept.empty(), np.zeros(0, bool), np.zeros(0, bool)
        return (Kept.joined([p[0] for p in self.pool]), np.concatenate([p[1] for p in self.pool]),
                np.concatenate([p[2] for p in self.pool]))

    def finish(self, exact: np.ndarray) -> Groups:
        """The groups and the pairs kept; ``exact`` numbers the members (equal: an exact copy)."""
        roots = self.forest.roots()
        size = np.bincount(roots, weights=self.counts, minlength=len(roots)).astype(np.int64)
        first = np.full(len(roots), self.members, np.int64)
        np.minimum.at(first, roots, self.firsts)
        grouped = np.nonzero(size >= 2)[0]  # the roots of groups
        number = np.full(len(roots), -1, np.int64)
        number[grouped[np.argsort(first[grouped], kind="stable")]] = np.arange(len(grouped))
        node_group = number[roots]
        pairs_found = int(self.forest.pairs[grouped].sum())
        small_node = self.forest.pairs[roots] <= self.keep
        by_node = np.argsort(self.node_of, kind="stable")
        start = np.cumsum(self.counts) - self.counts
        pooled, expand, _tree = self._pooled()
        self.pool = []
        pool_small = small_node[self.node_of[pooled.a]]
        parts = [self._all_pairs(pooled.take(pool_small & expand), by_node, start),
                 pooled.take(pool_small & ~expand),
                 self._inside(np.nonzero(small_node & (self.counts >= 2))[0], by_node, start, every=True)]
        big = [pooled.take(~pool_small), self._inside(np.nonzero(~small_node & (self.counts >= 2))[0], by_node, start,
                                                      every=False)]
        small, big_kept = _exact(Kept.joined(parts), exact), _exact(Kept.joined(big), exact)
        big_kept = big_kept.take(_closest(big_kept, node_group[self.node_of[big_kept.a]], self.keep))
        kept = Kept.joined([small, big_kept])
        return Groups(group=node_group[self.node_of], count=len(grouped), pairs_found=pairs_found, kept=kept)

    def _all_pairs(self, pairs: Kept, by_node: np.ndarray, start: np.ndarray) -> Kept:
        """Every pair of members of the node pairs."""
        if not len(pairs):
            return pairs
        u, v = self.node_of[pairs.a], self.node_of[pairs.b]
        cv = self.counts[v]
        total = self.counts[u] * cv
        edge = np.repeat(np.arange(len(pairs)), total)
        x = np.arange(int(total.sum())) - np.repeat(np.cumsum(total) - total, total)
        out = pairs.take(edge)
        out.a = by_node[start[u][edge] + x // cv[edge]]
        out.b = by_node[start[v][edge] + x % cv[edge]]
        return out

    def _inside(self, nodes: np.ndarray, by_node: np.ndarray, start: np.ndarray, every: bool) -> Kept:
        """Pairs inside nodes (distance 0): all of them, or each member with the node's first."""
        if not len(nodes):
            return Kept.empty()
        c = self.counts[nodes]
        node = np.repeat(nodes, c - 1)
        p = np.arange(int((c - 1).sum())) - np.repeat(np.cumsum(c - 1) - (c - 1), c - 1)
        if every:
            later = self.counts[node] - 1 - p
            node, p = np.repeat(node, later), np.repeat(p, later)
            q = p + 1 + np.arange(int(later.sum())) - np.repeat(np.cumsum(later) - later, later)
        else:
            q, p = p + 1, np.zeros(len(p), np.int64)
        n = len(node)
        return Kept(by_node[start[node] + p], by_node[start[node] + q], np.full(n, NEAR, np.int8), np.zeros(n),
                    np.zeros(n, bool), np.full(n, np.nan))


def _exact(pairs: Kept, exact: np.ndarray) -> Kept:
    """Hash pairs of exact copies marked so."""
    pairs.kind[(pairs.kind != SIMILAR) & (exact[pairs.a] == exact[pairs.b])] = EXACT
    return pairs


def _closest(pairs: Kept, group: np.ndarray, keep: int) -> np.ndarray:
    """The indices of the first ``keep`` pairs of each group, by kind, distance and members."""
    if not len(pairs):
        return np.zeros(0, np.int64)
    lo, hi = np.minimum(pairs.a, pairs.b), np.maximum(pairs.a, pairs.b)
    order = np.lexsort((hi, lo, pairs.distance, pairs.kind, group))
    g = group[order]
    begins = np.concatenate(([True], g[1:] != g[:-1]))
    run_start = np.maximum.accumulate(np.where(begins, np.arange(len(g)), 0))
    return order[np.arange(len(g)) - run_start < keep]
