"""``ember.jit`` (``torch.jit``): TorchScript's decorators and entry points, run eagerly.

Ember has no TorchScript compiler. What TorchScript promises is that a scripted or traced function or module
computes what the Python code computes; in Ember it *is* the Python code:

* ``script(fn_or_module)`` returns it unchanged; ``trace(fn_or_module, example_inputs)`` runs it once on the
  example inputs (as tracing does, so bad inputs fail here) and returns it unchanged; ``freeze`` checks for
  eval mode and returns the module.
* ``ignore``, ``unused``, ``export``, ``script_method`` are identity decorators; ``annotate(type, value)``
  returns ``value``; ``is_scripting()``/``is_tracing()`` are False; ``Final`` is ``typing.Final``.
* ``save``/``load`` raise RuntimeError: TorchScript archives (code plus weights, for C++ deployment) cannot
  be written or read. Save weights with ``torch.save(model.state_dict(), path)`` and rebuild the model in
  Python with ``model.load_state_dict(torch.load(path))``.

Nothing here makes code faster: the scripted module runs as the eager one does.
"""
import typing

from ..nn.modules.module import Module

__all__ = ["script", "trace", "trace_module", "freeze", "save", "load", "ignore", "unused", "export",
           "script_method", "annotate", "is_scripting", "is_tracing", "Final", "ScriptModule"]

Final = typing.Final


def script(obj, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    """Return ``obj`` (a function, ``nn.Module`` or class) itself: Ember runs it eagerly, which gives the results
    a TorchScript compilation of it would."""
    return obj


def _run_example(func, example_inputs, example_kwarg_inputs):
    if example_inputs is None:
        if not isinstance(example_kwarg_inputs, dict):
            raise RuntimeError("example_kwarg_inputs should be a dict")
        return func(**example_kwarg_inputs)
    args = example_inputs if isinstance(example_inputs, tuple) else (example_inputs,)
    return func(*args)


def trace(func, example_inputs=None, optimize=None, check_trace=True, check_inputs=None, check_tolerance=1e-05,
          strict=True, _force_outplace=False, _module_class=None, _compilation_unit=None, example_kwarg_inputs=None,
          _store_inputs=True):
    """Run ``func`` once on ``example_inputs`` (a tuple of positional arguments, or one tensor) or
    ``example_kwarg_inputs`` (a dict), as tracing does, and return ``func`` itself to be called eagerly. Unlike a
    real trace, data-dependent control flow keeps working for other inputs."""
    _run_example(func, example_inputs, example_kwarg_inputs)
    return func


def trace_module(mod, inputs, optimize=None, check_trace=True, check_inputs=None, check_tolerance=1e-05,
                 strict=True, _force_outplace=False, _module_class=None, _compilation_unit=None,
                 example_inputs_is_kwarg=False, _store_inputs=True):
    """``trace`` for several methods: ``inputs`` maps method names to their example inputs; each method runs
    once on them; returns ``mod``."""
    if not isinstance(mod, Module):
        raise AttributeError("expected torch.nn.Module as the first argument")
    if not isinstance(inputs, dict):
        raise AttributeError("expected a dictionary of (method_name, input) pairs")
    for name, example in inputs.items():
        method = getattr(mod, name)
        if example_inputs_is_kwarg:
            _run_example(method, None, example)
        else:
            _run_example(method, example, None)
    return mod


def freeze(mod, preserved_attrs=None, optimize_numerics=True):
    """Return ``mod`` (its parameters already act as constants when run under ``no_grad``); as in PyTorch it
    must be in eval mode."""
    if mod.training:
        raise RuntimeError("Freezing is currently only implemented for modules in eval mode. Please call .eval() "
                           "on your module before freezing.")
    return mod


_NO_ARCHIVES = ("TorchScript archives are not supported by Ember (it has no TorchScript compiler or runtime): "
                "save the weights with torch.save(model.state_dict(), path) and load them into the model built in "
                "Python with model.load_state_dict(torch.load(path))")


def save(m, f, _extra_files=None):
    raise RuntimeError(f"torch.jit.save: {_NO_ARCHIVES}.")


def load(f, map_location=None, _extra_files=None, _restore_shapes=False):
    raise RuntimeError(f"torch.jit.load({f!r}): {_NO_ARCHIVES}. A .pt file written by torch.jit.save holds "
                       "TorchScript code, which Ember cannot run.")


def ignore(drop=False, **kwargs):
    """``@torch.jit.ignore`` or ``@torch.jit.ignore(drop=True)``: leave the function to Python (it always is)."""
    if callable(drop):
        return drop
    return lambda fn: fn


def unused(fn):
    """``@torch.jit.unused``: the method stays callable from Python (eager code never skips it)."""
    return fn


def export(fn):
    """``@torch.jit.export``: compile this method too; a no-op when running eagerly."""
    return fn


script_method = export


def annotate(the_type, the_value):
    """Give ``the_value`` a type for the TorchScript compiler: returns ``the_value``."""
    return the_value


def is_scripting():
    """False: code never runs under TorchScript in Ember."""
    return False


def is_tracing():
    """False: ``trace`` runs the function as ordinary Python."""
    return False


class ScriptModule(Module):
    """Base class of the old ``torch.jit.ScriptModule`` API (with ``@script_method``): an ``nn.Module`` that
    runs eagerly."""
