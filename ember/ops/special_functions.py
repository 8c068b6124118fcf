"""``torch.special``'s Bessel, Airy and classical orthogonal-polynomial functions.

* Bessel, modified Bessel and Airy functions: Cephes' rational and Chebyshev
  approximations (S. L. Moshier's public algorithms, which PyTorch ports),
  on flat ``xp`` arrays in the input's float dtype (float32 stays float32, as
  in PyTorch); ``modified_bessel_i0/i1`` reuse Ember's own I0/I1 series.
  PyTorch's port evaluates the denominators that Cephes writes with an implied
  leading coefficient 1 (``p1evl``) without that term; Ember does the same, so
  its values are PyTorch's (for J0/J1/Y0/Y1 they differ from the exact
  functions by up to 4e-7 near x = 5, by about 1e-11 at x = 10).
* Polynomials ``chebyshev_polynomial_t/u/v/w`` (and their shifted forms),
  ``hermite_polynomial_h/he``, ``laguerre_polynomial_l``,
  ``legendre_polynomial_p``: the three-term recurrences with PyTorch's rules
  (``n`` is truncated to an integer, ``n < 0`` gives 0, closed forms at the
  ends of the interval, trigonometric forms for large ``n`` inside it).
  float32 inputs step in float32 as PyTorch's fused multiply-adds do: each
  step is computed exactly in float64 and rounded to float32 once. A NaN x
  gives NaN (PyTorch's result there is undefined for some families).

PyTorch computes none of these in float16/bfloat16/complex (NotImplementedError)
and none is differentiable: the results never require grad, as in PyTorch.
``ember.special`` exports them; there are no top-level or Tensor-method forms.
"""
import math
import warnings

import numpy as np

from .. import _dtype as D
from ._util import Tensor, broadcast_error, wrap_out, xp_of
from .special import _bessel_i64
from .unary import _legacy

__all__ = []      # torch.special names only (see ember/special.py)

warnings.filterwarnings("ignore", category=RuntimeWarning, module=__name__)

_NO_KERNEL = {"float16": "Half", "bfloat16": "BFloat16", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}
_NUMBERS = (bool, int, float, complex, np.number, np.bool_)


def _refuse(name, dtype, on_cuda):
    """PyTorch has no half or complex kernel for these: the same NotImplementedError."""
    label = _NO_KERNEL.get(dtype.name)
    if label:
        raise NotImplementedError(f"\"{name}_{'cuda' if on_cuda else 'cpu'}\" not implemented for '{label}' "
                                  "(compute in float32 or float64: x.float())")


def _result(values, shape, dtype, out):
    """A Tensor that does not require grad (PyTorch defines no derivative), or ``out`` filled with it."""
    if out is not None and not D.can_cast(dtype, out.dtype):
        raise RuntimeError(f"result type {_legacy(dtype.np)} can't be cast to the desired output type "
                           f"{_legacy(out._data.dtype)} (give a floating out= tensor)")
    return wrap_out(Tensor._wrap(values.reshape(shape).astype(dtype.np, copy=False)), out)


# ---------------------------------------------------------------- Cephes' evaluation helpers
def _polevl(x, coef):
    """coef[0] x^N + ... + coef[N] (Horner). Also for Cephes' ``p1evl`` denominators, whose implied leading
    x^(N+1) PyTorch leaves out (see the module docstring)."""
    y = coef[0]
    for c in coef[1:]:
        y = y * x + c
    return y


def _chbevl(x, coef):
    """The Chebyshev series sum' coef[N-1-i] T_i(x / 2) by Clenshaw's recurrence, as Cephes' chbevl."""
    b0, b1, b2 = coef[0], 0.0, 0.0
    for c in coef[1:]:
        b2, b1 = b1, b0
        b0 = x * b1 - b2 + c
    return 0.5 * (b0 - b2)


_PIO4 = math.pi / 4
_THPIO4 = 3 * math.pi / 4
_SQ2OPI = math.sqrt(2 / math.pi)
_TWOOPI = 2 / math.pi
_MACHEP = 1.11022302462515654042e-16

# ---- J0, Y0 (Cephes j0.c): [0, 5] rational in x^2; beyond, Hankel's asymptotic form with rational P, Q
_J0_PP = (7.96936729297347051624e-4, 8.28352392107440799803e-2, 1.23953371646414299388e0, 5.44725003058768775090e0,
          8.74716500199817011941e0, 5.30324038235394892183e0, 9.99999999999999997821e-1)
_J0_PQ = (9.24408810558863637013e-4, 8.56288474354474431428e-2, 1.25352743901058953537e0, 5.47097740330417105182e0,
          8.76190883237069594232e0, 5.30605288235394617618e0, 1.00000000000000000218e0)
_J0_QP = (-1.13663838898469149931e-2, -1.28252718670509318512e0, -1.95539544257735972385e1,
          -9.32060152123768231369e1, -1.77681167980488050595e2, -1.47077505154951170175e2,
          -5.14105326766599330220e1, -6.05014350600728481186e0)
_J0_QQ = (6.43178256118178023184e1, 8.56430025976980587198e2, 3.88240183605401609683e3, 7.24046774195652478189e3,
          5.93072701187316984827e3, 2.06209331660327847417e3, 2.42005740240291393179e2)
_J0_RP = (-4.79443220978201773821e9, 1.95617491946556577543e12, -2.49248344360967716204e14,
          9.70862251047306323952e15)
_J0_RQ = (4.99563147152651017219e2, 1.73785401676374683123e5, 4.84409658339962045305e7, 1.11855537045356834862e10,
          2.11277520115489217587e12, 3.10518229857422583814e14, 3.18121955943204943306e16,
          1.71086294081043136091e18)
_J0_DR1, _J0_DR2 = 5.78318596294678452118e0, 3.04712623436620863991e1     # squares of J0's first two zeros
_Y0_YP = (1.55924367855235737965e4, -1.46639295903971606143e7, 5.43526477051876500413e9,
          -9.82136065717911466409e11, 8.75906394395366999549e13, -3.46628303384729719441e15,
          4.42733268572569800351e16, -1.84950800436986690637e16)
_Y0_YQ = (1.04128353664259848412e3, 6.26107330137134956842e5, 2.68919633393814121987e8, 8.64002487103935000337e10,
          2.02979612750105546709e13, 3.17157752842975028269e15, 2.50596256172653059228e17)

# ---- J1, Y1 (Cephes j1.c)
_J1_RP = (-8.99971225705559398224e8, 4.52228297998194034323e11, -7.27494245221818276015e13,
          3.68295732863852883286e15)
_J1_RQ = (6.20836478118054335476e2, 2.56987256757748830383e5, 8.35146791431949253037e7, 2.21511595479792499675e10,
          4.74914122079991414898e12, 7.84369607876235854894e14, 8.95222336184627338078e16,
          5.32278620332680085395e18)
_J1_PP = (7.62125616208173112003e-4, 7.31397056940917570436e-2, 1.12719608129684925192e0, 5.11207951146807644818e0,
          8.42404590141772420927e0, 5.21451598682361504063e0, 1.00000000000000000254e0)
_J1_PQ = (5.71323128072548699714e-4, 6.88455908754495404082e-2, 1.10514232634061696926e0, 5.07386386128601488557e0,
          8.39985554327604159757e0, 5.20982848682361821619e0, 9.99999999999999997461e-1)
_J1_QP = (5.10862594750176621635e-2, 4.98213872951233449420e0, 7.58238284132545283818e1, 3.66779609360150777800e2,
          7.10856304998926107277e2, 5.97489612400613639965e2, 2.11688757100572135698e2, 2.52070205858023719784e1)
_J1_QQ = (7.42373277035675149943e1, 1.05644886038262816351e3, 4.98641058337653607651e3, 9.56231892404756170795e3,
          7.99704160447350683650e3, 2.82619278517639096600e3, 3.36093607810698293419e2)
_J1_Z1, _J1_Z2 = 1.46819706421238932572e1, 4.92184563216946036703e1       # squares of J1's first two zeros
_Y1_YP = (1.26320474790178026440e9, -6.47355876379160291031e11, 1.14509511541823727583e14,
          -8.12770255501325109621e15, 2.02439475713594898196e17, -7.78877196265950026825e17)
_Y1_YQ = (5.94301592346128195359e2, 2.35564092943068577943e5, 7.34811944459721705660e7, 1.87601316108706159478e10,
          3.88231277496238566008e12, 6.20557727146953693363e14, 6.87141087355300489866e16,
          3.97270608116560655612e18)

# ---- K0, K1 (Cephes k0.c, k1.c): Chebyshev series on [0, 2] and, in 8/x, on (2, inf)
_K0_A = (1.37446543561352307156e-16, 4.25981614279661018399e-14, 1.03496952576338420167e-11,
         1.90451637722020886025e-9, 2.53479107902614945675e-7, 2.28621210311945178607e-5,
         1.26461541144692592338e-3, 3.59799365153615016266e-2, 3.44289899924628486886e-1,
         -5.35327393233902768720e-1)
_K0_B = (5.30043377268626276149e-18, -1.64758043015242134646e-17, 5.21039150503902756861e-17,
         -1.67823109680541210385e-16, 5.51205597852431940784e-16, -1.84859337734377901440e-15,
         6.34007647740507060557e-15, -2.22751332699166985548e-14, 8.03289077536357521100e-14,
         -2.98009692317273043925e-13, 1.14034058820847496303e-12, -4.51459788337394416547e-12,
         1.85594911495471785253e-11, -7.95748924447710747776e-11, 3.57739728140030116597e-10,
         -1.69753450938905987466e-9, 8.57403401741422608519e-9, -4.66048989768794782956e-8,
         2.76681363944501510342e-7, -1.83175552271911948767e-6, 1.39498137188764993662e-5,
         -1.28495495816278026384e-4, 1.56988388573005337491e-3, -3.14481013119645005427e-2,
         2.44030308206595545468e0)
_K1_A = (-7.02386347938628759343e-18, -2.42744985051936593393e-15, -6.66690169419932900609e-13,
         -1.41148839263352776110e-10, -2.21338763073472585583e-8, -2.43340614156596823496e-6,
         -1.73028895751305206302e-4, -6.97572385963986435018e-3, -1.22611180822657148235e-1,
         -3.53155960776544875667e-1, 1.52530022733894777053e0)
_K1_B = (-5.75674448366501715755e-18, 1.79405087314755922667e-17, -5.68946255844285935196e-17,
         1.83809354436663880070e-16, -6.05704724837331885336e-16, 2.03870316562433424052e-15,
         -7.01983709041831346144e-15, 2.47715442448130437068e-14, -8.97670518232499435011e-14,
         3.34841966607842919884e-13, -1.28917396095102890680e-12, 5.13963967348173025100e-12,
         -2.12996783842756842877e-11, 9.21831518760500529508e-11, -4.19035475934189648750e-10,
         2.01504975519703286596e-9, -1.03457624656780970260e-8, 5.74108412545004946722e-8,
         -3.50196060308781257119e-7, 2.40648494783721712015e-6, -1.93619797416608296024e-5,
         1.95215518471351631108e-4, -2.85781685962277938680e-3, 1.03923736576817238437e-1,
         2.72062619048444266945e0)

# ---- Ai (Cephes airy.c): rational forms in 1/zeta outside [-2.09, 2.09], the Maclaurin series inside
_AI_AN = (3.46538101525629032477e-1, 1.20075952739645805542e1, 7.62796053615234516538e1, 1.68089224934630576269e2,
          1.59756391350164413639e2, 7.05360906840444183113e1, 1.40264691163389668864e1, 9.99999999999999995305e-1)
_AI_AD = (5.67594532638770212846e-1, 1.47562562584847203173e1, 8.45138970141474626562e1, 1.77318088145400459522e2,
          1.64234692871529701831e2, 7.14778400825575695274e1, 1.40959135607834029598e1, 1.00000000000000000470e0)
_AI_AFN = (-1.31696323418331795333e-1, -6.26456544431912369773e-1, -6.93158036036933542233e-1,
           -2.79779981545119124951e-1, -4.91900132609500318020e-2, -4.06265923594885404393e-3,
           -1.59276496239262096340e-4, -2.77649108155232920844e-6, -1.67787698489114633780e-8)
_AI_AFD = (1.33560420706553243746e1, 3.26825032795224613948e1, 2.67367040941499554804e1, 9.18707402907259625840e0,
           1.47529146771666414581e0, 1.15687173795188044134e-1, 4.40291641615211203805e-3,
           7.54720348287414296618e-5, 4.51850092970580378464e-7)
_AI_AGN = (1.97339932091685679179e-2, 3.91103029615688277255e-1, 1.06579897599595591108e0,
           9.39169229816650230044e-1, 3.51465656105547619242e-1, 6.33888919628925490927e-2,
           5.85804113048388458567e-3, 2.82851600836737019778e-4, 6.98793669997260967291e-6,
           8.11789239554389293311e-8, 3.41551784765923618484e-10)
_AI_AGD = (9.30892908077441974853e0, 1.98352928718312140417e1, 1.55646628932864612953e1, 5.47686069422975497931e0,
           9.54293611618961883998e-1, 8.64580826352392193095e-2, 4.12656523824222607191e-3,
           1.01259085116509135510e-4, 1.17166733214413521882e-6, 4.91834570062930015649e-9)
_AI_C1, _AI_C2 = 0.35502805388781723926, 0.258819403792806798405     # Ai(0), -Ai'(0)
_SQPII = 5.64189583547756286948e-1                                   # 1 / sqrt(pi)


def _split(x, xp, cut):
    """Indices of ``x <= cut`` and of ``x > cut`` (NaN in neither): each branch is computed on its part only."""
    return xp.nonzero(x <= cut)[0], xp.nonzero(x > cut)[0]


def _j0_pos(a, xp):
    """J0 for a >= 0."""
    out = xp.full_like(a, xp.nan)
    lo, hi = _split(a, xp, 5.0)
    z = a[lo] * a[lo]
    r = (z - _J0_DR1) * (z - _J0_DR2) * _polevl(z, _J0_RP) / _polevl(z, _J0_RQ)
    out[lo] = xp.where(a[lo] < 1e-5, 1 - z / 4, r)
    b = a[hi]
    w, q = 5 / b, 25 / (b * b)
    p = _polevl(q, _J0_PP) / _polevl(q, _J0_PQ)
    q = _polevl(q, _J0_QP) / _polevl(q, _J0_QQ)
    xn = b - _PIO4
    out[hi] = (p * xp.cos(xn) - w * q * xp.sin(xn)) * _SQ2OPI / xp.sqrt(b)
    return out


def _j1_pos(a, xp):
    """J1 for a >= 0."""
    out = xp.full_like(a, xp.nan)
    lo, hi = _split(a, xp, 5.0)
    s = a[lo]
    z = s * s
    out[lo] = _polevl(z, _J1_RP) / _polevl(z, _J1_RQ) * s * (z - _J1_Z1) * (z - _J1_Z2)
    b = a[hi]
    w = 5 / b
    z = w * w
    p = _polevl(z, _J1_PP) / _polevl(z, _J1_PQ)
    q = _polevl(z, _J1_QP) / _polevl(z, _J1_QQ)
    xn = b - _THPIO4
    out[hi] = (p * xp.cos(xn) - w * q * xp.sin(xn)) * _SQ2OPI / xp.sqrt(b)
    return out


def _bessel_j0(x, xp):
    return _j0_pos(xp.abs(x), xp)


def _bessel_j1(x, xp):
    v = _j1_pos(xp.abs(x), xp)
    return xp.where(xp.signbit(x), -v, v)      # odd: J1(-x) = -J1(x)


def _bessel_y0(x, xp):
    """Y0: -inf at 0, NaN for x < 0."""
    out = xp.full_like(x, xp.nan)
    lo = xp.nonzero((x > 0) & (x <= 5))[0]
    s = x[lo]
    z = s * s
    out[lo] = _polevl(z, _Y0_YP) / _polevl(z, _Y0_YQ) + _TWOOPI * xp.log(s) * _j0_pos(s, xp)
    hi = xp.nonzero(x > 5)[0]
    b = x[hi]
    w, q = 5 / b, 25 / (b * b)
    p = _polevl(q, _J0_PP) / _polevl(q, _J0_PQ)
    q = _polevl(q, _J0_QP) / _polevl(q, _J0_QQ)
    xn = b - _PIO4
    out[hi] = (p * xp.sin(xn) + w * q * xp.cos(xn)) * _SQ2OPI / xp.sqrt(b)
    return xp.where(x == 0, -xp.inf, out)


def _bessel_y1(x, xp):
    """Y1: -inf at 0, NaN for x < 0."""
    out = xp.full_like(x, xp.nan)
    lo = xp.nonzero((x > 0) & (x <= 5))[0]
    s = x[lo]
    z = s * s
    out[lo] = s * (_polevl(z, _Y1_YP) / _polevl(z, _Y1_YQ)) + _TWOOPI * (_j1_pos(s, xp) * xp.log(s) - 1 / s)
    hi = xp.nonzero(x > 5)[0]
    b = x[hi]
    w = 5 / b
    z = w * w
    p = _polevl(z, _J1_PP) / _polevl(z, _J1_PQ)
    q = _polevl(z, _J1_QP) / _polevl(z, _J1_QQ)
    xn = b - _THPIO4
    out[hi] = (p * xp.sin(xn) + w * q * xp.cos(xn)) * _SQ2OPI / xp.sqrt(b)
    return xp.where(x == 0, -xp.inf, out)


_I0, _I1 = _bessel_i64(0), _bessel_i64(1)


def _modified_i(nu):
    """I0 / I1 by Ember's series. PyTorch's Cephes form is exp(|x|) times a series: it overflows to inf with
    exp(|x|) (a little before I itself does), and is NaN at +-inf (inf / inf); so are these."""
    def f(x, xp):
        y = (_I0 if nu == 0 else _I1)(x.astype(np.float64), xp).astype(x.dtype)    # (float32: more accurate)
        y = xp.where(xp.isinf(xp.exp(xp.abs(x))), xp.copysign(xp.inf, y), y)
        return xp.where(xp.isinf(x), xp.nan, y)
    return f


def _modified_k(order, scaled):
    """K0 / K1, or exp(x) K0 / exp(x) K1: inf at 0, NaN for x < 0, 0 at +inf."""
    a_coef, b_coef = (_K0_A, _K0_B) if order == 0 else (_K1_A, _K1_B)
    i_fn = _I0 if order == 0 else _I1

    def f(x, xp):
        out = xp.full_like(x, xp.nan)
        lo = xp.nonzero((x > 0) & (x <= 2))[0]
        s = x[lo]
        if order == 0:      # (PyTorch's unscaled K0 takes this log in float64 even for float32: so do we)
            half = 0.5 * (s if scaled else s.astype(np.float64))
            v = _chbevl(s * s - 2, a_coef) - xp.log(half) * i_fn(s, xp)
        else:
            v = xp.log(0.5 * s) * i_fn(s, xp) + _chbevl(s * s - 2, a_coef) / s
        out[lo] = v * xp.exp(s) if scaled else v
        hi = xp.nonzero(x > 2)[0]
        b = x[hi]
        v = _chbevl(8 / b - 2, b_coef) / xp.sqrt(b)
        out[hi] = v if scaled else xp.exp(-b) * v
        return xp.where(x == 0, xp.inf, out)
    return f


def _airy_ai(x, xp):
    """Ai: NaN at +-inf, 0 beyond 103.892 (where Ai underflows)."""
    out = xp.zeros_like(x)
    neg = xp.nonzero(x < -2.09)[0]
    s = x[neg]
    t = xp.sqrt(-s)
    zeta = -2 * s * t / 3
    t = xp.sqrt(t)
    z = 1 / zeta
    zz = z * z
    uf = 1 + zz * _polevl(zz, _AI_AFN) / _polevl(zz, _AI_AFD)
    ug = z * _polevl(zz, _AI_AGN) / _polevl(zz, _AI_AGD)
    theta = zeta + _PIO4
    out[neg] = _SQPII / t * (xp.sin(theta) * uf - xp.cos(theta) * ug)
    pos = xp.nonzero((x >= 2.09) & (x <= 103.892))[0]
    s = x[pos]
    t = xp.sqrt(s)
    zeta = 2 * s * t / 3
    t = xp.sqrt(t)
    z = 1 / zeta
    out[pos] = _SQPII * (_polevl(z, _AI_AN) / _polevl(z, _AI_AD)) / (2 * t * xp.exp(zeta))
    mid = xp.nonzero(~((x < -2.09) | (x >= 2.09)))[0]          # (NaN lands here and stays NaN)
    s = x[mid]
    z = s * s * s
    f, g = xp.ones_like(s), s.copy()
    uf, ug, k = xp.ones_like(s), s.copy(), 1.0
    active = xp.ones(s.shape, dtype=bool)
    while bool(active.any()):        # the Maclaurin series of the two solutions, to Cephes' tolerance
        uf = uf * z / (k + 1) / (k + 2)
        ug = ug * z / (k + 2) / (k + 3)
        k += 3
        f = xp.where(active, f + uf, f)
        g = xp.where(active, g + ug, g)
        active = active & (xp.abs(uf / f) > _MACHEP)
    out[mid] = _AI_C1 * f - _AI_C2 * g
    return xp.where(xp.isinf(x) | xp.isnan(x), xp.nan, out)


def _spherical_bessel_j0(x, xp):
    """sin(x) / x; its Taylor polynomial below 0.5 (no 0 / 0), 0 at +-inf."""
    z = x * x
    series = 1 + z * (-1 / 6 + z * (1 / 120 + z * (-1 / 5040 + z * (1 / 362880 + z * (-1 / 39916800
                                                                                      + z / 6227020800)))))
    out = xp.where(xp.abs(x) < 0.5, series, xp.sin(x) / x)
    return xp.where(xp.isinf(x), 0.0, out)


def _unary(name, kernel, doc):
    def fn(input, *, out=None):
        if not isinstance(input, Tensor):
            raise TypeError(f"special_{name}(): argument 'input' (position 1) must be Tensor, not "
                            f"{type(input).__name__}")
        dtype = input.dtype if input.is_floating_point() or input.is_complex() else D.get_default_dtype()
        _refuse(name, dtype, input.is_cuda)
        x = input._data      # computed in its own float dtype (float32 stays float32, as in PyTorch)
        return _result(kernel(x.astype(dtype.np).reshape(-1), xp_of(x)), x.shape, dtype, out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"``torch.special.{name}(input, *, out=None)``: {doc}, element-wise.\n\nInteger and bool "
                  "inputs give the default float dtype; float16/bfloat16/complex inputs raise, as in PyTorch. "
                  "Not differentiable (the result never requires grad).")
    return fn


airy_ai = _unary("airy_ai", _airy_ai, "the Airy function Ai")
bessel_j0 = _unary("bessel_j0", _bessel_j0, "the Bessel function of the first kind of order 0")
bessel_j1 = _unary("bessel_j1", _bessel_j1, "the Bessel function of the first kind of order 1")
bessel_y0 = _unary("bessel_y0", _bessel_y0, "the Bessel function of the second kind of order 0")
bessel_y1 = _unary("bessel_y1", _bessel_y1, "the Bessel function of the second kind of order 1")
modified_bessel_i0 = _unary("modified_bessel_i0", _modified_i(0), "the modified Bessel function I0")
modified_bessel_i1 = _unary("modified_bessel_i1", _modified_i(1), "the modified Bessel function I1")
modified_bessel_k0 = _unary("modified_bessel_k0", _modified_k(0, False), "the modified Bessel function K0")
modified_bessel_k1 = _unary("modified_bessel_k1", _modified_k(1, False), "the modified Bessel function K1")
scaled_modified_bessel_k0 = _unary("scaled_modified_bessel_k0", _modified_k(0, True), "exp(x) K0(x)")
scaled_modified_bessel_k1 = _unary("scaled_modified_bessel_k1", _modified_k(1, True), "exp(x) K1(x)")
spherical_bessel_j0 = _unary("spherical_bessel_j0", _spherical_bessel_j0,
                             "the spherical Bessel function of the first kind of order 0, sin(x) / x")


# ---------------------------------------------------------------- orthogonal polynomials
class _Poly:
    """One polynomial family: ``special(x, n, xp, r)`` lists PyTorch's closed-form cases as (mask, value) in
    the order they are tried; ``first(x, r)`` is P_1; ``step(k, x, p, q, r)`` gives P_k from P_{k-2} = p and
    P_{k-1} = q. ``r`` rounds an intermediate to the working dtype (identity in float64)."""

    def __init__(self, name, special, first, step, doc):
        self.name, self.special, self.first, self.step, self.doc = name, special, first, step, doc

    def __call__(self, x, n, xp, r):
        """P_n(x) on flat float64 arrays (``n`` int64); NaN stays NaN through the recurrence."""
        out = xp.zeros_like(x)                     # n < 0 gives 0
        todo = n >= 0
        with np.errstate(all="ignore"):
            for mask, value in self.special(x, n, xp, r):
                hit = todo & mask
                out = xp.where(hit, value, out)
                todo = todo & ~hit
            out = xp.where(todo & (n == 0), 1.0, out)
            out = xp.where(todo & (n == 1), self.first(x, r), out)
            idx = xp.nonzero(todo & (n >= 2))[0]
            xs, ns = x[idx], n[idx]
            p, q = xp.ones_like(xs), self.first(xs, r)
            k = 2
            while idx.size:
                p, q = q, r(self.step(k, xs, p, q, r))
                done = (ns == k) | xp.isnan(q)      # (PyTorch stops at a NaN too: inf - inf ends the growth)
                if bool(done.any()):
                    out[idx[done]] = q[done]
                    keep = ~done
                    idx, xs, ns, p, q = idx[keep], xs[keep], ns[keep], p[keep], q[keep]
                k += 1
        return out


def _sign_by_parity(n, xp, value):
    """value for even n, -value for odd n."""
    return xp.where(n % 2 == 0, value, -value)


def _cheb_specials(kind, shifted):
    """PyTorch's closed forms for T/U/V/W (at the interval's ends, and by angle for large n inside it)."""
    lim = 6 if shifted and kind != "w" else 4 if shifted else 6 if kind == "t" else 8

    def special(x, n, xp, r):
        nf = n.astype(np.float64)
        if shifted:
            y = r(x + x - 1)
            top, bottom = x == 1, x == 0
        else:
            y = x
            top, bottom = (x == 1), (x == -1)
        a = r(xp.arccos(y))
        inside = (n > lim) & (xp.abs(y) < 1)
        odd_n = 2 * nf + 1
        if kind == "t":
            ends = xp.where(top, 1.0, _sign_by_parity(n, xp, 1.0))
            trig = xp.cos(r(nf * a))
        elif kind == "u":
            ends = xp.where(top, nf + 1, _sign_by_parity(n, xp, nf + 1))
            s = r(xp.sin(a))
            angle = r((nf + 1) * a)
            trig = xp.where(s != 0, r(xp.sin(angle)) / s, r((nf + 1) * r(xp.cos(angle))) / y)
        elif kind == "v":
            ends = xp.where(top, 1.0, _sign_by_parity(n, xp, odd_n))
            trig = xp.where(r(xp.sin(r(a / 2))) != 1, r(xp.cos(r(r(nf + 0.5) * a))) / r(xp.cos(r(a / 2))),
                            _sign_by_parity(n, xp, odd_n))
        else:
            ends = xp.where(top, odd_n, _sign_by_parity(n, xp, 1.0))
            fallback = _sign_by_parity(n, xp, 1.0)
            if not shifted:
                fallback = xp.where(y > 0, odd_n, fallback)
            trig = xp.where(r(xp.cos(r(a / 2))) != 1, r(xp.sin(r(r(nf + 0.5) * a))) / r(xp.sin(r(a / 2))), fallback)
        return [(top | bottom, ends), (inside, trig)]
    return special


def _chebyshev(kind, *, shifted):
    offset = {"t": None, "u": 0.0, "v": -1.0, "w": 1.0}[kind]

    def first(x, r):
        y = r(x + x - 1) if shifted else x
        return y if offset is None else r(r(y + y) + offset)

    def step(k, x, p, q, r):
        y = r(x + x - 1) if shifted else x
        return r(y + y) * q - p
    name = ("shifted_" if shifted else "") + f"chebyshev_polynomial_{kind}"
    label = {"t": "first", "u": "second", "v": "third", "w": "fourth"}[kind]
    doc = (f"the {'shifted ' if shifted else ''}Chebyshev polynomial of the {label} kind"
           + (" (of 2x - 1)" if shifted else ""))
    return _Poly(name, _cheb_specials(kind, shifted), first, step, doc)


def _no_specials(x, n, xp, r):
    return []


def _legendre_specials(x, n, xp, r):
    return [(xp.abs(x) == 1, xp.where((x > 0) | (n % 2 == 0), 1.0, -1.0))]


def _laguerre_specials(x, n, xp, r):
    return [(x == 0, xp.ones_like(x))]


def _hermite_h_step(k, x, p, q, r):
    return r(x + x) * q - r(2 * (k - 1) * p)          # H_k = 2x H_{k-1} - 2(k-1) H_{k-2}


def _hermite_he_step(k, x, p, q, r):
    return x * q - r((k - 1) * p)                      # He_k = x He_{k-1} - (k-1) He_{k-2}


def _laguerre_step(k, x, p, q, r):
    return r(r(2 * (k - 1) + r(1 - x)) * q - r((k - 1) * p)) / k      # k L_k = (2k-1-x) L_{k-1} - (k-1) L_{k-2}


def _legendre_step(k, x, p, q, r):
    return r(r((2 * k - 1) * x) * q - r((k - 1) * p)) / k              # k P_k = (2k-1) x P_{k-1} - (k-1) P_{k-2}


def _to_f32(v):
    """Round to float32 (kept in a float64 array): a float32 product is exact in float64, so a step computed in
    float64 and rounded once equals PyTorch's float32 fused multiply-add."""
    return v.astype(np.float32).astype(np.float64)


def _same(v):
    return v


def _polynomial(poly):
    name = poly.name

    def fn(x, n, *, out=None):
        xt, nt = isinstance(x, Tensor), isinstance(n, Tensor)
        if not (xt or nt) or not (xt or isinstance(x, _NUMBERS)) or not (nt or isinstance(n, _NUMBERS)):
            raise TypeError(
                f"special_{name}() received an invalid combination of arguments - got ({type(x).__name__}, "
                f"{type(n).__name__}), but expected one of:\n * (Tensor x, Tensor n, *, Tensor out = None)\n"
                " * (Number x, Tensor n, *, Tensor out = None)\n * (Tensor x, Number n, *, Tensor out = None)\n")
        xa = x._data if xt else x.item() if isinstance(x, (np.number, np.bool_)) else x
        na = n._data if nt else n.item() if isinstance(n, (np.number, np.bool_)) else n
        dtype = D.result_type_of(xa, na)              # PyTorch's promotion; integers give the default float
        if not (dtype.is_floating_point or dtype.is_complex):
            dtype = D.get_default_dtype()
        like = x if xt else n
        _refuse(name, dtype, like.is_cuda)
        xp = xp_of(like._data)
        xa, na = xp.asarray(xa).astype(dtype.np), xp.asarray(na).astype(dtype.np)
        try:
            shape = np.broadcast_shapes(xa.shape, na.shape)
        except ValueError:
            raise broadcast_error(name, xa.shape, na.shape) from None
        xf = xp.broadcast_to(xa, shape).reshape(-1).astype(np.float64)
        nf = xp.broadcast_to(na, shape).reshape(-1).astype(np.float64)
        # n (in the common dtype) is truncated to an integer; NaN, inf and values beyond int64 convert to
        # int64's minimum on x86, which is negative and so gives 0
        with np.errstate(invalid="ignore"):
            ni = xp.where(xp.isfinite(nf) & (xp.abs(nf) < 2.0 ** 63), xp.trunc(nf), -1.0).astype(np.int64)
        r = _same if dtype is D.float64 else _to_f32
        return _result(poly(xf, ni, xp, r), shape, dtype, out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"``torch.special.{name}(x, n, *, out=None)``: {poly.doc} of degree n at x, element-wise.\n\n"
                  "``x`` and ``n`` broadcast, and either may be a number; n is truncated to an integer and n < 0 "
                  "gives 0. Not differentiable (the result never requires grad).")
    return fn


chebyshev_polynomial_t = _polynomial(_chebyshev("t", shifted=False))
chebyshev_polynomial_u = _polynomial(_chebyshev("u", shifted=False))
chebyshev_polynomial_v = _polynomial(_chebyshev("v", shifted=False))
chebyshev_polynomial_w = _polynomial(_chebyshev("w", shifted=False))
shifted_chebyshev_polynomial_t = _polynomial(_chebyshev("t", shifted=True))
shifted_chebyshev_polynomial_u = _polynomial(_chebyshev("u", shifted=True))
shifted_chebyshev_polynomial_v = _polynomial(_chebyshev("v", shifted=True))
shifted_chebyshev_polynomial_w = _polynomial(_chebyshev("w", shifted=True))
hermite_polynomial_h = _polynomial(_Poly("hermite_polynomial_h", _no_specials, lambda x, r: r(x + x), _hermite_h_step,
                                         "the physicists' Hermite polynomial H"))
hermite_polynomial_he = _polynomial(_Poly("hermite_polynomial_he", _no_specials, lambda x, r: x, _hermite_he_step,
                                          "the probabilists' Hermite polynomial He"))
laguerre_polynomial_l = _polynomial(_Poly("laguerre_polynomial_l", _laguerre_specials, lambda x, r: r(1 - x),
                                          _laguerre_step, "the Laguerre polynomial L"))
legendre_polynomial_p = _polynomial(_Poly("legendre_polynomial_p", _legendre_specials, lambda x, r: x,
                                          _legendre_step, "the Legendre polynomial P"))

# the names ember.special exports (torch.special has no top-level or Tensor-method forms of these)
SPECIAL_NAMES = ["airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0",
                 "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1", "scaled_modified_bessel_k0",
                 "scaled_modified_bessel_k1", "spherical_bessel_j0", "chebyshev_polynomial_t",
                 "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w",
                 "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
                 "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
                 "laguerre_polynomial_l", "legendre_polynomial_p"]
