"""``torch.autograd.anomaly_mode``: a backward that produces NaN raises, naming the forward op (and its stack)."""
import warnings

from .function import AnomalyMode

__all__ = ["detect_anomaly", "set_detect_anomaly"]


class set_detect_anomaly:
    """Anomaly detection on (``mode=True``) or off for the block, or from the call on when not used as one."""

    def __init__(self, mode, check_nan=True):
        self.prev = (AnomalyMode.enabled, AnomalyMode.check_nan)
        AnomalyMode.enabled = bool(mode)
        AnomalyMode.check_nan = bool(check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        AnomalyMode.enabled, AnomalyMode.check_nan = self.prev


class detect_anomaly(set_detect_anomaly):
    def __init__(self, check_nan=True):
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should "
                      "only be enabled for debugging.", UserWarning, stacklevel=2)
        super().__init__(True, check_nan)


def is_anomaly_enabled():
    return AnomalyMode.enabled
