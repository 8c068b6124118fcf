"""``torch.backends.cpu``: the CPU's vector instruction set, as PyTorch names it."""
import os
import platform

__all__ = ["get_cpu_capability"]


def _cpu_features():
    """NumPy's run-time CPU feature detection ({'AVX2': True, ...}); empty if this NumPy does not expose it."""
    for path in ("numpy._core._multiarray_umath", "numpy.core._multiarray_umath"):
        try:
            module = __import__(path, fromlist=["__cpu_features__"])
            return dict(module.__cpu_features__)
        except (ImportError, AttributeError):
            continue
    return {}


def get_cpu_capability():
    """The vector capability PyTorch's kernels would use here: ``"AVX512"``, ``"AVX2"`` or ``"DEFAULT"`` on
    x86-64 (``"SVE256"``/``"DEFAULT"`` on ARM, ``"ZVECTOR"`` on s390x), read from the CPU's feature flags
    (NumPy's detection of them). As in PyTorch, ``ATEN_CPU_CAPABILITY`` (``default``, ``avx2``, ``avx512`` ...
    in lower case) overrides the detection."""
    feats = _cpu_features()
    machine = platform.machine().lower()
    if machine in ("x86_64", "amd64", "i386", "i686"):
        names = ("default", "avx2", "avx512")
        found = "DEFAULT"
        if all(feats.get(k) for k in ("AVX2", "FMA3")):
            found = "AVX2"
            if all(feats.get(k) for k in ("AVX512F", "AVX512BW", "AVX512VL", "AVX512DQ")):
                found = "AVX512"
    elif machine in ("aarch64", "arm64"):
        names = ("default", "sve256")
        found = "SVE256" if feats.get("SVE") and _sve_bits() == 256 else "DEFAULT"
    elif machine == "s390x":
        names, found = ("default", "zvector"), "ZVECTOR"
    else:
        names, found = ("default",), "DEFAULT"
    wanted = os.environ.get("ATEN_CPU_CAPABILITY", "")
    return wanted.upper() if wanted in names else found


def _sve_bits():
    """The SVE vector length in bits (Linux exposes it per process), or 0 when unknown."""
    try:
        with open("/proc/sys/abi/sve_default_vector_length") as f:
            return int(f.read().strip()) * 8
    except (OSError, ValueError):
        return 0
