"""Batched, device-agnostic MinHash signatures over character n-grams (PyTorch).

Everything is exact integer arithmetic in ``int64`` that never overflows, so CPU and CUDA give
bit-identical signatures:

* code points (< 2**21) are packed into a padded ``(batch, length)`` tensor;
* each n-gram is hashed with a polynomial over the Mersenne prime ``P = 2**31 - 1``
  (``unfold`` + weighted sum, terms < 2**52, folded back below ``P``) -- no Python loop per shingle;
* the shingle hash is mixed nonlinearly once per shingle (multiply mod ``P``, xor-shift), so the
  permutations below do not compose with the polynomial into one linear map;
* permutation ``k`` maps a mixed shingle hash ``x < 2**31`` to ``(a_k * x + b_k) mod 2**32``
  with odd ``a_k < 2**31`` and ``b_k < 2**31`` -- a bijection of 32-bit values. The torch kernel
  computes it exactly in ``int64`` (``a_k * x + b_k < 2**63``, then ``& (2**32 - 1)``, no overflow
  anywhere) and shifts by ``-2**31`` into ``int32`` (order kept); the numpy CPU twin computes the
  same residue in ``uint32``, whose wrap-around is defined, and flips the top bit (the same shift).
  Then the minimum over the document's shingles is taken (signature agreement matches the
  binomial spread of a true MinHash on the dev set);
* padding repeats the document's first shingle, which cannot change a minimum.

Memory is bounded by ``batch_size`` and an element budget per permutation chunk, not by corpus size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

P = (1 << 31) - 1
#: signature row of a document without any shingle (tell them apart by their shingle count, 0)
EMPTY = np.int32(-1)
_M32 = (1 << 32) - 1
_HALF = 1 << 31
_POLY_BASE = 1_000_003
#: odd multipliers of the shingle-hash mixer (breaks the linearity of the polynomial hash)
_MIX1, _MIX2 = 0x5BD1E995 & ((1 << 31) - 1), 0x27D4EB2F


def _no_nvidia_device() -> bool:
    """True when no NVIDIA device node exists (then importing torch to ask is pointless)."""
    import glob

    return not glob.glob("/dev/nvidia[0-9]*")


def _torch(purpose: str):
    """torch (the ``[gpu]`` extra), or :class:`MissingDependencyError` naming the pip line."""
    from curate._optional import require

    return require("torch", extra="gpu", purpose=purpose)


def resolve_device(device: str = "auto") -> str:
    """``"cuda"`` when requested/available, else ``"cpu"`` (also for ``auto`` without torch installed)."""
    if device == "cpu" or (device == "auto" and _no_nvidia_device()):
        return "cpu"
    if device == "auto":
        import importlib.util

        if importlib.util.find_spec("torch") is None:
            return "cpu"
    torch = _torch("dedup on a CUDA device")
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        from provenance.errors import ConfigError

        raise ConfigError(
            "dedup: device=cuda requested but torch sees no CUDA device; use cpu or auto "
            "(`curate dedup --device auto`, `curate run dedup --set device=auto`)"
        )
    return device


def permutation_coefficients(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``(a, b)`` int64 arrays, ``a`` odd in ``[1, 2**31)``, ``b`` in ``[0, 2**31)``, from a seeded generator."""
    rng = np.random.Generator(np.random.PCG64(seed))
    a = rng.integers(1, P, size=num_perm, dtype=np.int64) | 1
    b = rng.integers(0, P, size=num_perm, dtype=np.int64)
    return a, b


def _canon(h):
    """Exact ``h mod P`` for ``0 <= h < 2**63`` (works on torch tensors and numpy arrays)."""
    h = (h & P) + (h >> 31)
    h = (h & P) + (h >> 31)
    return h - P * (h >= P)


def _mix(h):
    """Nonlinear mixing of shingle hashes in ``[0, P)``: multiply mod P, xor-shift, twice.

    Without it the polynomial shingle hash and the linear permutations compose to a linear map
    of the characters, and the permutations of neighbouring shingles are correlated (MinHash
    estimates then scatter about twice as much as theory says).
    """
    h = _canon(h * _MIX1)
    h = h ^ (h >> 16)
    h = _canon(h * _MIX2)
    h = h ^ (h >> 13)
    return h


@dataclass
class MinHasher:
    """Computes MinHash signatures of normalised texts in batches.

    Attributes:
        num_perm: number of permutations (``bands * rows``).
        ngram: shingle length in characters.
        seed: coefficient seed.
        device: ``"auto"``, ``"cpu"`` or ``"cuda"``.
        backend: ``"torch"`` or ``"numpy"`` (CPU only; same integer arithmetic, bit-identical, and
            a process that never needs a GPU is spared importing torch); ``"auto"``: torch on
            CUDA, numpy on CPU.
        batch_size: documents per device batch.
        batch_elements: padded code points per batch (documents x the longest one's length): a batch has
            at most ``batch_size`` documents and, beyond its first, no more than this (2^22 on CPU, 2^24 on
            CUDA by default), so a batch of very long documents (a textbook chapter each) holds a few of them,
            not ``batch_size``. Signatures do not depend on batching.
        chunk_elements: permutation work per step (docs x perms x shingles), bounds memory.
    """

    num_perm: int = 125
    ngram: int = 5
    seed: int = 20241004
    device: str = "auto"
    batch_size: int = 256
    chunk_elements: int | None = None
    backend: str = "auto"
    batch_elements: int | None = None

    def __post_init__(self) -> None:
        # numpy is the CPU's backend: `--set backend=numpy` left at device auto on a host with a GPU resolved to cuda
        # and was refused by the run's first signatures (a pipeline after every step before it)
        self.device = "cpu" if (self.backend, self.device) == ("numpy", "auto") else resolve_device(self.device)
        if self.backend == "auto":
            self.backend = "torch" if self.device == "cuda" else "numpy"
        if self.backend not in ("torch", "numpy") or (self.backend == "numpy" and self.device != "cpu"):
            from provenance.errors import ConfigError

            raise ConfigError(
                f"dedup: backend {self.backend!r} on device {self.device!r} is not supported; "
                "use backend torch (cpu or cuda) or numpy (cpu)"
            )
        a, b = permutation_coefficients(self.num_perm, self.seed)
        self._bufs: dict = {}
        if self.chunk_elements is None:
            self.chunk_elements = (1 << 26) if self.device == "cuda" else (1 << 19)
        if self.batch_elements is None:
            self.batch_elements = (1 << 24) if self.device == "cuda" else (1 << 22)
        if self.backend == "numpy":
            self._a_np = a.astype(np.uint32).reshape(1, -1, 1)
            self._b_np = b.astype(np.uint32).reshape(1, -1, 1)
            return
        torch = _torch(f"dedup with backend torch on {self.device}")
        self._torch = torch
        self._a = torch.from_numpy(a).to(self.device).view(1, -1, 1)
        self._b = torch.from_numpy(b).to(self.device).view(1, -1, 1)
        w = [pow(_POLY_BASE, self.ngram - 1 - j, P) for j in range(self.ngram)]
        self._w = torch.tensor(w, dtype=torch.int64, device=self.device)

    # ------------------------------------------------------------------------------------
    def signatures(self, cps: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Signatures ``(n, num_perm)`` int32 and shingle counts ``(n,)`` of normalised keys.

        Args:
            cps: code-point arrays of normalised keys (:func:`curate.dedup.keys.normalise_codepoints`).

        Documents are processed longest first, in batches of at most ``batch_size`` documents and
        ``batch_elements`` padded code points.
        """
        n = len(cps)
        sig = np.empty((n, self.num_perm), dtype=np.int32)
        lengths = np.fromiter((len(c) for c in cps), dtype=np.int64, count=n)
        order = np.argsort(-lengths, kind="stable")
        start = 0
        while start < n:  # longest first: a batch's first document is its widest
            fit = self.batch_elements // max(1, int(lengths[order[start]]))
            idx = order[start : start + max(1, min(self.batch_size, fit))]
            sig[idx] = self._batch([cps[i] for i in idx])
            start += len(idx)
        nshingles = np.where(lengths >= self.ngram, lengths - self.ngram + 1, np.minimum(lengths, 1))
        return sig, nshingles

    def shingle_hashes(self, cp: np.ndarray) -> np.ndarray:
        """Sorted unique shingle hashes of one normalised key (CPU, numpy; for verification)."""
        return np.unique(_np_shingles(cp.astype(np.int64) + 1, self.ngram))

    def shingle_hashes_many(self, cps: list[np.ndarray]) -> list[np.ndarray]:
        """:meth:`shingle_hashes` of each key, hashed in passes over many keys at once."""
        return [np.unique(h) for h in _np_shingles_many(cps, self.ngram)]

    # ------------------------------------------------------------------------------------
    def _batch(self, cps: list[np.ndarray]):
        if self.backend == "numpy":
            return self._batch_numpy(cps)
        torch = self._torch
        n = self.ngram
        lens = [len(c) for c in cps]
        width = max(max(lens), n)
        # int32 on the host (code points < 2**21): half the bytes to fill and to copy; padding is -1
        # here and 0 after the +1 on the device (0 is reserved for padding)
        host = np.full((len(cps), width), -1, dtype=np.int32)
        for i, c in enumerate(cps):
            host[i, : len(c)] = c
        x = torch.from_numpy(host).to(self.device).long() + 1
        lens_t = torch.tensor(lens, dtype=torch.int64, device=self.device)
        h = self._shingles(x, lens_t)  # (B, S) int64 < P, padded with the first shingle
        out = torch.empty((len(cps), self.num_perm), dtype=torch.int32, device=self.device)
        per_doc = self.num_perm * h.shape[1]
        step = max(1, self.chunk_elements // per_doc)
        for s in range(0, h.shape[0], step):
            out[s : s + step] = self._permute_min(h[s : s + step])
        empty = lens_t == 0
        if bool(empty.any()):
            out[empty] = int(EMPTY)
        return out.cpu().numpy()

    def _shingles(self, x, lens):
        torch = self._torch
        n = self.ngram
        win = x.unfold(1, n, 1)  # (B, S, n)
        h = (win * self._w).sum(-1)  # < n * 2**52
        h = _mix(_canon(h))
        # documents shorter than n: the whole string is one gram, hashed with the last weights
        short = lens < n
        if bool(short.any()):
            head = x[:, :n]
            shift = (n - lens).clamp(min=0)
            idx = torch.arange(n, device=x.device).view(1, -1)
            src = idx - shift.view(-1, 1)
            valid = src >= 0
            right = torch.gather(head, 1, src.clamp(min=0)) * valid
            hs = (right * self._w).sum(-1)
            hs = _mix(_canon(hs))
            h[short, 0] = hs[short]
        nsh = torch.where(lens >= n, lens - n + 1, torch.ones_like(lens))
        pos = torch.arange(h.shape[1], device=x.device).view(1, -1)
        return torch.where(pos < nsh.view(-1, 1), h, h[:, :1])

    def _permute_min(self, h):
        torch = self._torch
        # a document too long for one chunk (5M characters: 5 GB of int64 for its 125 permutations at once) takes
        # its permutations a few at a time, as the numpy twin does; each column's minimum is the same
        kstep = max(1, min(self.num_perm, self.chunk_elements // max(1, h.shape[0] * h.shape[1])))
        out = torch.empty((h.shape[0], self.num_perm), dtype=torch.int32, device=h.device)
        for k in range(0, self.num_perm, kstep):
            a, b = self._a[:, k : k + kstep], self._b[:, k : k + kstep]
            shape = (h.shape[0], a.shape[1], h.shape[1])
            t = self._bufs.get(shape)
            if t is None:
                t = torch.empty(shape, dtype=torch.int64, device=h.device)
                self._bufs = {shape: t}  # keep one shape: memory stays bounded
            torch.addcmul(b, a, h.unsqueeze(1), out=t)  # (b, k, S), a * x + b < 2**63
            t &= _M32  # (a x + b) mod 2**32: a bijection of 32-bit values (a odd)
            # the minimum over shingles, then the order-preserving shift into int32 on (b, k) alone
            out[:, k : k + kstep] = (t.amin(dim=2) - _HALF).to(torch.int32)
        return out

    # -- numpy twin of the kernel (CPU) ------------------------------------------------------
    def _batch_numpy(self, cps: list[np.ndarray]) -> np.ndarray:
        rows = _np_shingles_many(cps, self.ngram)
        width = max(1, max(len(r) for r in rows))
        h = np.empty((len(rows), width), dtype=np.uint32)
        for i, r in enumerate(rows):
            if len(r):
                h[i, : len(r)] = r
                h[i, len(r) :] = r[0]  # padding repeats the first shingle
            else:
                h[i] = 0
        out = np.empty((len(rows), self.num_perm), dtype=np.int32)
        step = max(1, self.chunk_elements // (self.num_perm * width))
        # a document too long for one chunk (5M characters: 2.5 GB for its 125 permutations at once) takes its
        # permutations a few at a time; each column's minimum is the same
        kstep = max(1, min(self.num_perm, self.chunk_elements // (min(step, len(rows)) * width)))
        for s in range(0, len(rows), step):
            hs = h[s : s + step]
            for k in range(0, self.num_perm, kstep):
                a, b = self._a_np[:, k : k + kstep], self._b_np[:, k : k + kstep]
                shape = (hs.shape[0], a.shape[1], width)
                t = self._bufs.get(shape)
                if t is None:
                    t = np.empty(shape, dtype=np.uint32)
                    self._bufs = {shape: t}
                np.multiply(a, hs[:, None, :], out=t)  # uint32: wraps mod 2**32 by definition
                t += b
                out[s : s + step, k : k + kstep] = (t.min(axis=2) ^ np.uint32(_HALF)).view(np.int32)
        for i, r in enumerate(rows):
            if not len(r):
                out[i] = EMPTY
        return out


#: code points hashed per pass of :func:`_np_shingles_many`: its temporaries are a few int64 arrays of this size
#: (a batch may hold 2^22 code points: their windows as one (L, n) int64 matrix would have been 160 MB)
_SHINGLE_PASS = 1 << 18


def _window_hashes(x: np.ndarray, n: int) -> np.ndarray:
    """Hash of every window of ``n`` in ``x`` (+1 encoded, int64, ``len(x) >= n``), one pass per weight."""
    w = _weights(n)
    m = len(x) - n + 1
    h = x[:m] * w[0]
    for j in range(1, n):
        h += x[j : j + m] * w[j]  # < n * 2**52: exact in int64, so the order of the sum does not matter
    return _mix(_canon(h))


def _np_shingles_many(cps: list[np.ndarray], n: int) -> list[np.ndarray]:
    """:func:`_np_shingles` of each (raw) code-point array, hashed a few hundred thousand code points at a time.

    The arrays of a pass are joined and every window of ``n`` is hashed at once; a document keeps the windows
    that lie inside it (the ``n - 1`` across each boundary are dropped), so the values are those of one call per
    document, whose fixed cost (a dozen small numpy calls) was most of the signature step on short records.
    """
    out: list[np.ndarray] = [np.empty(0, dtype=np.int64)] * len(cps)
    group: list[int] = []
    size = 0

    def flush() -> None:
        nonlocal size
        if not group:
            return
        flat = np.concatenate([cps[i] for i in group]).astype(np.int64) + 1
        hashed = _window_hashes(flat, n)
        start = 0
        for i in group:
            length = len(cps[i])
            out[i] = hashed[start : start + length - n + 1]
            start += length
        group.clear()
        size = 0

    for i, c in enumerate(cps):
        if len(c) < n:  # empty, or shorter than one gram: hashed on its own
            out[i] = _np_shingles(c.astype(np.int64) + 1, n)
            continue
        group.append(i)
        size += len(c)
        if size >= _SHINGLE_PASS:
            flush()
    flush()
    return out


@lru_cache(maxsize=8)
def _weights(n: int) -> np.ndarray:
    """The polynomial weights of an ``n``-gram (read-only)."""
    w = np.array([pow(_POLY_BASE, n - 1 - j, P) for j in range(n)], dtype=np.int64)
    w.flags.writeable = False
    return w


def _np_shingles(cp: np.ndarray, n: int) -> np.ndarray:
    """Shingle hashes of one code-point array (+1 encoded), same values as the torch kernel."""
    if len(cp) == 0:
        return np.empty(0, dtype=np.int64)
    if len(cp) < n:
        w = _weights(n)
        return _mix(_canon(np.array([int((cp * w[n - len(cp) :]).sum())], dtype=np.int64)))
    return _window_hashes(cp, n)
