"""``ember.version`` (``torch.version``): Ember's version, and what it was built against.

``__version__`` is a ``TorchVersion``: a ``str`` that compares as a version with strings and tuples, so
checks such as ``torch.__version__ >= "2.0"`` or ``torch.__version__ < (1, 12)`` compare release numbers
rather than characters (``"0.10" > "0.9"``). ``cuda`` is the CUDA runtime CuPy uses (None without a GPU),
``git_version`` the commit of an Ember checkout ("Unknown" otherwise); Ember has no debug or ROCm builds.
"""
import os
import re

__all__ = ["__version__", "ember_version", "TorchVersion", "cuda", "git_version", "debug", "hip"]

_VERSION_RE = re.compile(r"^v?(\d+(?:\.\d+)*)(?:[-_.]?(a|b|rc)(\d*))?(?:[-_.]?post(\d*))?(?:[-_.]?dev(\d*))?"
                         r"(?:\+([0-9A-Za-z.]+))?$", re.IGNORECASE)
_STAGES = {"a": 0, "b": 1, "rc": 2}


def _version_key(text):
    """A sort key for a PEP 440 version (release, pre-release, post, dev, local); None if ``text`` is not one."""
    m = _VERSION_RE.match(text.strip())
    if m is None:
        return None
    release, stage, pre_n, post, dev, local = m.groups()
    nums = [int(p) for p in release.split(".")]
    while len(nums) > 1 and nums[-1] == 0:          # 2.0 == 2.0.0
        nums.pop()
    # a final release sorts after its pre-releases; a dev release before everything else of that version
    pre = (_STAGES[stage.lower()], int(pre_n or 0)) if stage else ((-1, 0) if dev is not None and post is None
                                                                     else (3, 0))
    return (tuple(nums), pre, -1 if post is None else int(post or 0),
            float("inf") if dev is None else int(dev or 0), local or "")


class TorchVersion(str):
    """A version string comparable with other version strings and with tuples of ints (``(2, 0)``)."""

    def _keys(self, other):
        if isinstance(other, (tuple, list)):
            other = ".".join(str(p) for p in other)
        elif not isinstance(other, str):
            return None
        mine, theirs = _version_key(self), _version_key(other)
        if mine is None or theirs is None:
            return str(self), str(other)            # not versions: plain string order, as PyTorch
        return mine, theirs

    def _compare(op, symbol):
        def method(self, other):
            keys = self._keys(other)
            if keys is None:
                if symbol in ("==", "!="):
                    return symbol == "!="
                raise TypeError(f"'{symbol}' not supported between instances of '{type(self).__name__}' and "
                                f"'{type(other).__name__}'")
            return op(*keys)
        return method

    __lt__ = _compare(lambda a, b: a < b, "<")
    __le__ = _compare(lambda a, b: a <= b, "<=")
    __gt__ = _compare(lambda a, b: a > b, ">")
    __ge__ = _compare(lambda a, b: a >= b, ">=")
    __eq__ = _compare(lambda a, b: a == b, "==")
    __ne__ = _compare(lambda a, b: a != b, "!=")
    __hash__ = str.__hash__
    del _compare


ember_version = "0.1.0"     # this package's own release (pyproject.toml)
# ``torch.__version__`` under ``python -m ember run``: the PyTorch release whose API and behaviour Ember follows,
# with Ember's release as the local label (as "2.13.0+cpu" names a build), so that version checks in scripts
# (``torch.__version__ >= "2.0"``) take the modern code paths Ember implements.
__version__ = TorchVersion(f"2.13.0+ember.{ember_version}")
debug = False
hip = None


def _cuda_version():
    """CuPy's CUDA runtime version as "12.4", or None when no GPU is usable."""
    from . import _backend
    cp = _backend.cupy_module()
    if cp is None:
        return None
    v = cp.cuda.runtime.runtimeGetVersion()         # e.g. 12040
    return f"{v // 1000}.{v % 1000 // 10}"


def _git_version():
    """The commit this checkout of Ember is at (read from .git without running git), else "Unknown"."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    git = os.path.join(root, ".git")
    try:
        if os.path.isfile(git):                     # a worktree: ".git" names the real directory
            with open(git) as f:
                git = os.path.join(root, f.read().split(":", 1)[1].strip())
        with open(os.path.join(git, "HEAD")) as f:
            head = f.read().strip()
        if not head.startswith("ref:"):
            return head
        ref = head[4:].strip()
        for base in (git, _common_dir(git)):
            path = os.path.join(base, ref)
            if os.path.isfile(path):
                with open(path) as f:
                    return f.read().strip()
            packed = os.path.join(base, "packed-refs")
            if os.path.isfile(packed):
                with open(packed) as f:
                    for line in f:
                        parts = line.split()
                        if len(parts) == 2 and parts[1] == ref:
                            return parts[0]
    except (OSError, IndexError):
        pass
    return "Unknown"


def _common_dir(git):
    try:
        with open(os.path.join(git, "commondir")) as f:
            return os.path.normpath(os.path.join(git, f.read().strip()))
    except OSError:
        return git


def __getattr__(name):
    # computed on first use: ``import ember`` reads no files and does not start CuPy for these
    if name == "cuda":
        value = _cuda_version()
    elif name == "git_version":
        value = _git_version()
    else:
        raise AttributeError(f"module 'ember.version' has no attribute '{name}'")
    globals()[name] = value
    return value
