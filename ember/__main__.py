"""``python -m ember``: ``run`` an unmodified PyTorch script on Ember, or ``doctor`` the installation.

    python -m ember run script.py [args...]
    python -m ember run -m package.module [args...]
    python -m ember doctor
"""
import argparse
import os
import runpy
import sys


def _run(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    from . import compat
    compat.install()
    if argv[0] == "-m":
        if len(argv) < 2:
            print("ember run -m: missing module name", file=sys.stderr)
            return 2
        sys.argv = [argv[1]] + argv[2:]
        sys.path.insert(0, os.getcwd())
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        return 0
    script = argv[0]
    if not os.path.exists(script):
        print(f"ember run: can't open file '{script}': No such file or directory", file=sys.stderr)
        return 2
    sys.argv = list(argv)
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))   # sibling modules import as under python
    runpy.run_path(script, run_name="__main__")
    return 0


def _doctor():
    import importlib
    import platform

    import numpy as np

    import ember
    from . import _backend
    print(f"ember {ember.version.ember_version} (PyTorch {ember.__version__.split('+')[0]} API) on Python {platform.python_version()} ({platform.machine()}), NumPy {np.__version__}")
    for name, extra in (("PIL", "vision"), ("tqdm", "progress"), ("matplotlib", "plot"),
                        ("tensorboard", "tensorboard"), ("ml_dtypes", "bf16"), ("cupy", "cuda12")):
        try:
            mod = importlib.import_module(name)
            print(f"  {name:12s} {getattr(mod, '__version__', 'installed')}")
        except Exception as exc:  # report, never fail
            print(f"  {name:12s} missing ({type(exc).__name__}); pip install ember[{extra}]")
    try:
        import io
        buf = io.BytesIO()
        ember.save({"w": ember.ones(2)}, buf)
        buf.seek(0)
        ok = ember.load(buf)["w"].sum().item() == 2
        print(f"  PyTorch-compatible save/load: {'works' if ok else 'BROKEN'}")
    except Exception as exc:
        print(f"  PyTorch-compatible save/load: BROKEN ({type(exc).__name__}: {exc})")
    reason = _backend.cuda_unavailable_reason()
    if _backend.cupy_module() is not None:
        print(f"  GPU: usable ({ember.cuda.get_device_name(0)})")
    else:
        print(f"  GPU: not usable: {reason}")
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="ember", description="Ember: PyTorch's API on NumPy/CuPy")
    parser.add_argument("command", choices=["run", "doctor"], help="run a PyTorch script, or check the install")
    if not argv or argv[0] not in ("run", "doctor"):
        parser.print_help()
        return 2
    if argv[0] == "run":
        return _run(argv[1:])
    return _doctor()


if __name__ == "__main__":
    sys.exit(main())
