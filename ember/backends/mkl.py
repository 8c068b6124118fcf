"""``torch.backends.mkl``: whether Intel MKL does the BLAS work (NumPy's BLAS library decides it for Ember)."""

__all__ = ["is_available"]


def _numpy_blas():
    """NumPy's BLAS build description (name and configuration), lower-cased; '' when NumPy does not say."""
    try:
        import numpy as np
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    except Exception:  # older NumPy without mode="dicts"
        return ""
    return " ".join(str(blas.get(k, "")) for k in ("name", "openblas configuration")).lower()


def is_available():
    """True when NumPy's BLAS (which runs Ember's matrix products on the CPU) is MKL."""
    return "mkl" in _numpy_blas()
