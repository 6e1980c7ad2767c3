"""Batched, device-agnostic MinHash signatures over character n-grams (PyTorch).

Everything is exact integer arithmetic in ``int64`` that never overflows, so CPU and CUDA give
bit-identical signatures:

* code points (< 2**21) are packed into a padded ``(batch, length)`` tensor;
* each n-gram is hashed with a polynomial over the Mersenne prime ``P = 2**31 - 1``
  (``unfold`` + weighted sum, terms < 2**52, folded back below ``P``) -- no Python loop per shingle;
* permutation ``k`` maps a shingle hash ``x < P`` to ``(a_k * x + b_k) mod P`` with ``a_k, b_k < P``
  (products < 2**62), reduced with one Mersenne fold and shifted right by 2 bits so it fits in
  ``int32`` (< 2**30; an injective-up-to-1-in-4 relabelling that keeps the order), then the
  minimum over the document's shingles is taken;
* padding repeats the document's first shingle, which cannot change a minimum.

Memory is bounded by ``batch_size`` and an element budget per permutation chunk, not by corpus size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

P = (1 << 31) - 1
#: signature value of a document without any shingle (never equal to a real minimum)
EMPTY = np.int32((1 << 31) - 1)
_POLY_BASE = 1_000_003


def resolve_device(device: str = "auto") -> str:
    """``"cuda"`` when requested/available, else ``"cpu"``."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        from curate.errors import ConfigError

        raise ConfigError("dedup: device=cuda requested but torch sees no CUDA device; use --device cpu or auto")
    return device


def permutation_coefficients(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``(a, b)`` int64 arrays with ``1 <= a < P`` and ``0 <= b < P`` from a seeded generator."""
    rng = np.random.Generator(np.random.PCG64(seed))
    a = rng.integers(1, P, size=num_perm, dtype=np.int64)
    b = rng.integers(0, P, size=num_perm, dtype=np.int64)
    return a, b


def _fold(t):
    """One Mersenne fold: ``t mod P`` up to adding a multiple of ``P`` (in place where possible)."""
    hi = t >> 31
    t &= P
    t += hi
    return t


@dataclass
class MinHasher:
    """Computes MinHash signatures of normalised texts in batches.

    Attributes:
        num_perm: number of permutations (``bands * rows``).
        ngram: shingle length in characters.
        seed: coefficient seed.
        device: ``"auto"``, ``"cpu"`` or ``"cuda"``.
        batch_size: documents per device batch.
        chunk_elements: permutation work per step (docs x perms x shingles), bounds memory.
    """

    num_perm: int = 125
    ngram: int = 5
    seed: int = 20241004
    device: str = "auto"
    batch_size: int = 256
    chunk_elements: int | None = None

    def __post_init__(self) -> None:
        import torch

        self._torch = torch
        self.device = resolve_device(self.device)
        a, b = permutation_coefficients(self.num_perm, self.seed)
        self._a = torch.from_numpy(a).to(self.device).view(1, -1, 1)
        self._b = torch.from_numpy(b).to(self.device).view(1, -1, 1)
        w = [pow(_POLY_BASE, self.ngram - 1 - j, P) for j in range(self.ngram)]
        self._w = torch.tensor(w, dtype=torch.int64, device=self.device)
        if self.chunk_elements is None:
            self.chunk_elements = (1 << 26) if self.device == "cuda" else (1 << 19)

    # ------------------------------------------------------------------------------------
    def signatures(self, cps: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Signatures ``(n, num_perm)`` int32 and shingle counts ``(n,)`` of normalised keys.

        Args:
            cps: code-point arrays of normalised keys (:func:`curate.dedup.keys.normalise_codepoints`).

        Documents are processed in length-sorted batches of ``batch_size``.
        """
        n = len(cps)
        sig = np.empty((n, self.num_perm), dtype=np.int32)
        lengths = np.fromiter((len(c) for c in cps), dtype=np.int64, count=n)
        order = np.argsort(-lengths, kind="stable")
        for start in range(0, n, self.batch_size):
            idx = order[start:start + self.batch_size]
            sig[idx] = self._batch([cps[i] for i in idx])
        nshingles = np.where(lengths >= self.ngram, lengths - self.ngram + 1, np.minimum(lengths, 1))
        return sig, nshingles

    def shingle_hashes(self, cp: np.ndarray) -> np.ndarray:
        """Sorted unique shingle hashes of one normalised key (CPU, numpy; for verification)."""
        return np.unique(_np_shingles(cp.astype(np.int64) + 1, self.ngram))

    # ------------------------------------------------------------------------------------
    def _batch(self, cps: list[np.ndarray]):
        torch = self._torch
        n = self.ngram
        lens = [len(c) for c in cps]
        width = max(max(lens), n)
        host = np.zeros((len(cps), width), dtype=np.int64)
        for i, c in enumerate(cps):
            host[i, : len(c)] = c
            host[i, : len(c)] += 1  # 0 is reserved for padding
        x = torch.from_numpy(host).to(self.device, non_blocking=True)
        lens_t = torch.tensor(lens, dtype=torch.int64, device=self.device)
        h = self._shingles(x, lens_t)  # (B, S) int64 < P, padded with the first shingle
        out = torch.empty((len(cps), self.num_perm), dtype=torch.int32, device=self.device)
        per_doc = self.num_perm * h.shape[1]
        step = max(1, self.chunk_elements // per_doc)
        for s in range(0, h.shape[0], step):
            out[s:s + step] = self._permute_min(h[s:s + step])
        empty = lens_t == 0
        if bool(empty.any()):
            out[empty] = int(EMPTY)
        return out.cpu().numpy()

    def _shingles(self, x, lens):
        torch = self._torch
        n = self.ngram
        win = x.unfold(1, n, 1)  # (B, S, n)
        h = (win * self._w).sum(-1)  # < n * 2**52
        h = _fold(_fold(h))
        h = torch.where(h >= P, h - P, h)
        # documents shorter than n: the whole string is one gram, hashed with the last weights
        short = lens < n
        if bool(short.any()):
            head = x[:, :n]
            shift = (n - lens).clamp(min=0)
            idx = torch.arange(n, device=x.device).view(1, -1)
            src = (idx - shift.view(-1, 1))
            valid = src >= 0
            right = torch.gather(head, 1, src.clamp(min=0)) * valid
            hs = (right * self._w).sum(-1)
            hs = _fold(_fold(hs))
            hs = torch.where(hs >= P, hs - P, hs)
            h[short, 0] = hs[short]
        nsh = torch.where(lens >= n, lens - n + 1, torch.ones_like(lens))
        pos = torch.arange(h.shape[1], device=x.device).view(1, -1)
        return torch.where(pos < nsh.view(-1, 1), h, h[:, :1])

    def _permute_min(self, h):
        t = self._a * h.unsqueeze(1)  # (b, K, S), < 2**62
        t += self._b
        t = _fold(t)  # < 2**32 + 1, congruent to (a x + b) mod P, injective in x
        t >>= 2
        return t.to(self._torch.int32).amin(dim=2)


def _np_shingles(cp: np.ndarray, n: int) -> np.ndarray:
    """Shingle hashes of one code-point array (+1 encoded), same values as the torch kernel."""
    w = np.array([pow(_POLY_BASE, n - 1 - j, P) for j in range(n)], dtype=np.int64)
    if len(cp) == 0:
        return np.empty(0, dtype=np.int64)
    if len(cp) < n:
        h = np.array([int((cp * w[n - len(cp):]).sum())], dtype=np.int64)
    else:
        win = np.lib.stride_tricks.sliding_window_view(cp, n)
        h = (win * w).sum(-1)
    h = (h & P) + (h >> 31)
    h = (h & P) + (h >> 31)
    return np.where(h >= P, h - P, h)
