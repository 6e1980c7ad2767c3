"""Connected components over verified duplicate edges (union-find)."""

from __future__ import annotations

import numpy as np


class UnionFind:
    """Disjoint sets over ``0..n-1`` with path halving and union by size."""

    def __init__(self, n: int) -> None:
        self.parent = np.arange(n, dtype=np.int64)
        self.size = np.ones(n, dtype=np.int64)

    def find(self, x: int) -> int:
        """Representative of ``x``'s set."""
        p = self.parent
        while p[x] != x:
            p[x] = p[p[x]]
            x = p[x]
        return int(x)

    def union(self, a: int, b: int) -> bool:
        """Merge the sets of ``a`` and ``b``; False if they were already one."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        return True

    def labels(self) -> np.ndarray:
        """Representative of every element.

        >>> uf = UnionFind(4); _ = uf.union(0, 2); uf.labels().tolist()
        [0, 1, 0, 3]
        """
        p = self.parent.copy()
        while True:  # pointer jumping: every element ends at its root (the root ``find`` returns)
            q = p[p]
            if np.array_equal(q, p):
                return p
            p = q
