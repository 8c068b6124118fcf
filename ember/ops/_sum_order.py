"""Floating-point sums in PyTorch's CPU order, so that ``x.sum().item()`` shows the same 17 digits.

Rounding makes a float sum depend on the order of its additions. NumPy sums
pairwise; PyTorch's CPU kernel (``cascade_sum`` in ATen's
``native/cpu/SumKernel.cpp``, driven by ``TensorIterator``) adds in another
order. This module reproduces that order with NumPy array operations (a few
dozen of them per call at most, never a Python loop over elements). The results
are bit-identical to PyTorch's for float32, float64, float16 and bfloat16 (the
last two accumulate in float32, as PyTorch does), for contiguous, transposed,
sliced and broadcast (expanded) inputs, full and ``dim=`` reductions, on one
thread or several. ``mean`` is this sum divided by the count (``reduction.py``),
as PyTorch's CPU ``mean`` is.

PyTorch's order, for one reduced row of ``n`` contiguous elements
(``vectorized_inner_sum``):

* The row is read as vectors of ``W`` lanes (``Vectorized<T>``: 32 bytes with
  AVX2 or without SIMD, 64 bytes with AVX512: 8 or 16 float32 lanes). float16
  and bfloat16 vectors hold ``2W`` elements; element ``i`` and ``i + W`` are
  added in float32 on load.
* The vectors are split round-robin over 4 accumulators (``ilp_factor``): rows of
  4 vectors, ``4W`` lanes, each lane summed down the rows by ``multi_row_sum``:
  a cascade of 4 levels. Rows go sequentially into blocks of ``L = 2**max(4,
  ceil_log2(rows) // 4)`` rows; block sums go sequentially into level 1, which is
  flushed into level 2 every ``L`` blocks, which is flushed into level 3 every
  ``L*L`` blocks; the rows left over after the last full block are summed
  sequentially and the levels are added to them in order.
* The 0-3 vectors left over after the last row of 4 go into accumulator 0,
  then accumulators 1, 2, 3 are added to it; the scalar tail (``n % W``
  elements) is summed sequentially and the ``W`` lanes are added to it, one by
  one.

Rows shorter than ``W`` and strided rows use the same 4-accumulator scheme on
single elements (``row_sum``). A reduction over a non-innermost dim
(``x.sum(0)`` of a matrix) sums columns: groups of ``4W`` contiguous columns
(4 when the row is shorter than ``W``) take the cascade without the 4-way
split, the remaining columns take it with the split. Several non-adjacent
reduced dims add their partial sums sequentially into the output, in memory
order. Which dims meet which loop follows ``TensorIterator``: reduced dims
innermost ordered by input stride, kept dims ordered by the output's (logical)
strides, adjacent dims coalesced.

float16/bfloat16: when the reduced dims do not coalesce into one loop dim
(``x.sum((0, 2))`` of a 3-D tensor, a sliced input), PyTorch redoes the sum on
the input cast to float32 and rounds once (``should_use_acc_buffer`` in
``ReduceOps.cpp``).

Threads: at ``numel >= 32768`` PyTorch splits a reduction over its intra-op
threads (``at::get_num_threads()``): a full reduction into one range of the
iteration space per thread (cutting rows where they fall), each summed into its
own partial sum (in the output dtype, so float16 partials are rounded), then the
partials together; a dim reduction over the kept dim it picks, on 128-byte
column boundaries. Both are emulated, with the thread count PyTorch picks by
default (``MKL_NUM_THREADS`` / ``OMP_NUM_THREADS``, else the number of physical
cores); ``ember.set_num_threads`` changes it, like ``torch.set_num_threads``.

The vector width is PyTorch's CPU capability: the ``ATEN_CPU_CAPABILITY``
environment variable if set, else AVX512 when the CPU has AVX512 F/BW/VL/DQ
(and FMA), else AVX2 or no SIMD -- both 32-byte vectors. NumPy's own CPU
feature detection tells which (``numpy._core._multiarray_umath.__cpu_features__``).
Checked against PyTorch on AVX2 (x86-64); on AVX512 machines and on ARM (NEON
vectors may be 16 bytes) results may differ from PyTorch's in the last bits.

Not bit-exact, kept within float round-off:

* sums of more than ``EXACT_MAX`` (2**19) elements use NumPy's pairwise sum:
  emulating the order there costs about 3x NumPy's time at 10**6 float32
  elements and 5x at 10**7 (the 128-byte rows are regrouped by a copy, and the
  data no longer fits in the cache), above the 1.5x we allow for huge sums;
* negatively strided arrays are summed as their C-contiguous copy (exact when
  the PyTorch tensor is that copy, as ``torch.flip`` makes);
* complex sums, and every sum of CuPy (GPU) arrays (CUDA adds in another order).
"""
import os

import numpy as np

GRAIN = 32768       # at::internal::GRAIN_SIZE: below it a reduction runs on one thread
_ILP = 4            # row_sum's ilp_factor
# Above this many elements a sum uses NumPy's pairwise sum (within round-off of PyTorch's). Emulating the
# order costs a copy of the data in 128-byte rows plus a few dozen NumPy calls: measured on the 2-core AVX2
# test machine, 2.5-3.5x NumPy's sum at 2**19 float32 elements, 3x at 10**6, 5x at 10**7.
EXACT_MAX = 1 << 19


def _vector_bytes():
    """Bytes in one ``at::vec::Vectorized<T>``: 64 for AVX512, else 32 (AVX2, and the portable default)."""
    cap = os.environ.get("ATEN_CPU_CAPABILITY", "").strip().lower()
    if cap == "avx512":
        return 64
    if cap in ("avx2", "default"):
        return 32
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as feats
    except ImportError:  # NumPy 1.x
        try:
            from numpy.core._multiarray_umath import __cpu_features__ as feats
        except ImportError:
            feats = {}
    if all(feats.get(k) for k in ("AVX512F", "AVX512BW", "AVX512VL", "AVX512DQ", "FMA3")):
        return 64
    return 32


VEC_BYTES = _vector_bytes()


def _default_threads():
    """``at::get_num_threads()``'s default: OMP_NUM_THREADS / MKL_NUM_THREADS, else the physical cores."""
    for var in ("MKL_NUM_THREADS", "OMP_NUM_THREADS"):   # MKL's wins in PyTorch when both are set
        v = os.environ.get(var, "").split(",")[0].strip()
        if v.isdigit() and int(v) > 0:
            return int(v)
    cores = set()
    try:
        with open("/proc/cpuinfo") as f:
            phys = core = None
            for line in f:
                key, _, val = line.partition(":")
                key = key.strip()
                if key == "physical id":
                    phys = val.strip()
                elif key == "core id":
                    core = val.strip()
                elif not key:
                    if core is not None:
                        cores.add((phys, core))
                    phys = core = None
            if core is not None:
                cores.add((phys, core))
    except OSError:
        pass
    return len(cores) or os.cpu_count() or 1


_threads = [None]


def get_num_threads():
    if _threads[0] is None:
        _threads[0] = _default_threads()
    return _threads[0]


def set_num_threads(n):
    """The thread count whose chunking the emulation follows (``torch.set_num_threads``)."""
    _threads[0] = max(1, int(n))


def _ceil_log2(x):
    return 1 if x <= 2 else int(x - 1).bit_length()


def _acc_dtype(dt):
    return np.dtype(np.float64) if dt == np.float64 else np.dtype(np.float32)


_PERMS = {}


def _move(a, src, dst):
    """``_move(a, src, dst)`` for one axis, without its argument normalisation (a hot path here)."""
    nd = a.ndim
    key = (nd, src, dst)
    perm = _PERMS.get(key)
    if perm is None:
        order = list(range(nd))
        order.insert(dst % nd, order.pop(src % nd))
        perm = _PERMS[key] = tuple(order)
    return a.transpose(perm)


# ------------------------------------------------------------------------- building blocks
# Each works on an array ``a`` of shape (k, *lanes) and sums over axis 0, lane by lane.

_VOIDS = {}


def _void(nbytes):
    """The void dtype of ``nbytes`` bytes (cached: making a dtype costs more than using it)."""
    d = _VOIDS.get(nbytes)
    if d is None:
        d = _VOIDS[nbytes] = np.dtype((np.void, nbytes))
    return d


def _trailing_run(a):
    """(bytes, k): the trailing axes a.shape[k:] are C-contiguous, spanning ``bytes`` per index of the rest."""
    run, k = a.itemsize, a.ndim
    while k > 1 and a.strides[k - 1] == run:
        run *= a.shape[k - 1]
        k -= 1
    return run, k


def _fold(a):
    """Sequential sum ``((a[0] + a[1]) + a[2]) + ...`` over axis 0 (k >= 1)."""
    k = a.shape[0]
    if k == 1:
        return a[0]
    if a.ndim == 1 or a.size == k:       # a single lane: accumulate is sequential by definition
        return np.add.accumulate(a.reshape(k))[-1:].reshape(a.shape[1:])
    # NumPy reduces an outer axis sequentially (out = a[0]; out += a[1] ...) but sums pairwise when the
    # reduced axis becomes its inner loop: when no other axis has a smaller stride.
    s0 = abs(a.strides[0])
    if not (a.shape[-1] > 1 and 0 < abs(a.strides[-1]) < s0):
        if s0 <= min(abs(s) for s, n in zip(a.strides[1:], a.shape[1:]) if n > 1):
            return np.add.reduce(np.ascontiguousarray(a), axis=0)
    if a.size >= 4096:
        # NumPy runs one inner loop per contiguous run of lanes, each slow when runs are short: copy the
        # runs together first (each run moved as one item of a void dtype).
        run, j = _trailing_run(a)
        if j > 1 and run <= 256:
            v = a.reshape(a.shape[:j] + (-1,)).view(_void(run))[..., 0]
            a = np.ascontiguousarray(v).view(a.dtype).reshape(a.shape)
    return np.add.reduce(a, axis=0)


def _groups(a, nb, L):
    """Sequential sums of the ``nb`` groups of ``L`` consecutive rows of ``a`` (nb*L rows) -> (nb, *lanes)."""
    if nb == 1:
        return _fold(a)[None]
    lanes = a.shape[1:]
    item = a.itemsize
    run, k = _trailing_run(a)                # bytes of the trailing C-contiguous lane axes
    if run <= 256 and k < a.ndim:
        # Narrow lanes: NumPy would run nb*L inner loops of a few elements each. Copy each row's lanes as
        # one item (a void dtype of their bytes) so that the rows of one step are contiguous, then add
        # whole steps: one copy plus L long additions.
        v = a.reshape(a.shape[:k] + (-1,)).view(_void(run))[..., 0]
        v = v.reshape((nb, L) + a.shape[1:k])                              # (nb, L, *outer lanes)
        nd = v.ndim
        # (L, *outer lanes, nb): the copy's inner loop runs over the blocks, the long axis
        t = np.ascontiguousarray(v.transpose((1,) + tuple(range(2, nd)) + (0,)))
        r = _fold(t.view(a.dtype).reshape(L, -1)).reshape(a.shape[1:k] + (nb, run // item))
        # (*outer lanes, nb, inner lanes) -> (nb, *lanes)
        r = r.transpose((nd - 2,) + tuple(range(nd - 2)) + (nd - 1,))
        return r.reshape((nb,) + lanes)
    return _fold(_move(a.reshape((nb, L) + lanes), 1, 0))


def _cascade(a):
    """``multi_row_sum``: a 4-level cascade over the rows of ``a`` (no 4-way split)."""
    S = a.shape[0]
    if S == 0:
        return np.zeros(a.shape[1:], a.dtype)
    L = 1 << max(4, _ceil_log2(S) // 4)
    nb = S // L
    if nb == 0:
        return _fold(a)
    parts = [a[nb * L:]]                  # the rows after the last full block: level 0
    B = _groups(a[:nb * L], nb, L)        # block sums
    nc = nb // L
    parts.append(B[nc * L:])              # level 1: block sums since its last flush
    if nc:
        C = _groups(B[:nc * L], nc, L)
        nd = nc // L
        parts.append(C[nd * L:])          # level 2
        if nd:
            parts.append(_groups(C[:nd * L], nd, L))   # level 3: every flush of level 2
    res = None
    for p in parts:
        if len(p):
            f = _fold(p)
            res = f if res is None else res + f
    return res


def _ilp(a):
    """``row_sum``: rows dealt round-robin to 4 accumulators (each a cascade), leftovers to the first."""
    n = a.shape[0]
    s = n // _ILP
    if s == 0:
        return _fold(a) if n else np.zeros(a.shape[1:], a.dtype)
    q = a[:s * _ILP].reshape((s, _ILP) + a.shape[1:])
    if a.ndim > 1:      # the 4 accumulators next to the innermost lanes: (4, W) rows are contiguous
        P = _move(_cascade(_move(q, 1, -2)), -2, 0)         # (4, *lanes)
    else:
        P = _cascade(q)
    if n > s * _ILP:
        P = np.concatenate((P[:1], a[s * _ILP:], P[1:]))
    return _fold(P)


def _inner(x, acc):
    """``vectorized_inner_sum`` over the last axis of ``x`` (contiguous in it) -> x.shape[:-1], dtype acc."""
    n = x.shape[-1]
    wl = VEC_BYTES // x.itemsize          # elements per loaded vector
    wa = VEC_BYTES // acc.itemsize        # accumulator lanes
    if n < wl:                            # scalar row_sum
        return _ilp(_move(x, -1, 0).astype(acc, copy=False))
    vs = n // wl
    v = x[..., :vs * wl].reshape(x.shape[:-1] + (vs, wl))
    if wl != wa:                          # float16/bfloat16: lanes i and i + W added in float32 on load
        v = v[..., :wa].astype(acc) + v[..., wa:].astype(acc)
    p = _ilp(_move(v, -2, 0))       # (*batch, wa)
    if n > vs * wl:
        p = np.concatenate((x[..., vs * wl:].astype(acc, copy=False), p), axis=-1)
    return _fold(_move(p, -1, 0))


def _columns(a, vectorized, wa):
    """Column sums of ``a`` (rows, *outer, cols): the outer-reduction loops (no 4-way split for full groups)."""
    m = a.shape[-1]
    blk = _ILP * wa if vectorized else _ILP
    full = (m // blk) * blk
    if full == m:
        return _cascade(a)
    if full == 0:
        return _ilp(a)
    return np.concatenate((_cascade(a[..., :full]), _ilp(a[..., full:])), axis=-1)


# ------------------------------------------------------------------------- TensorIterator
def _iterator(shape, strides, axes):
    """TensorIterator's dims for a reduction of an array with ``strides`` (in elements) over ``axes``.

    Returns a list of [size, in_stride, out_stride, logical_axes] ordered innermost first.
    """
    kept = [d for d in range(len(shape)) if d not in axes]
    out_stride, acc = {}, 1
    for d in reversed(kept):
        out_stride[d] = acc
        acc *= shape[d]
    dims = [d for d in range(len(shape)) if shape[d] != 1]
    ost = {d: out_stride.get(d, 0) for d in dims}

    def should_swap(d0, d1):
        s0, s1 = ost[d0], ost[d1]                       # the output first: reduced dims go innermost
        if (s0 == 0) != (s1 == 0):
            return 1 if s1 == 0 else -1
        for t0, t1 in ((s0, s1), (strides[d0], strides[d1])):
            if t0 == 0 or t1 == 0:
                continue
            if t0 < t1:
                return -1
            if t0 > t1:
                return 1
            if shape[d0] > shape[d1]:
                return 1
        return 0

    perm = dims[::-1]
    for i in range(1, len(perm)):                       # TensorIterator's insertion sort
        d1 = i
        for d0 in range(i - 1, -1, -1):
            c = should_swap(perm[d0], perm[d1])
            if c > 0:
                perm[d0], perm[d1] = perm[d1], perm[d0]
                d1 = d0
            elif c < 0:
                break
    its = []
    for d in perm:                                      # coalesce
        if its:
            p = its[-1]
            if p[0] * p[1] == strides[d] and p[0] * p[2] == ost[d]:
                p[0] *= shape[d]
                p[3].append(d)
                continue
        its.append([shape[d], strides[d], ost[d], [d]])
    return its


def _segments(its, nred, numel, threads, item):
    """Column ranges of the kept dim its[1] that one loop call sees (PyTorch splits it over threads)."""
    m = its[1][0]
    if numel < GRAIN or threads == 1 or len(its) <= nred:
        return [(0, m)]
    split = len(its) - 1                                # find_split_dim
    best = split
    for k in range(len(its) - 1, -1, -1):
        if k < nred:
            break
        if its[k][0] >= threads:
            best = k
            break
        if its[k][0] > its[best][0]:
            best = k
    if best != 1:
        return [(0, m)]
    nt = min(threads, m)
    chunk = -(-m // nt)
    mult = 128 // item if its[1][1] == 1 else 1
    segs = []
    for t in range(nt):
        b, e = t * chunk, min(m, (t + 1) * chunk)
        if b >= e:
            continue
        b -= b % mult
        if e != m:
            e -= e % mult
        if b != e:
            segs.append((b, e))
    return segs


_PLANS = {}


def _reduce(a, axes, threads):
    """PyTorch's sum of array ``a`` over ``axes`` (a sorted tuple), in the accumulation dtype; None: not
    emulated. The loop structure depends only on shapes, strides and dtype: it is planned once and cached."""
    key = (a.shape, a.strides, axes, a.dtype, threads)
    plan = _PLANS.get(key)
    if plan is None:
        if len(_PLANS) >= 512:
            _PLANS.clear()
        plan = _PLANS[key] = _make_plan(a.shape, a.strides, a.itemsize, axes, a.dtype, threads)
    kind = plan[0]
    if kind is None:
        return None
    acc = _acc_dtype(a.dtype)
    if kind == "copy":
        return a.reshape(plan[1]).astype(acc)
    if kind == "acc":
        # PyTorch's sum_out (should_use_acc_buffer): a float16/bfloat16 sum whose loop has two reduced
        # dims is redone on ``self.to(float)`` into a float32 buffer, rounded once at the end
        return _reduce(a.astype(acc, order=plan[1]), axes, threads)
    v = a.transpose(plan[1]).reshape(plan[2])
    if kind == "two_pass":
        return _two_pass(v, threads).reshape(plan[3])
    if kind == "two_pass_rows":
        return _two_pass_rows(v, plan[3], threads).reshape(plan[4])
    if kind == "outer":                                 # v: (rows, *outer kept, columns)
        wa = VEC_BYTES // acc.itemsize
        segs = plan[3]
        if len(segs) == 1:
            r = _columns(v.astype(acc, copy=False), segs[0][2], wa)
        else:
            r = np.concatenate([_columns(v[..., b:e].astype(acc, copy=False), vec, wa) for b, e, vec in segs],
                               axis=-1)
    else:                                               # inner: v (its[-1], ..., its[1], its[0])
        r = _row_sums(v, plan[3], acc)
        if plan[4] is not None:
            # the reduced its[1..] are r's trailing axes: their partial sums go into the output one after
            # the other, in loop order (its[1] fastest). float16/bfloat16 never get here (see "acc").
            r = _fold(_move(r.reshape(plan[4]), -1, 0))
    sizes, order, out_shape = plan[-1]
    if order is not None:
        r = r.reshape(sizes).transpose(order)
    return r.reshape(out_shape)


def _make_plan(shape, bstrides, item, axes, dt, threads):
    """How PyTorch's loops walk an array of this layout (see ``_reduce``): (kind, transpose, view shape, ...)."""
    if any(s < 0 or s % item for s, n in zip(bstrides, shape) if n > 1):
        return (None,)
    strides = [s // item for s in bstrides]
    its = _iterator(shape, strides, axes)
    nred = sum(1 for it in its if it[2] == 0)
    out_shape = tuple(n for d, n in enumerate(shape) if d not in axes)
    if nred == 0:                                       # only size-1 dims reduced: a copy
        return ("copy", out_shape)
    acc = _acc_dtype(dt)
    if nred > 1 and dt != acc:
        return ("acc", "K" if _dense(shape, strides) else "C")
    numel = 1
    for n in shape:
        numel *= n
    out_numel = 1
    for n in out_shape:
        out_numel *= n

    def view(order):
        perm = [d for d in range(len(shape)) if shape[d] == 1]
        for k in order:
            perm.extend(its[k][3][::-1])                # a coalesced dim: its logical dims, outer first
        return tuple(perm), tuple(its[k][0] for k in order)

    if out_numel == 1 and numel >= GRAIN and threads > 1:
        if len(its) == 1:
            return ("two_pass",) + view([0]) + (out_shape,)
        return ("two_pass_rows",) + view(list(range(len(its) - 1, 0, -1)) + [0]) + (its[0][1], out_shape)
    # results come out laid out as the kept iterator dims, outermost first: map them to the logical order
    logical, sizes = [], []
    for it in its[nred:][::-1]:
        for d in it[3][::-1]:
            logical.append(d)
            sizes.append(shape[d])
    order = tuple(sorted(range(len(logical)), key=lambda i: logical[i]))
    outmap = (tuple(sizes), None if order == tuple(range(len(order))) else order, out_shape)
    wl = VEC_BYTES // item
    s0 = its[0][1]
    s1 = its[1][1] if len(its) > 1 else 0
    if len(its) > 1 and its[1][2] != 0 and not (s0 == 1 and its[0][0] >= wl) and not (s0 < s1 and s1 != 1):
        # outer reduction: the columns are its[1] (kept), the rows its[0]; outer kept dims its[2:]
        segs = tuple((b, e, s1 == 1 and e - b >= wl) for b, e in _segments(its, nred, numel, threads, item))
        return ("outer",) + view([0] + list(range(len(its) - 1, 1, -1)) + [1]) + (segs, outmap)
    perm, vshape = view(list(range(len(its) - 1, 0, -1)) + [0])
    chain = None if nred == 1 else vshape[:len(its) - nred] + (-1,)
    return ("inner", perm, vshape, s0, chain, outmap)


def _dense(shape, strides):
    """Whether an array fills its memory without gaps (a permutation of a contiguous array)."""
    expect = 1
    for st, n in sorted((abs(st), n) for st, n in zip(strides, shape) if n != 1):
        if st != expect:
            return False
        expect *= n
    return True


def _two_pass(flat, threads):
    """A full reduction of a 1-D array over ``threads`` chunks (``two_pass_reduction``)."""
    n = flat.shape[0]
    s0 = flat.strides[0] // flat.itemsize
    acc = _acc_dtype(flat.dtype)
    nt = min(threads, -(-n // GRAIN))
    chunk = -(-n // nt)
    k = n // chunk
    got = _row_sums(flat[:k * chunk].reshape(k, chunk), s0, acc)   # the equal chunks together
    if k * chunk < n:
        got = np.append(got, _row_sums(flat[k * chunk:], s0, acc))
    buf = np.zeros(threads, flat.dtype)                 # one partial sum per thread, in the output dtype
    buf[:len(got)] = (got + _ZERO[acc]).astype(flat.dtype)
    return np.asarray(_inner(buf, acc))


def _row_sums(x, s0, acc):
    """Sums of the rows of ``x`` (..., n): the inner loops, vectorized when the rows are contiguous."""
    if s0 == 1 and x.shape[-1] >= VEC_BYTES // x.itemsize:
        return _inner(x, acc)
    return _ilp(_move(x, -1, 0).astype(acc, copy=False))


def _two_pass_rows(v, s0, threads):
    """``two_pass_reduction`` of an iterator with several (reduced) dims, ``v`` (its[-1], ..., its[0]): each
    thread's range of the flattened iteration space cuts rows of its[0]; its row sums go into its partial
    sum one by one."""
    acc = _acc_dtype(v.dtype)
    n0 = v.shape[-1]
    full = _row_sums(v, s0, acc).reshape(-1)                              # every row, in loop order
    lead = v.shape[:-1]
    numel = full.size * n0

    def part(r, p, q):
        return np.asarray(_row_sums(v[np.unravel_index(r, lead)][p:q], s0, acc)).reshape(1)

    nt = min(threads, -(-numel // GRAIN))
    chunk = -(-numel // nt)
    buf = np.zeros(threads, acc)
    for t in range(nt):
        b, e = t * chunk, min(numel, (t + 1) * chunk)
        if b >= e:
            continue
        r0, p0 = divmod(b, n0)
        r1, p1 = divmod(e, n0)
        if r0 == r1:
            seq = [part(r0, p0, p1)]
        else:
            seq = []
            if p0:
                seq.append(part(r0, p0, n0))
                r0 += 1
            seq.append(full[r0:r1])
            if p1:
                seq.append(part(r1, 0, p1))
        buf[t] = _fold(np.concatenate(seq))
    return np.asarray(_inner(buf, acc))


# ------------------------------------------------------------------------- entry points
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.float16))


def emulated(dt):
    """Whether sums of NumPy dtype ``dt`` follow PyTorch's order here."""
    return dt in _FLOATS or dt.name == "bfloat16"


# element order of a row shorter than 8 (and than a vector): accumulators 0-3 take elements 0-3, the
# leftovers go into accumulator 0, then accumulators 1, 2, 3 are added to it
_SHORT = {n: np.array([0] + list(range(4, n)) + [1, 2, 3]) if n >= 4 else np.arange(n) for n in range(8)}


def _flat(a, wl):
    """PyTorch's serial sum of a contiguous 1-D float32/float64 array ``a`` (``wl`` lanes per vector)."""
    n = a.shape[0]
    if n < wl:
        if n < 8:
            if n < 3:
                return a.sum() if n else _ZERO[a.dtype]       # a0 + a1 whatever the order
            return np.add.accumulate(a[_SHORT[n]])[-1]
        return _ilp(a)
    vs = n // wl
    s = vs >> 2
    if s == 0:
        p = a[:wl]
        if vs > 1:
            p = p + a[wl:2 * wl]
            if vs > 2:
                p = p + a[2 * wl:3 * wl]
    else:
        rows = a[:s * 4 * wl].reshape(s, 4 * wl)
        if s < 16:              # no full cascade block: a plain sequential sum of the rows
            q = (rows[0] if s == 1 else np.add.reduce(rows, axis=0)).reshape(4, wl)
        else:
            q = _cascade(rows).reshape(4, wl)
        if vs > 4 * s:          # leftover vectors go into accumulator 0, then accumulators 1-3 are added
            q = np.concatenate((q[:1], a[4 * s * wl:vs * wl].reshape(-1, wl), q[1:]))
        p = np.add.reduce(q, axis=0)     # (rows, wl): sequential over the rows
    if n > vs * wl:
        p = np.concatenate((a[vs * wl:], p))
    return np.add.accumulate(p)[-1]


_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)
_accumulate, _add = np.add.accumulate, np.add
_ZERO = {_F32: np.float32(0), _F64: np.float64(0)}      # + 0: PyTorch's sums start from +0, never give -0.0
_LANES = {_F32: VEC_BYTES // 4, _F64: VEC_BYTES // 8}


def full_sum(a):
    """Sum of every element of ``a`` (a NumPy float array), as PyTorch adds them: a 0-d array of a's dtype."""
    dt = a.dtype
    wl = _LANES.get(dt)
    if wl is not None and a.flags.c_contiguous:        # the hot path: float32/float64
        n = a.size
        if wl <= n < 4 * wl:                           # 1-3 vectors (a (4, 4) tensor): _flat, inlined
            f = a.ravel()
            vs = n // wl
            p = _add(f[:wl], f[wl:2 * wl]) if vs > 1 else f[:wl]
            if vs > 2:
                p = _add(p, f[2 * wl:3 * wl])
            if n > vs * wl:
                p = np.concatenate((f[vs * wl:], p))
            q = _accumulate(p)
            if not q[-1]:                              # PyTorch's sum starts from +0: never -0.0
                return np.zeros((), dt)
            return q[..., -1]                          # a 0-d array (a view of q)
        if n < GRAIN:
            return np.asarray(_flat(a.ravel(), wl) + _ZERO[dt])
    if not emulated(dt):
        return np.asarray(a.sum())
    return sum_array(a, None, False)


def sum_array(a, axes, keepdim=False):
    """``a.sum(axis=axes, keepdims=keepdim)`` (axes: tuple of non-negative ints or None) in PyTorch's order.

    ``a`` must have a dtype for which ``emulated`` holds. The result has a's dtype.
    """
    nd = a.ndim
    red = set(range(nd)) if axes is None else set(axes)
    if not red and nd:                                  # sum over no dims: PyTorch reduces all of them
        red = set(range(nd))
    r = None
    if a.size and a.size <= EXACT_MAX:
        threads = get_num_threads()
        if a.flags.c_contiguous and len(red) == nd:
            flat = a.reshape(-1)
            if a.size < GRAIN or threads == 1:
                if a.dtype == _F32 or a.dtype == _F64:
                    r = _flat(flat, VEC_BYTES // a.itemsize)
                else:
                    r = _inner(flat, _acc_dtype(a.dtype))
            else:
                r = _two_pass(flat, threads)
        else:
            r = _reduce(a, tuple(sorted(red)), threads)
    if r is None:
        if a.size and not (a.flags.c_contiguous or a.flags.f_contiguous) and a.size <= EXACT_MAX:
            return sum_array(np.ascontiguousarray(a), axes, keepdim)
        r = a.sum(axis=tuple(sorted(red)), dtype=_acc_dtype(a.dtype))
    r = np.asarray(r + _ZERO[r.dtype]).astype(a.dtype, copy=False)      # + 0: PyTorch never returns -0.0
    if keepdim:
        r = r.reshape(tuple(1 if d in red else n for d, n in enumerate(a.shape)))
    return r
