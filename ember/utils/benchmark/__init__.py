"""``torch.utils.benchmark``: time statements (``Timer``), summarise the times (``Measurement``) and print
many of them side by side (``Compare``), on Python's ``timeit``.

Left out: the C++ and Callgrind timers (they need libtorch and Valgrind) and the input fuzzers.
"""
from .utils.common import Measurement, TaskSpec, ordered_unique, select_unit, set_torch_threads, trim_sigfig, \
    unit_to_english
from .utils.compare import Colorize, Compare
from .utils.timer import Language, Timer, timer

__all__ = ["Timer", "timer", "Language", "Measurement", "TaskSpec", "Compare", "Colorize", "select_unit",
           "unit_to_english", "trim_sigfig", "ordered_unique", "set_torch_threads"]
