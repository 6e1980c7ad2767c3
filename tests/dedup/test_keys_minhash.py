"""Keys and the MinHash kernel: script invariance, determinism, exact agreement of torch and numpy."""

from __future__ import annotations

import math

import numpy as np
import pytest

from curate.dedup.engine import _jaccard
from curate.dedup.keys import exact_key, normalise, normalise_codepoints
from curate.dedup.minhash import EMPTY, MinHasher

TRAD = "第 5 條\n銀行辦理存款業務，應依主管機關之規定，並確保存款人權益；其辦法由主管機關定之。"
SIMP = "第5条 银行办理存款业务,应依主管机关之规定,并确保存款人权益;其办法由主管机关定之."


def _texts(n: int, seed: int = 1) -> list[str]:
    rng = np.random.default_rng(seed)
    base = np.array(list("銀行存款業務主管機關規定權益辦法保險證券金融消費者保護法令條例施行細則罰鍰處新臺幣萬元以上"))
    return ["".join(rng.choice(base, size=int(rng.integers(0, 400)))) for _ in range(n)]


def test_simplified_copy_has_same_exact_key():
    assert normalise(TRAD) == normalise(SIMP)
    assert exact_key(normalise_codepoints(TRAD)) == exact_key(normalise_codepoints(SIMP))


def test_key_drops_punctuation_and_whitespace_only():
    assert normalise("銀行 法，第 1 條。") == normalise("銀行法第1條")
    assert normalise("銀行法第1條") != normalise("銀行法第2條")


@pytest.mark.parametrize("batch_size", [1, 7, 256], ids=["b1", "b7", "b256"])
def test_signatures_do_not_depend_on_batching(batch_size):
    cps = [normalise_codepoints(t) for t in _texts(40)]
    ref, nref = MinHasher(device="cpu", batch_size=64).signatures(cps)
    got, ngot = MinHasher(device="cpu", batch_size=batch_size, chunk_elements=1 << 12).signatures(cps)
    assert np.array_equal(ref, got) and np.array_equal(nref, ngot)


def test_same_shingle_set_same_signature_and_empty_docs():
    mh = MinHasher(device="cpu")
    cps = [normalise_codepoints(t) for t in ["甲乙丙丁戊己", "甲乙丙丁戊己甲乙丙丁戊己", "，。", "甲乙"]]
    sig, nsh = mh.signatures(cps)
    assert nsh.tolist() == [2, 8, 0, 1]
    assert (sig[2] == EMPTY).all()
    # "甲乙丙丁戊己" repeated has more shingles, so only the first two must agree on min over a superset
    assert (sig[1] <= sig[0]).all()


@pytest.mark.parametrize("backend", [pytest.param("torch", marks=pytest.mark.torch), "numpy"])
def test_kernel_matches_exact_reference(backend):
    """The vectorised kernel's minima equal the minima recomputed from the numpy shingle sets."""
    from curate.dedup.minhash import P, permutation_coefficients  # noqa: F401

    if backend == "torch":
        pytest.importorskip("torch", reason="torch (extra `gpu`) not installed")
    mh = MinHasher(device="cpu", num_perm=16, backend=backend)
    cps = [normalise_codepoints(t) for t in _texts(30, seed=3)] + [normalise_codepoints("甲乙")]
    sig, _ = mh.signatures(cps)
    a, b = permutation_coefficients(16, mh.seed)
    for cp, s in zip(cps, sig, strict=True):
        sh = mh.shingle_hashes(cp)
        if len(sh) == 0:
            continue
        ref = (((a[:, None] * sh[None, :] + b[:, None]) & ((1 << 32) - 1)) - (1 << 31)).min(axis=1)
        assert np.array_equal(ref.astype(np.int32), s)


@pytest.mark.parametrize("n", [1, 3, 5])
@pytest.mark.parametrize("per_pass", [7, 1 << 18])
def test_shingles_of_a_batch_equal_shingles_of_each_document(n, per_pass, monkeypatch):
    """Hashing a batch's windows in passes keeps each document's own windows only (none across a boundary),
    for documents shorter than a gram, exactly a gram long, and empty, whatever a pass holds."""
    from curate.dedup import minhash
    from curate.dedup.minhash import _np_shingles, _np_shingles_many

    monkeypatch.setattr(minhash, "_SHINGLE_PASS", per_pass)
    rng = np.random.default_rng(11)
    lengths = [0, 1, n - 1, n, n + 1, 0, 300, 2, 0] + list(rng.integers(0, 60, 40))
    cps = [rng.integers(0, 0x2FFFF, k).astype(np.int32) for k in lengths]
    many = _np_shingles_many(cps, n)
    assert len(many) == len(cps)
    for cp, got in zip(cps, many, strict=True):
        want = _np_shingles(cp.astype(np.int64) + 1, n)
        assert got.dtype == want.dtype and np.array_equal(got, want)
    assert _np_shingles_many([], n) == []
    mh = MinHasher(device="cpu", backend="numpy", ngram=n)
    for got, cp in zip(mh.shingle_hashes_many(cps), cps, strict=True):  # verification's sets, batched
        assert np.array_equal(got, mh.shingle_hashes(cp))


def test_shingles_of_long_documents_in_bounded_passes():
    """64 documents of 65,536 code points (a batch of textbook chapters): hashed a pass at a time, never as one
    (L, n) matrix of windows (4M x 5 int64 = 160 MB); what stays is the hashes themselves (8 bytes a window)."""
    import tracemalloc

    from curate.dedup.minhash import _np_shingles_many

    cps = [np.full(1 << 16, 0x4E00 + i, dtype=np.int32) for i in range(64)]
    tracemalloc.start()
    try:
        out = _np_shingles_many(cps, 5)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sum(len(h) for h in out) == 64 * ((1 << 16) - 4)
    assert peak < 32 * 2**20 + 24 * 2**20  # the hashes (32 MiB) and a pass's temporaries


def test_signature_agreement_estimates_jaccard():
    rng = np.random.default_rng(7)
    base = _texts(1, seed=9)[0] * 3
    mh = MinHasher(device="cpu", num_perm=256)
    errs = []
    for _ in range(30):
        chars = list(base)
        for i in rng.choice(len(chars), size=int(rng.integers(1, 40)), replace=False):
            chars[i] = "變"
        a, b = normalise_codepoints(base), normalise_codepoints("".join(chars))
        sig, _ = mh.signatures([a, b])
        j = _jaccard(mh.shingle_hashes(a), mh.shingle_hashes(b))
        errs.append(float((sig[0] == sig[1]).mean()) - j)
    assert abs(np.mean(errs)) < 0.03 and np.std(errs) < 0.06


@pytest.mark.gpu
@pytest.mark.torch
def test_cuda_signatures_are_bit_identical_to_cpu():
    torch = pytest.importorskip("torch", reason="torch (extra `gpu`) not installed")
    if not torch.cuda.is_available():
        pytest.skip("needs CUDA")
    cps = [normalise_codepoints(t) for t in _texts(200, seed=5)]
    cpu, _ = MinHasher(device="cpu").signatures(cps)
    gpu, _ = MinHasher(device="cuda").signatures(cps)
    assert np.array_equal(cpu, gpu)


def test_fast_nfkc_path_equals_unicodedata():
    """The per-character NFKC table gives exactly what full-string NFKC gives (else it falls back)."""
    import random
    import unicodedata

    from curate.dedup.keys import _case_map, _tables

    keep, lmap = _tables()[0], _case_map()  # the normalised key's map: fold, then lower case (review 18)
    rng = random.Random(11)
    pools = [
        (0x20, 0x250),
        (0x300, 0x370),
        (0x1100, 0x1200),
        (0x2000, 0x2100),
        (0x3000, 0x3100),
        (0x3130, 0x3190),
        (0x4E00, 0x9FFF),
        (0xAC00, 0xD7A4),
        (0xF900, 0xFAFF),
        (0xFF00, 0xFFEF),
        (0x20000, 0x20100),
    ]
    for _ in range(2000):
        text = "".join(chr(rng.randrange(*rng.choice(pools))) for _ in range(rng.randrange(0, 40)))
        ref = np.frombuffer(unicodedata.normalize("NFKC", text).encode("utf-32-le"), dtype="<u4")
        assert np.array_equal(normalise_codepoints(text), lmap[ref[keep[ref]]]), repr(text)


@pytest.mark.torch
def test_numpy_and_torch_backends_are_bit_identical():
    pytest.importorskip("torch", reason="torch (extra `gpu`) not installed")
    cps = [normalise_codepoints(t) for t in _texts(60, seed=13)] + [
        normalise_codepoints(x) for x in ("", "甲", "甲乙丙丁")
    ]
    # the highest code points (the torch path fills them as int32 on the host) and a long document
    rng = np.random.default_rng(3)
    cps += [np.array([0x10FFFF, 0x20000, 0x10FFFE, 0x2A6DF, 0x10FFFF, 0x30000], dtype=np.uint32)]
    cps += [rng.integers(0x20000, 0x110000, size=3000).astype(np.uint32)]
    a, na = MinHasher(device="cpu", backend="numpy", batch_size=16).signatures(cps)
    b, nb = MinHasher(device="cpu", backend="torch", batch_size=16).signatures(cps)
    assert np.array_equal(a, b) and np.array_equal(na, nb)


@pytest.mark.imports
def test_without_torch_cpu_works_and_torch_backend_says_what_to_install(monkeypatch):
    """A core install (no torch): auto and cpu use numpy; asking for torch names the extra."""
    import sys

    from curate.dedup import minhash
    from provenance.errors import MissingDependencyError

    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now fails as if not installed
    monkeypatch.setattr(minhash, "_no_nvidia_device", lambda: False)  # even on a machine with a GPU
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *a: None if name == "torch" else object())
    assert MinHasher(device="auto").backend == "numpy"
    with pytest.raises(MissingDependencyError, match=r"finllm-curate\[gpu\]"):
        MinHasher(device="cpu", backend="torch")
    with pytest.raises(MissingDependencyError, match="CUDA"):
        MinHasher(device="cuda")


@pytest.mark.parametrize("backend", ["numpy", pytest.param("torch", marks=pytest.mark.torch)])
def test_batches_bounded_by_elements_give_the_same_signatures(backend):
    """Long documents are batched a few at a time (``batch_elements``); signatures do not depend on it."""
    if backend == "torch":
        pytest.importorskip("torch", reason="torch (extra `gpu`) not installed")
    rng = np.random.default_rng(8)
    cps = [normalise_codepoints(t) for t in _texts(40, seed=21)] + [
        rng.integers(0x4E00, 0x9FA5, size=int(k)).astype(np.uint32) for k in (5000, 3000, 3000, 1200)
    ]
    whole, n_whole = MinHasher(device="cpu", backend=backend, batch_elements=1 << 30).signatures(cps)
    seen: list[int] = []
    small = MinHasher(device="cpu", backend=backend, batch_size=16, batch_elements=4000)
    batch = small._batch
    small._batch = lambda b: (seen.append(len(b)), batch(b))[1]
    bounded, n_bounded = small.signatures(cps)
    assert np.array_equal(whole, bounded) and np.array_equal(n_whole, n_bounded)
    assert seen[:4] == [1, 1, 1, 3] and max(seen) <= 16  # one 5,000-character document alone, then 3,000s alone


@pytest.mark.parametrize("backend", ["numpy", pytest.param("torch", marks=pytest.mark.torch)])
def test_a_document_longer_than_one_chunk_takes_its_permutations_a_few_at_a_time(backend):
    """A 5M-character record held its 125 permutations x 5M shingles at once (2.5 GB per rank on the CPU, 5 GB of
    int64 on the GPU); its work per step is now bounded by ``chunk_elements`` like any batch's, with the same
    signature, on both backends."""
    if backend == "torch":
        pytest.importorskip("torch", reason="torch (extra `gpu`) not installed")
    long_doc = "".join(_texts(1200, seed=3))
    cps = [normalise_codepoints(long_doc), normalise_codepoints(TRAD)]
    ref, nref = MinHasher(device="cpu", chunk_elements=1 << 40, batch_elements=1 << 40).signatures(cps)
    small = MinHasher(device="cpu", backend=backend, chunk_elements=1 << 14)
    got, ngot = small.signatures(cps)
    assert np.array_equal(ref, got) and np.array_equal(nref, ngot)
    assert len(cps[0]) > 1 << 14 and max(math.prod(b.shape) for b in small._bufs.values()) <= len(cps[0]) + (1 << 14)


def test_numpy_backend_at_device_auto_runs_on_the_cpu_where_a_gpu_is_seen(monkeypatch):
    """`--set backend=numpy` with the default device auto, on a host whose torch sees a GPU: auto resolved to cuda and
    the first signatures refused numpy on cuda (the run failed mid-pipeline). numpy means the CPU."""
    from curate.dedup import minhash

    monkeypatch.setattr(minhash, "resolve_device", lambda device="auto": "cpu" if device == "cpu" else "cuda")
    mh = MinHasher(num_perm=16, backend="numpy")
    assert (mh.device, mh.backend) == ("cpu", "numpy")
    sigs, _ = mh.signatures([np.arange(1, 40, dtype=np.int64)])
    assert len(sigs) == 1
