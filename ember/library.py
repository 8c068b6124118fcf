"""``ember.library`` (``torch.library``): user-defined operators, callable as ``torch.ops.<ns>.<name>``.

Two ways to make one, as in PyTorch:

* the Python custom-op API: ``@custom_op("mylib::my_op", mutates_args=())`` on a type-annotated function
  (its schema is inferred), then ``my_op.register_fake``, ``my_op.register_autograd(backward,
  setup_context=...)``, ``my_op.register_kernel("cuda")``; ``opcheck`` tests the registrations;
* the older API: ``lib = Library("mylib", "DEF")``, ``lib.define("foo(Tensor x, float a=1.) -> Tensor")``,
  ``lib.impl("foo", fn, "CPU")`` (also ``torch.library.define``/``impl``).

An op is a set of kernels keyed by PyTorch's dispatch keys. Ember picks one per call:

1. ``Autograd``/``AutogradCPU``/``AutogradCUDA`` (what ``register_autograd`` makes) when grad mode is on
   and a tensor argument requires grad;
2. ``CompositeImplicitAutograd`` (a kernel made of differentiable tensor ops, its graph recorded as usual);
3. the backend kernel for the tensors' device (``CPU``/``CUDA``), else ``CompositeExplicitAutograd``.
   A backend kernel running on inputs that require grad gets PyTorch's warning when backward reaches it.

``Meta`` kernels (``register_fake``) describe outputs without computing them; Ember has no meta/fake
tensors, so ``opcheck`` is what runs them (on real tensors) and compares their output metadata with the
real kernel's. Arguments are bound and type-checked against the schema with PyTorch's error messages.

``torch.ops.<ns>`` resolves through ``ember.ops.namespaces``, which this module fills.
"""
import ast
import collections.abc
import contextlib
import functools
import inspect
import typing
import warnings
import weakref

from . import _device
from . import _dtype as D
from . import ops as _ops
from ._tensor import Tensor
from .autograd.function import Function
from .autograd.grad_mode import GradMode, no_grad

__all__ = ["Library", "define", "impl", "impl_abstract", "register_fake", "register_autograd", "register_kernel",
           "custom_op", "infer_schema", "opcheck", "CustomOpDef"]


# ============================================================================ schemas
_BASE_TYPES = ("Tensor", "int", "SymInt", "float", "bool", "str", "Scalar", "ScalarType", "Device", "Layout",
               "MemoryFormat", "Generator", "complex")


class Argument:
    """One schema argument: ``type`` (``'Tensor?'``, ``'int[]'``, ...), ``name``, default, keyword-only flag,
    and whether the op writes to it (``Tensor(a!)``)."""

    def __init__(self, name, base, is_list, optional, alias, default_text, kwarg_only, list_size=None,
                 elem_optional=False):
        self.name, self.base, self.is_list, self.optional = name, base, is_list, optional
        self.alias, self.default_text, self.kwarg_only = alias, default_text, kwarg_only
        self.list_size, self.elem_optional = list_size, elem_optional
        self.has_default = default_text is not None
        self.default_value = _parse_default(default_text, self) if self.has_default else None

    @property
    def is_write(self):
        return self.alias is not None and self.alias.endswith("!")

    @property
    def type(self):
        """The type as the schema writes it, without alias annotation."""
        t = self.base + ("?" if self.elem_optional else "")
        if self.is_list:
            t += f"[{self.list_size or ''}]"
        return t + ("?" if self.optional else "")

    @property
    def is_tensor_like(self):
        return self.base == "Tensor"

    def __str__(self):
        t = self.base + (f"({self.alias})" if self.alias else "") + ("?" if self.elem_optional else "")
        if self.is_list:
            t += f"[{self.list_size or ''}]"
        t += "?" if self.optional else ""
        out = f"{t} {self.name}" if self.name else t
        return out + (f"={_default_str(self.default_value, self)}" if self.has_default else "")


class FunctionSchema:
    """A parsed operator schema (``ns::name.overload(Tensor x, *, int k=2) -> Tensor``)."""

    def __init__(self, name, overload_name, arguments, returns):
        self.name, self.overload_name, self.arguments, self.returns = name, overload_name, arguments, returns

    def __str__(self):
        parts, star = [], False
        for a in self.arguments:
            if a.kwarg_only and not star:
                parts.append("*")
                star = True
            parts.append(str(a))
        name = self.name + (f".{self.overload_name}" if self.overload_name else "")
        if len(self.returns) == 1 and not self.returns[0].name and self.returns[0].base != "()":
            rets = str(self.returns[0])
        else:
            rets = "(" + ", ".join(str(r) for r in self.returns) + ")"
        return f"{name}({', '.join(parts)}) -> {rets}"

    __repr__ = __str__


class _SchemaParser:
    """Recursive descent over PyTorch's schema language (the subset user ops use)."""

    def __init__(self, text):
        self.text, self.pos = text, 0

    def fail(self, msg):
        raise RuntimeError(f"{msg}:\n{self.text}\n{' ' * self.pos}~ <--- HERE")

    def skip(self):
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self, s):
        self.skip()
        return self.text.startswith(s, self.pos)

    def expect(self, s):
        if not self.peek(s):
            found = self.text[self.pos:self.pos + 2] or "eof"
            self.fail(f"expected {s} but found '{found}' here")
        self.pos += len(s)

    def ident(self):
        self.skip()
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] == "_"):
            self.pos += 1
        return self.text[start:self.pos]

    def type_(self):
        start = self.pos
        base = self.ident()
        if base not in _BASE_TYPES:
            self.pos = start
            self.skip()
            self.fail("unknown type specifier. Common valid schema types include Tensor, SymInt, int, float, bool, "
                      "Scalar")
        alias = None
        if self.peek("("):
            self.expect("(")
            end = self.text.index(")", self.pos)
            alias = self.text[self.pos:end].strip()
            self.pos = end + 1
        elem_optional = is_list = False
        list_size = None
        if self.peek("?") and self.text[self.pos + 1:].lstrip().startswith("["):
            self.expect("?")
            elem_optional = True
        if self.peek("["):
            self.expect("[")
            size = self.ident()
            list_size = int(size) if size else None
            self.expect("]")
            is_list = True
        optional = False
        if self.peek("?"):
            self.expect("?")
            optional = True
        return dict(base=base, alias=alias, is_list=is_list, optional=optional, list_size=list_size,
                    elem_optional=elem_optional)

    def default(self):
        """The default's text, up to the next top-level ',' or ')'."""
        self.skip()
        start, depth, quote = self.pos, 0, None
        while self.pos < len(self.text):
            c = self.text[self.pos]
            if quote:
                quote = None if c == quote else quote
            elif c in "\"'":
                quote = c
            elif c == "[":
                depth += 1
            elif c == "]":
                depth -= 1
            elif c in ",)" and depth == 0:
                break
            self.pos += 1
        return self.text[start:self.pos].strip()

    def argument(self, kwarg_only):
        t = self.type_()
        name = self.ident()
        if not name:
            self.fail("expected an argument name")
        default_text = None
        if self.peek("="):
            self.expect("=")
            default_text = self.default()
        return Argument(name, t["base"], t["is_list"], t["optional"], t["alias"], default_text, kwarg_only,
                        t["list_size"], t["elem_optional"])

    def returns(self):
        if self.peek("("):
            self.expect("(")
            rets = []
            while not self.peek(")"):
                if rets:
                    self.expect(",")
                t = self.type_()
                name = self.ident() if not self.peek(",") and not self.peek(")") else ""
                rets.append(Argument(name, t["base"], t["is_list"], t["optional"], t["alias"], None, False,
                                     t["list_size"], t["elem_optional"]))
            self.expect(")")
            return rets
        t = self.type_()
        return [Argument("", t["base"], t["is_list"], t["optional"], t["alias"], None, False, t["list_size"],
                         t["elem_optional"])]

    def schema(self):
        self.skip()
        full = ""
        while not self.peek("(") and self.pos < len(self.text):
            full += self.text[self.pos]
            self.pos += 1
        full = full.strip()
        name, _, overload = full.partition(".")             # [ns::]name[.overload]
        parts = name.split("::")
        if len(parts) > 2 or not all(p.isidentifier() for p in parts) or (overload and not overload.isidentifier()):
            self.pos = 0
            self.fail(f"invalid operator name '{full}'")
        self.expect("(")
        args, kwarg_only = [], False
        while not self.peek(")"):
            if args or kwarg_only:
                self.expect(",")
            if self.peek("*"):
                self.expect("*")
                kwarg_only = True
                continue
            args.append(self.argument(kwarg_only))
        self.expect(")")
        self.expect("->")
        rets = self.returns()
        self.skip()
        if self.pos != len(self.text):
            self.fail("expected eof")
        return FunctionSchema(name, overload, args, rets)


def _parse_default(text, arg):
    """A default's Python value (``None``, bools, numbers, strings, lists; a scalar for ``int[N]`` repeats)."""
    t = text.strip()
    if t in ("inf", "-inf", "nan"):
        return float(t)
    try:
        value = ast.literal_eval(t)
    except (ValueError, SyntaxError):
        raise RuntimeError(f"unsupported default value '{text}' for argument '{arg.name}' (Ember takes None, "
                           "True/False, numbers, strings and lists of them)") from None
    if arg.is_list and arg.list_size and isinstance(value, (int, float)) and not isinstance(value, bool):
        return [value] * arg.list_size
    return value


def _default_str(value, arg=None):
    """A default as PyTorch prints schemas: floats with 17 significant digits and a trailing '.' when
    integral (``1.``, ``0.10000000000000001``), strings in double quotes, equal ``int[N]`` entries once."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        text = "%.17g" % value
        text = "0" if text == "-0" else text
        return text if any(c in text for c in ".en") else text + "."
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        if arg is not None and arg.list_size and value and all(v == value[0] for v in value):
            return _default_str(value[0])
        return "[" + ", ".join(_default_str(v) for v in value) + "]"
    return str(value)


def parse_schema(text):
    """``FunctionSchema`` of a schema string; RuntimeError (pointing at the problem) when it does not parse."""
    return _SchemaParser(text).schema()


# ============================================================================ infer_schema
def _annotation_table():
    from .types import Number
    tensor_list = (typing.Sequence[Tensor], typing.List[Tensor], collections.abc.Sequence[Tensor], list[Tensor])
    opt_tensor_list = (typing.Sequence[typing.Optional[Tensor]], typing.List[typing.Optional[Tensor]],
                       collections.abc.Sequence[typing.Optional[Tensor]], list[typing.Optional[Tensor]])
    table = {Tensor: "Tensor", typing.Optional[Tensor]: "Tensor?"}
    table.update({t: "Tensor[]" for t in tensor_list})
    table.update({t: "Tensor?[]" for t in opt_tensor_list})
    for py, name in ((int, "SymInt"), (float, "float"), (bool, "bool"), (Number, "Scalar")):
        table[py] = name
        table[typing.Optional[py]] = name + "?"
        for seq in (typing.Sequence[py], typing.List[py], collections.abc.Sequence[py], list[py]):
            table[seq] = name + "[]"
            table[typing.Optional[seq]] = name + "[]?"
    table.update({str: "str", typing.Optional[str]: "str?", D.dtype: "ScalarType",
                  typing.Optional[D.dtype]: "ScalarType?", _device.device: "Device",
                  typing.Optional[_device.device]: "Device?"})
    return table


def _return_type(annotation, fail):
    if annotation is None or annotation is type(None):
        return "()"
    origin = typing.get_origin(annotation)
    if origin is tuple:
        return "(" + ", ".join(_return_type(a, fail) for a in typing.get_args(annotation)) + ")"
    simple = {Tensor: "Tensor", int: "SymInt", float: "float", bool: "bool"}
    if annotation in simple:
        return simple[annotation]
    if origin in (list, collections.abc.Sequence) and typing.get_args(annotation) == (Tensor,):
        return "Tensor[]"
    fail(f"Return has unsupported type {annotation}. The valid types are: Tensor, List[Tensor], int, float, bool, "
         "None and tuples of them.")


def _default_text(value, fail, name):
    if value is None or isinstance(value, (bool, int)):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return f'"{value}"'
    fail(f"Parameter {name} has an unsupported default value {value!r}.")


def infer_schema(prototype_function, /, *, mutates_args, op_name=None, tags=()):
    """The schema string of a type-annotated function (``'(Tensor x, SymInt n=1) -> Tensor'``), with
    ``Tensor(a<i>!)`` on the arguments named in ``mutates_args`` (every tensor one for ``"unknown"``)."""
    sig = inspect.signature(prototype_function)

    def fail(what):
        raise ValueError(f"infer_schema(func): {what} Got func with signature {sig})")

    def resolve(ann):
        if isinstance(ann, str):        # from __future__ import annotations
            return eval(ann, getattr(prototype_function, "__globals__", {}))  # noqa: S307 - the function's own
        return ann

    table = _annotation_table()
    params, seen_kwonly, names = [], False, set()
    for i, (name, p) in enumerate(sig.parameters.items()):
        if p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            fail("We do not support positional-only args, varargs, or varkwargs.")
        if p.annotation is inspect.Parameter.empty:
            fail(f"Parameter {name} must have a type annotation.")
        ann = resolve(p.annotation)
        if ann not in table:
            fail(f"Parameter {name} has unsupported type {ann}. The valid types are: Tensor, Optional[Tensor], "
                 "Sequence[Tensor], Sequence[Optional[Tensor]], int, float, bool, str, torch.types.Number, "
                 "torch.dtype, torch.device, and Optional[...]/Sequence[...] of the scalar types.")
        schema_type = table[ann]
        mutated = mutates_args == "unknown" and schema_type.startswith("Tensor") or \
            mutates_args != "unknown" and name in mutates_args
        if mutated:
            if not schema_type.startswith("Tensor"):
                fail(f"Parameter {name} is in mutable_args but only Tensors or collections of Tensors can be "
                     "mutated")
            schema_type = f"Tensor(a{i}!)" + schema_type[len("Tensor"):]
        if p.kind == p.KEYWORD_ONLY and not seen_kwonly:
            params.append("*")
            seen_kwonly = True
        text = f"{schema_type} {name}"
        if p.default is not inspect.Parameter.empty:
            text += "=" + _default_text(p.default, fail, name)
        params.append(text)
        names.add(name)
    if mutates_args != "unknown":
        missing = set(mutates_args) - names
        if missing:
            fail(f"{missing} in mutates_args were not found in the custom op's signature. mutates_args should "
                 "contain the names of all args that the custom op mutates, or just the string 'unknown' if you "
                 "don't know.")
    if sig.return_annotation is inspect.Signature.empty:
        fail("No return type annotation was provided. Please add one.")
    rets = _return_type(resolve(sig.return_annotation), fail)
    return f"{op_name or ''}({', '.join(params)}) -> {rets}"


# ============================================================================ registry and calling
_KEYS = ("CPU", "CUDA", "Meta", "CompositeImplicitAutograd", "CompositeExplicitAutograd", "Autograd", "AutogradCPU",
         "AutogradCUDA")
# Keys PyTorch has that Ember cannot dispatch to (named in the error instead of "could not parse").
_OTHER_KEYS = ("XLA", "MPS", "XPU", "HPU", "Lazy", "IPU", "MTIA", "PrivateUse1", "AutogradXLA", "AutogradMPS",
               "AutogradXPU", "AutogradOther", "AutogradLazy", "AutogradPrivateUse1", "Functionalize", "Python",
               "BackendSelect", "ADInplaceOrView", "AutocastCPU", "AutocastCUDA", "FuncTorchBatched",
               "CompositeExplicitAutogradNonFunctional", "Undefined", "Conjugate", "Negative", "ZeroTensor",
               "SparseCPU", "SparseCUDA", "QuantizedCPU", "QuantizedCUDA", "Tracer", "Batched", "VmapMode")
_DEVICE_KEYS = {"cpu": "CPU", "cuda": "CUDA", "meta": "Meta"}
_RESERVED = ("aten", "prim", "prims")

_NO_AUTOGRAD_WARNING = ("{op}: an autograd kernel was not registered to the Autograd key(s) but we are trying to "
                        "backprop through it. This may lead to silently incorrect behavior. This behavior is "
                        "deprecated and will be removed in a future version of PyTorch. If your operator is "
                        "differentiable, please ensure you have registered an autograd kernel to the correct "
                        "Autograd key (e.g. DispatchKey::Autograd, DispatchKey::CompositeImplicitAutograd). If your "
                        "operator is not differentiable, or to squash this warning and use the previous behavior, "
                        "please register torch::CppFunction::makeFallthrough() to DispatchKey::Autograd.")


def _check_key(key):
    if key in _KEYS:
        return key
    if key in _OTHER_KEYS:
        raise RuntimeError(f"Ember dispatches custom ops through the {', '.join(_KEYS)} keys only; it cannot run a "
                           f"kernel registered for '{key}'")
    raise RuntimeError(f"could not parse dispatch key: {key}")


def _device_key(device_type):
    """Dispatch key of a device type ('cpu' -> 'CPU'); 'default' -> 'CompositeExplicitAutograd'."""
    if device_type == "default":
        return "CompositeExplicitAutograd"
    kind = _device.device(device_type).type      # PyTorch's error for names that are no device type
    return _DEVICE_KEYS[kind]


def _type_name(arg):
    """The type as PyTorch's argument errors spell it (``List[int]``, ``Optional[Tensor]``, ``number``)."""
    base = {"SymInt": "int", "Scalar": "number", "ScalarType": "int"}.get(arg.base, arg.base)
    if arg.is_list:
        base = f"List[{'Optional[' + base + ']' if arg.elem_optional else base}]"
    return f"Optional[{base}]" if arg.optional else base


def _is_int(v):
    return isinstance(v, int) or (isinstance(v, Tensor) and v.dim() == 0 and not v.is_floating_point()
                                  and not v.is_complex())


def _scalar_ok(base, v):
    """Whether ``v`` is accepted for one element of schema type ``base`` (PyTorch's conversions)."""
    if base == "Tensor":
        return isinstance(v, Tensor)
    if base in ("int", "SymInt"):
        return _is_int(v)
    if base == "float":
        return isinstance(v, (int, float)) or (isinstance(v, Tensor) and v.dim() == 0)
    if base == "bool":
        return isinstance(v, int)
    if base == "complex":
        return isinstance(v, (int, float, complex))
    if base == "Scalar":
        return isinstance(v, (int, float, complex)) or (isinstance(v, Tensor) and v.dim() == 0)
    if base == "str":
        return isinstance(v, str)
    if base == "ScalarType":
        return isinstance(v, D.dtype)
    if base == "Device":
        return isinstance(v, (_device.device, str))
    return True                          # Layout, MemoryFormat, Generator: passed through


def _value_ok(arg, v):
    if v is None:
        return arg.optional
    if arg.is_list:
        if isinstance(v, (list, tuple)):
            return all((e is None and arg.elem_optional) or _scalar_ok(arg.base, e) for e in v)
        return arg.list_size is not None and arg.base != "Tensor" and _scalar_ok(arg.base, v)
    return _scalar_ok(arg.base, v)


def _tensors_in(values):
    for v in values:
        if isinstance(v, Tensor):
            yield v
        elif isinstance(v, (list, tuple)):
            yield from (e for e in v if isinstance(e, Tensor))


class OpOverload:
    """One overload of an operator (``torch.ops.mylib.foo.default``): its schema and kernels."""

    def __init__(self, packet, schema):
        self._packet, self._schema = packet, schema
        self._overloadname = schema.overload_name or "default"
        self._opname = packet._opname
        self.namespace = packet._namespace
        self.__name__ = f"{self._opname}.{self._overloadname}"
        self._kernels = {}              # dispatch key -> kernel
        self._autograd_info = None      # (backward, setup_context) from register_autograd
        self._custom = None             # the CustomOpDef, for ops made by custom_op
        self._autograd_fn = None        # the generated autograd Function (made on first use)

    # -- names
    def name(self):
        return f"{self.namespace}::{self._opname}"

    def __repr__(self):
        return f"<OpOverload(op='{self.namespace}.{self._opname}', overload='{self._overloadname}')>"

    def __str__(self):
        return f"{self.namespace}.{self._opname}.{self._overloadname}"

    @property
    def _qualname(self):
        return f"{self.namespace}::{self._opname}"

    @property
    def overloadpacket(self):
        return self._packet

    # -- binding
    def _bind(self, args, kwargs):
        """Positional values (defaults filled) of the non-keyword-only arguments, and the keyword-only ones."""
        schema, decl = self._schema, str(self._schema)
        qual = self._qualname
        positional = [a for a in schema.arguments if not a.kwarg_only]
        names = {a.name for a in schema.arguments}
        if len(args) > len(positional) or any(k not in names for k in kwargs):
            if len(args) > len(positional) and len(positional) < len(schema.arguments):
                raise RuntimeError(f"{qual}() takes {len(positional)} positional argument(s) but {len(args)} "
                                   f"was/were given.  Declaration: {decl}")
            raise RuntimeError(f"{qual}() expected at most {len(schema.arguments)} argument(s) but received "
                               f"{len(args) + len(kwargs)} argument(s). Declaration: {decl}")
        values = dict(zip((a.name for a in positional), args))
        for k, v in kwargs.items():
            if k in values:
                raise RuntimeError(f"{qual}() got multiple values for argument '{k}'. Declaration: {decl}")
            values[k] = v
        for i, a in enumerate(schema.arguments):
            if a.name not in values:
                if not a.has_default:
                    raise RuntimeError(f"{qual}() is missing value for argument '{a.name}'. Declaration: {decl}")
                dv = a.default_value
                values[a.name] = list(dv) if isinstance(dv, list) else dv
            v = values[a.name]
            if not _value_ok(a, v):
                raise RuntimeError(f"{qual}() Expected a value of type '{_type_name(a)}' for argument '{a.name}' "
                                   f"but instead found type '{type(v).__name__}'.\nPosition: {i}\nValue: {v!r}\n"
                                   f"Declaration: {decl}")
        return ([values[a.name] for a in positional],
                {a.name: values[a.name] for a in schema.arguments if a.kwarg_only})

    def _device_type(self, args, kwargs):
        for t in _tensors_in(list(args) + list(kwargs.values())):
            return "cuda" if t.is_cuda else "cpu"
        for a, v in zip(self._schema.arguments, list(args) + list(kwargs.values())):
            if a.base == "Device" and v is not None:     # factory-style ops: the device argument decides
                return _device.device(v).type
        return "cpu"

    # -- calling
    def __call__(self, *args, **kwargs):
        args, kwargs = self._bind(args, kwargs)
        tensors = list(_tensors_in(list(args) + list(kwargs.values())))
        need_grad = GradMode.enabled and any(t._requires_grad for t in tensors)
        device = self._device_type(args, kwargs)
        k = self._kernels
        if need_grad:
            autograd = k.get("Autograd" + _DEVICE_KEYS[device]) or k.get("Autograd")
            if autograd is not None:
                return autograd(*args, **kwargs)
        if "CompositeImplicitAutograd" in k:
            return self._checked(k["CompositeImplicitAutograd"](*args, **kwargs))
        backend = k.get(_DEVICE_KEYS[device]) or k.get("CompositeExplicitAutograd")
        if backend is not None:
            out = self._checked(backend(*args, **kwargs))
            if need_grad:
                self._warn_on_backward(out)
            return out
        autograd = k.get("Autograd" + _DEVICE_KEYS[device]) or k.get("Autograd")
        if autograd is not None and self._custom is None:      # a user's Autograd kernel that computes itself
            return autograd(*args, **kwargs)
        raise self._no_kernel(_DEVICE_KEYS[device])

    def _no_kernel(self, key):
        have = sorted(k for k in self._kernels if k != "Meta") or ["no kernel at all"]
        return NotImplementedError(f"Could not run '{self._qualname}' with arguments from the '{key}' backend. "
                                   f"'{self._qualname}' is only available for these backends: [{', '.join(have)}]. "
                                   "Register a kernel with Library.impl / torch.library.impl / register_kernel.")

    def _checked(self, out):
        """The kernel's result, checked against the schema's returns."""
        rets = self._schema.returns
        if len(rets) == 1 and rets[0].base == "()" or not rets:
            if out is not None:
                raise RuntimeError(f"Expected the kernel of {self._qualname} to return None (its schema returns ()) "
                                   "but it returned something else instead.")
            return out
        if len(rets) > 1 and (not isinstance(out, (tuple, list)) or len(out) != len(rets)):
            raise RuntimeError(f"{self._qualname}: the kernel returned {type(out).__name__} but the schema returns "
                               f"{len(rets)} values ({self._schema})")
        for r, o in zip(rets, out if len(rets) > 1 else (out,)):
            if r.base == "Tensor" and not r.is_list and not (o is None and r.optional) and not isinstance(o, Tensor):
                raise RuntimeError(f"{self._qualname}: the kernel returned {type(o).__name__} where the schema "
                                   f"returns Tensor (Unable to cast {o!r} to Tensor)")
        return out

    def _warn_on_backward(self, out):
        """PyTorch's warning when backward reaches a backend kernel that has no autograd kernel."""
        outs = out if isinstance(out, (tuple, list)) else (out,)

        def hook(grad):
            warnings.warn(_NO_AUTOGRAD_WARNING.format(op=self._qualname), UserWarning, stacklevel=2)
        for o in outs:
            if isinstance(o, Tensor) and o._requires_grad:
                o.register_hook(hook)
                break

    def _backend(self, args, kwargs):
        """The kernel below autograd for these arguments (used by the generated autograd Function)."""
        device = _DEVICE_KEYS[self._device_type(args, kwargs)]
        k = self._kernels
        fn = k.get(device) or k.get("CompositeExplicitAutograd") or k.get("CompositeImplicitAutograd")
        if fn is None:
            raise self._no_kernel(device)
        return self._checked(fn(*args, **kwargs))

    # -- register_autograd support
    def _set_autograd(self, backward, setup_context):
        if any(a.is_write for a in self._schema.arguments):
            raise RuntimeError(f"Cannot register autograd formula for non-functional operator {self} with schema "
                               f"{self._schema}. Please create a functional operator and register an autograd "
                               "formula for that.")
        if not callable(backward):
            raise TypeError(f"register_autograd(): backward must be callable, got {type(backward).__name__}")
        if setup_context is not None and not callable(setup_context):
            raise TypeError(f"register_autograd(): setup_context must be callable, got "
                            f"{type(setup_context).__name__}")
        self._autograd_info = (backward, setup_context)
        self._kernels["Autograd"] = self._autograd_kernel

    def _autograd_kernel(self, *args, **kwargs):
        """Run the op through its generated autograd Function: the backend kernel forward (grad off), the
        registered ``setup_context`` and ``backward``."""
        if self._autograd_fn is None:
            self._autograd_fn = _generated_function(self)
        flat, spec = [], []
        for a in args:                  # tensor lists go in element by element, so each gets its gradient
            if isinstance(a, (list, tuple)) and any(isinstance(e, Tensor) for e in a):
                spec.append((type(a), len(a)))
                flat.extend(a)
            else:
                spec.append(None)
                flat.append(a)
        meta = _CallMeta(spec, kwargs)
        out = self._autograd_fn.apply(*flat, meta)
        return meta.rebuild_output(out if isinstance(out, tuple) else (out,))


class _CallMeta:
    """What the generated autograd Function needs besides the flat arguments (the last, non-tensor, one)."""

    def __init__(self, spec, kwargs):
        self.spec, self.kwargs = spec, kwargs
        self.out_kind = self.out_items = None

    def rebuild_args(self, flat):
        args, i = [], 0
        for s in self.spec:
            if s is None:
                args.append(flat[i])
                i += 1
            else:
                kind, n = s
                args.append(kind(flat[i:i + n]))
                i += n
        return args

    def flatten_output(self, out):
        """The output's tensors as a tuple (for the Function); the rest is kept to rebuild it."""
        if isinstance(out, (tuple, list)):
            self.out_kind, items = type(out), list(out)
        else:
            self.out_kind, items = None, [out]
        self.out_items = []
        tensors = []
        for o in items:
            if isinstance(o, (list, tuple)) and o and all(isinstance(e, Tensor) for e in o):
                self.out_items.append((type(o), len(o)))
                tensors.extend(o)
            elif isinstance(o, Tensor):
                self.out_items.append("T")
                tensors.append(o)
            else:
                self.out_items.append(("V", o))
        return tuple(tensors)

    def rebuild_output(self, tensors, as_grads=False):
        items, i = [], 0
        for s in self.out_items:
            if s == "T":
                items.append(tensors[i])
                i += 1
            elif s[0] == "V":
                if not as_grads:
                    items.append(s[1])
            else:
                kind, n = s
                items.append(kind(tensors[i:i + n]) if not as_grads else list(tensors[i:i + n]))
                i += n
        if as_grads:
            return items
        return items[0] if self.out_kind is None else self.out_kind(items)


def _generated_function(op):
    """The autograd Function behind ``register_autograd`` (node ``GeneratedBackwardFor_<ns>_<op>_<overload>``).
    It is applied to the flat arguments (tensor lists spread out, so each tensor gets its gradient) plus a
    ``_CallMeta`` last; forward runs the backend kernel and ``setup_context``, backward the user's ``backward``
    and checks what it returns as PyTorch does."""
    kw_only = any(a.kwarg_only for a in op._schema.arguments)
    n_inputs = sum(not a.kwarg_only for a in op._schema.arguments)

    def forward(ctx, *flat):
        meta = flat[-1]
        args = meta.rebuild_args(flat[:-1])
        out = op._backend(args, meta.kwargs)
        backward, setup_context = op._autograd_info
        if setup_context is not None:
            ctx.needs_input_grad = tuple(
                [isinstance(e, Tensor) and e._requires_grad for e in a] if isinstance(a, (list, tuple)) else
                isinstance(a, Tensor) and a._requires_grad for a in args)
            if kw_only:
                setup_context(ctx=ctx, inputs=tuple(args), keyword_only_inputs=dict(meta.kwargs), output=out)
            else:
                setup_context(ctx=ctx, inputs=tuple(args), output=out)
        ctx._call_meta = meta
        ctx._arg_is_tensor = [isinstance(a, Tensor) for a in args]
        return meta.flatten_output(out)

    def backward(ctx, *grads):
        meta, name = ctx._call_meta, type(ctx).__name__
        flat_needs = list(ctx.needs_input_grad) + [False] * (len(meta.spec) + 1)
        needs, i = [], 0
        for s in meta.spec:             # needs_input_grad per argument (a list for a tensor list), as PyTorch
            n = 1 if s is None else s[1]
            needs.append(flat_needs[i] if s is None else flat_needs[i:i + n])
            i += n
        prev, ctx.needs_input_grad = ctx.needs_input_grad, tuple(needs)
        try:
            result = op._autograd_info[0](ctx, *meta.rebuild_output(grads, as_grads=True))
        finally:
            ctx.needs_input_grad = prev
        result = result if isinstance(result, tuple) else (result,)
        if len(result) != n_inputs:
            raise RuntimeError(f"function {name} returned an incorrect number of gradients (expected {n_inputs}, "
                               f"got {len(result)})")
        flat = []
        for pos, (s, g) in enumerate(zip(meta.spec, result)):
            if s is not None:           # a tensor list: a list of gradients (or None for all)
                g = [None] * s[1] if g is None else list(g)
                if len(g) != s[1]:
                    raise RuntimeError(f"Expected the return from backward to be of the same structure as the "
                                       f"inputs: argument {pos} is a list of {s[1]} tensors, backward returned "
                                       f"{len(g)} gradients for it")
                flat.extend(g)
                continue
            if g is not None and not ctx._arg_is_tensor[pos]:
                raise RuntimeError(f"function {name} returned a gradient different than None at position {pos + 1}, "
                                   "but the corresponding forward input was not a Variable")
            flat.append(g)
        return (*flat, None)

    cls_name = f"GeneratedBackwardFor_{op.namespace}_{op._opname}_{op._overloadname}"
    return type(cls_name, (Function,), {"forward": staticmethod(forward), "backward": staticmethod(backward),
                                        "__module__": __name__})


def _no_autograd_backward(op):
    def backward(ctx, *grads):
        raise RuntimeError(f"Trying to backward through {op} but no autograd formula was registered. Please use "
                           "register_autograd to add one.")
    return backward


class OpOverloadPacket:
    """All overloads of one operator (``torch.ops.mylib.foo``); calling it picks the overload whose schema
    takes the arguments (the only one, usually ``.default``)."""

    def __init__(self, namespace, opname):
        self._namespace, self._opname = namespace, opname
        self.__name__ = opname
        self._overloads = {}

    @property
    def _qualified_op_name(self):
        return f"{self._namespace}::{self._opname}"

    def __repr__(self):
        return f"<OpOverloadPacket(op='{self._namespace}.{self._opname}')>"

    def __str__(self):
        return f"{self._namespace}.{self._opname}"

    def overloads(self):
        return list(self._overloads)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self._overloads[name]
        except KeyError:
            raise AttributeError(f"The underlying op of '{self}' has no overload name '{name}'") from None

    def __call__(self, *args, **kwargs):
        if len(self._overloads) == 1:
            return next(iter(self._overloads.values()))(*args, **kwargs)
        errors = []
        for overload in self._overloads.values():
            try:
                overload._bind(args, kwargs)
            except RuntimeError as exc:
                errors.append(f"{exc}\n\n")
                continue
            return overload(*args, **kwargs)
        raise RuntimeError("Overloaded torch operator invoked from Python failed to match any schema:\n" +
                           "".join(errors))


class _OpNamespace:
    """``torch.ops.<ns>``: the operators defined in one namespace."""

    def __init__(self, name):
        self._name = name
        self._packets = {}

    def __repr__(self):
        return f"<module 'torch.ops.{self._name}' from 'torch.ops'>"

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self._packets[name]
        except KeyError:
            raise AttributeError(f"'_OpNamespace' '{self._name}' object has no attribute '{name}'") from None

    def __dir__(self):
        return list(self._packets)


def _namespace(ns):
    space = _ops.namespaces.get(ns)
    if space is None:
        space = _ops.namespaces[ns] = _OpNamespace(ns)
    return space


def _lookup(qualname):
    """The OpOverload named ``'ns::name'`` or ``'ns::name.overload'`` (None when there is none)."""
    ns, _, rest = qualname.partition("::")
    name, _, overload = rest.partition(".")
    packet = _ops.namespaces.get(ns, _OpNamespace(ns))._packets.get(name)
    return None if packet is None else packet._overloads.get(overload or "default")


def _resolve(op, fn_name):
    """An OpOverload from a qualname string, an OpOverload/packet or a CustomOpDef."""
    if isinstance(op, CustomOpDef):
        return op._opoverload
    if isinstance(op, OpOverloadPacket):
        return op.default
    if isinstance(op, OpOverload):
        return op
    if not isinstance(op, str):
        raise TypeError(f"{fn_name}(op): expected op to be a str 'namespace::name', an OpOverload or a "
                        f"CustomOpDef, got {type(op).__name__}")
    if "::" not in op:
        raise ValueError(f"{fn_name}(op): expected a qualified name like 'mylib::my_op', got '{op}'")
    found = _lookup(op)
    if found is None:
        raise RuntimeError(f"operator {op} does not exist")
    return found


# ============================================================================ Library (the older API)
_def_libraries = {}     # namespace -> the live DEF Library (PyTorch allows one per namespace)
_keep_alive = []        # libraries made implicitly by torch.library.define/impl


class Library:
    """A block of registrations for namespace ``ns``: ``kind`` is ``"DEF"`` (defines the namespace's ops;
    one per namespace), ``"FRAGMENT"`` (defines more ops in it) or ``"IMPL"`` (only implements them).
    ``dispatch_key`` is the default key of ``impl``. Its definitions and kernels are removed when the
    Library is garbage-collected (or ``_destroy()`` is called), as PyTorch's are."""

    def __init__(self, ns, kind, dispatch_key=""):
        if kind not in ("IMPL", "DEF", "FRAGMENT"):
            raise ValueError(f"Unsupported kind: {kind}")
        if not isinstance(ns, str) or not ns.isidentifier():
            raise ValueError(f"Library(ns=...): the namespace must be a Python identifier, got {ns!r}")
        if ns in _RESERVED:
            raise ValueError(f"{ns} is a reserved namespace: Ember's own ops do not dispatch through "
                             "torch.library, so kernels registered there would never run. Please try creating a "
                             "library with another name.")
        if dispatch_key:
            _check_key(dispatch_key)
        if kind == "DEF":
            other = _def_libraries.get(ns)
            if other is not None and other() is not None:
                raise RuntimeError(f"Only a single TORCH_LIBRARY can be used to register the namespace {ns}; please "
                                   "put all of your definitions in a single TORCH_LIBRARY block.  If you were "
                                   "trying to specify implementations, consider using TORCH_LIBRARY_IMPL (which "
                                   "can be duplicated).  If you really intended to define operators for a single "
                                   "namespace in a distributed way, you can use TORCH_LIBRARY_FRAGMENT to "
                                   "explicitly indicate this.")
            _def_libraries[ns] = weakref.ref(self)
        self.ns, self.kind, self.dispatch_key = ns, kind, dispatch_key
        self._op_defs, self._op_impls = set(), []
        self._finalizer = weakref.finalize(self, _unregister, ns, self._op_defs, self._op_impls)

    def __repr__(self):
        return f"Library(kind={self.kind}, ns={self.ns}, dispatch_key={self.dispatch_key})>"

    def define(self, schema, alias_analysis="", *, tags=()):
        """Define an operator from its schema (``"foo(Tensor x, float a=1.) -> Tensor"``); returns its name."""
        if alias_analysis not in ("", "FROM_SCHEMA", "CONSERVATIVE"):
            raise RuntimeError(f"Invalid alias_analysis type {alias_analysis}")
        if not self._finalizer.alive:
            raise AssertionError("Library object has been destroyed")
        if self.kind == "IMPL":
            raise RuntimeError(f"Library(kind=IMPL) for {self.ns} cannot define operators; make a DEF or FRAGMENT "
                               "library for that")
        parsed = parse_schema(schema)
        ns, _, name = parsed.name.rpartition("::")
        if ns and ns != self.ns:
            raise RuntimeError(f"Explicitly provided namespace ({ns}) in schema string does not match namespace of "
                               f"enclosing TORCH_LIBRARY block ({self.ns}).  Move this definition to the (unique) "
                               "TORCH_LIBRARY block corresponding to this namespace (and consider deleting the "
                               "namespace from your schema string.)")
        parsed.name = f"{self.ns}::{name}"
        space = _namespace(self.ns)
        packet = space._packets.get(name)
        if packet is None:
            packet = space._packets[name] = OpOverloadPacket(self.ns, name)
        overload = parsed.overload_name or "default"
        if overload in packet._overloads:
            raise RuntimeError(f"Tried to register an operator ({parsed}) with the same name and overload name "
                               "multiple times. Each overload's schema should only be registered with a single "
                               "call to def().")
        packet._overloads[overload] = OpOverload(packet, parsed)
        self._op_defs.add((name, overload))
        return name

    def impl(self, op_name, fn, dispatch_key="", *, with_keyset=False, allow_override=True):
        """Register ``fn`` as the kernel of ``op_name`` (``"foo"``, ``"foo.overload"``, an OpOverload) for
        ``dispatch_key`` (default: the library's, else ``CompositeImplicitAutograd``)."""
        if not callable(fn):
            raise TypeError(f"Input function is required to be a callable but found type {type(fn)}")
        if with_keyset:
            raise RuntimeError("Library.impl(..., with_keyset=True): Ember has no dispatch key sets to pass to the "
                               "kernel; register a kernel that takes the op's arguments only")
        if not self._finalizer.alive:
            raise AssertionError("Library object has been destroyed")
        key = _check_key(dispatch_key or self.dispatch_key or "CompositeImplicitAutograd")
        if isinstance(op_name, (OpOverload, OpOverloadPacket)):
            op = _resolve(op_name, "impl")
        else:
            name = op_name.split("::")[-1]
            if "::" in op_name and op_name.split("::")[0] != self.ns:
                raise RuntimeError(f"Library.impl: {op_name} is not in this library's namespace ({self.ns})")
            op = _lookup(f"{self.ns}::{name}")
            if op is None:
                raise RuntimeError(f"Library.impl: operator {self.ns}::{name} does not exist; define it first "
                                   "(Library.define / torch.library.define)")
        if key in op._kernels:
            if not allow_override:
                raise RuntimeError(f"This is not allowed since there's already a kernel registered from python "
                                   f"overriding {op._opname}'s behavior for {key} dispatch key and {self.ns} "
                                   "namespace.")
            warnings.warn(f"Overriding a previously registered kernel for the same operator and the same dispatch "
                          f"key\n  operator: {op._schema}\n  dispatch key: {key}", UserWarning, stacklevel=2)
        op._kernels[key] = fn
        self._op_impls.append((op, key, fn))

    def _destroy(self):
        self._finalizer()


def _unregister(ns, op_defs, op_impls):
    """Remove a Library's definitions and kernels (its finalizer)."""
    for op, key, fn in op_impls:
        if op._kernels.get(key) is fn:
            del op._kernels[key]
    space = _ops.namespaces.get(ns)
    if space is None:
        return
    for name, overload in op_defs:
        packet = space._packets.get(name)
        if packet is not None:
            packet._overloads.pop(overload, None)
            if not packet._overloads:
                del space._packets[name]
    owner = _def_libraries.get(ns)
    if owner is not None and owner() is None:
        del _def_libraries[ns]


def _fragment(ns):
    lib = Library(ns, "FRAGMENT")
    _keep_alive.append(lib)
    return lib


def define(qualname, schema, *, lib=None, tags=()):
    """Define operator ``qualname`` (``"mylib::foo"``) with a nameless ``schema`` (``"(Tensor x) -> Tensor"``).
    The older form ``define(lib, schema)`` returns a decorator that defines and implements the op."""
    if isinstance(qualname, Library):
        old_lib = qualname

        def wrap(f):
            name = old_lib.define(schema)
            old_lib.impl(name, f)
            return f
        return wrap
    if not isinstance(qualname, str):
        raise ValueError(f"define(qualname, schema): expected qualname to be instance of str, got {type(qualname)}")
    ns, sep, name = qualname.partition("::")
    if not sep:
        raise ValueError(f"Expected there to be a namespace in {qualname}, i.e. The operator name should look "
                         "something like ns::foo")
    schema = schema.strip()
    if not (schema.startswith("(") and "->" in schema):
        raise ValueError(f'define(qualname, schema, ...): expected schema to look like e.g. "(Tensor x) -> Tensor" '
                         f'but got "{schema}"')
    (lib or _fragment(ns)).define(name + schema, tags=tags)


def _keys_of(types):
    """Dispatch keys from device types ('cpu', 'default') or key names ('CPU', 'CompositeImplicitAutograd')."""
    types = (types,) if isinstance(types, str) else tuple(types)
    return [_check_key(t if t in _KEYS or t in _OTHER_KEYS else _device_key(t)) for t in types]


def impl(qualname, types, func=None, *, lib=None):
    """Register ``func`` for device types ``types`` (``"cpu"``, ``"cuda"``, ``"default"`` for all; dispatch key
    names work too) of the op ``qualname``. Usable as a decorator. ``impl(lib, name, key)`` is the older
    decorator form."""
    if isinstance(qualname, Library):
        old_lib, name, key = qualname, types, func or ""

        def wrap(f):
            old_lib.impl(name, f, key)
            return f
        return wrap
    keys = _keys_of(types)

    def register(f):
        use = lib or _fragment(qualname.partition("::")[0])
        for key in keys:
            use.impl(qualname, f, key)
    if func is None:
        return register
    register(func)


# ============================================================================ the custom-op API
_custom_ops = {}        # qualname -> CustomOpDef (kept alive, as PyTorch keeps them)


class CustomOpDef:
    """What ``@custom_op`` returns: call it like the function it wraps; ``register_kernel``,
    ``register_fake``, ``register_autograd`` and ``set_kernel_enabled`` change how it runs."""

    def __init__(self, namespace, name, schema, fn, tags=()):
        self._namespace, self._name = namespace, name
        self._qualname = f"{namespace}::{name}"
        self._init_fn = fn
        self._tags = tags
        self._backend_fns = {}          # device type (None: all) -> kernel
        self._disabled_kernel = set()
        self._abstract_fn = None
        self._lib = _fragment(namespace)
        self._lib.define(f"{name}{schema}")
        self._opoverload = _lookup(self._qualname)
        self._opoverload._custom = self
        self._opoverload._kernels["Autograd"] = self._opoverload._autograd_kernel
        self._opoverload._autograd_info = (_no_autograd_backward(self._opoverload), None)
        functools.update_wrapper(self, fn, assigned=("__module__", "__doc__"), updated=())

    def __repr__(self):
        return f"<CustomOpDef({self._qualname})>"

    def __call__(self, *args, **kwargs):
        return self._opoverload(*args, **kwargs)

    def _check_aliasing(self, args, kwargs, out):
        """PyTorch's rule: an output is neither an input nor a view of one, nor of another output."""
        outs = [o for o in (out if isinstance(out, (tuple, list)) else (out,)) if isinstance(o, Tensor)]
        ins = list(_tensors_in(list(args) + list(kwargs.values())))
        for i, o in enumerate(outs):
            if any(o._version is t._version for t in ins) or any(o._version is p._version for p in outs[:i]):
                module = inspect.getmodule(self._init_fn)
                raise RuntimeError(f"{self._name} (with implementation in {module}): The output of this custom "
                                   "operator (1) must not also be an input to this custom operator and (2) may not "
                                   "alias any inputs to this custom operator or other returns. The most common way "
                                   "to trigger this error is if we have y = custom_op(x) and y and x are the same "
                                   "Tensor. Please instead return a clone of the offending output tensor(s) (e.g. "
                                   "return x.clone()) or refactor the custom operator to not return y.")

    def register_kernel(self, device_types, fn=None, /):
        """Register ``fn`` as the kernel for ``device_types`` (``"cpu"``, ``"cuda"`` or a sequence; None: all
        devices). Usable as a decorator; returns ``fn``."""
        types = [device_types] if device_types is None or isinstance(device_types, str) else list(device_types)
        keys = [("CompositeExplicitAutograd" if t is None else _device_key(t)) for t in types]

        def inner(f):
            for t, key in zip(types, keys):
                self._backend_fns[t] = f
                if key not in self._opoverload._kernels:
                    self._opoverload._kernels[key] = self._kernel_for(t)
            return f
        return inner if fn is None else inner(fn)

    def _kernel_for(self, device_type):
        def kernel(*args, **kwargs):
            fn = self._init_fn if device_type in self._disabled_kernel else self._backend_fns[device_type]
            out = fn(*args, **kwargs)
            self._check_aliasing(args, kwargs, out)
            return out
        return kernel

    @contextlib.contextmanager
    def set_kernel_enabled(self, device_type, enabled=True):
        """Context manager: within it the kernel registered for ``device_type`` is off (``enabled=False``: the
        op's original function runs instead) or on."""
        was_disabled = device_type in self._disabled_kernel
        (self._disabled_kernel.discard if enabled else self._disabled_kernel.add)(device_type)
        try:
            yield
        finally:
            (self._disabled_kernel.add if was_disabled else self._disabled_kernel.discard)(device_type)

    def register_fake(self, fn, /):
        """Register the op's fake (meta) implementation: from the inputs' shapes/dtypes/devices, outputs of the
        right metadata (e.g. ``torch.empty_like(x)``), without reading data. Returns ``fn``."""
        if not callable(fn):
            raise TypeError(f"register_fake(fn): fn must be callable, got {type(fn).__name__}")
        self._abstract_fn = fn
        self._opoverload._kernels["Meta"] = fn
        return fn

    def register_autograd(self, backward, /, *, setup_context=None):
        """Make the op differentiable: ``setup_context(ctx, inputs, output)`` (``ctx, inputs,
        keyword_only_inputs, output`` when the op has keyword-only arguments) saves what backward needs;
        ``backward(ctx, *grads)`` returns one gradient (or None) per positional input."""
        self._opoverload._set_autograd(backward, setup_context)


def _validate_mutates_args(mutates_args):
    if mutates_args == "unknown":
        return "unknown"
    if isinstance(mutates_args, str):
        raise ValueError("mutates_args must either be a sequence of the names of the arguments that are mutated or "
                         "the string 'unknown'. ")
    try:
        names = tuple(mutates_args)
    except TypeError:
        raise TypeError(f"custom_op(): mutates_args must be 'unknown' or an iterable of argument names, got "
                        f"{type(mutates_args).__name__}") from None
    if not all(isinstance(n, str) for n in names):
        raise ValueError(f"custom_op(): mutates_args must hold argument names (str), got {names}")
    return names


def custom_op(name, fn=None, /, *, mutates_args, device_types=None, schema=None, tags=None):
    """Wrap ``fn`` as the operator ``name`` (``"mylib::my_op"``), callable as ``torch.ops.mylib.my_op`` too.

    ``mutates_args``: the names of the arguments ``fn`` writes to (``()`` for none, ``"unknown"``);
    ``device_types``: the devices ``fn`` serves (default: all); ``schema``: a schema string to use instead
    of the one inferred from ``fn``'s type annotations. Usable as ``@custom_op(name, mutates_args=())`` or
    ``custom_op(name, fn, mutates_args=())``.
    """
    mutates = _validate_mutates_args(mutates_args)

    def inner(f):
        namespace, sep, opname = name.partition("::") if isinstance(name, str) else ("", "", "")
        if not sep or not namespace.isidentifier() or not opname.isidentifier():
            raise ValueError(f"custom_op(name=...): expected a name like 'mylib::my_op' (namespace::op_name, both "
                             f"identifiers), got {name!r}")
        schema_str = infer_schema(f, mutates_args=mutates) if schema is None else schema
        parsed = parse_schema(opname + schema_str)
        kw_tensors = [a for a in parsed.arguments if a.kwarg_only and a.is_tensor_like]
        if kw_tensors:
            raise NotImplementedError(f"custom_op with kwarg-only Tensor args. Please make your tensors not "
                                      f"kwarg-only. Got: {parsed}")
        if schema is not None:
            expected = {a.name for a in parsed.arguments if a.is_write}
            if expected != set(() if mutates == "unknown" else mutates):
                raise ValueError(f"Attempted to create a custom op with `mutates_args={mutates_args}` and "
                                 f"`schema={schema}. The schema suggests that the op mutates {expected}which is "
                                 "different from what was provided to us in `mutates_args`. Please make these "
                                 "consistent.")
        result = CustomOpDef(namespace, opname, schema_str, f, tags)
        result.register_kernel(device_types)(f)
        _custom_ops[result._qualname] = result
        return result
    return inner if fn is None else inner(fn)


def register_fake(op, func=None, /, *, lib=None, _stacklevel=1, allow_override=True):
    """Register a fake (meta) implementation of ``op`` (a qualname, OpOverload or CustomOpDef). Usable as a
    decorator."""
    overload = _resolve(op, "register_fake")

    def register(f):
        if overload._custom is not None:
            overload._custom.register_fake(f)
        else:
            if not allow_override and "Meta" in overload._kernels:
                raise RuntimeError(f"register_fake(...): the operator {overload._qualname} already has a fake "
                                   "implementation (allow_override=False)")
            (lib or _fragment(overload.namespace)).impl(overload, f, "Meta")
        return f
    return register if func is None else register(func)


def impl_abstract(qualname, func=None, *, lib=None, _stacklevel=1):
    """The former name of ``register_fake``."""
    warnings.warn("`torch.library.impl_abstract` was renamed to `torch.library.register_fake`. Please use that "
                  "instead; we will remove `torch.library.impl_abstract` in a future version of PyTorch.",
                  FutureWarning, stacklevel=2)
    return register_fake(qualname, func, lib=lib)


def register_autograd(op, backward, /, *, setup_context=None, lib=None):
    """Register ``backward`` (and ``setup_context``) as the autograd formula of ``op``."""
    _resolve(op, "register_autograd")._set_autograd(backward, setup_context)


def register_kernel(op, device_types, func=None, /, *, lib=None):
    """Register ``func`` as ``op``'s kernel for ``device_types``. Usable as a decorator."""
    overload = _resolve(op, "register_kernel")
    if overload._custom is not None:
        return overload._custom.register_kernel(device_types, func)
    types = [device_types] if device_types is None or isinstance(device_types, str) else list(device_types)
    keys = ["CompositeExplicitAutograd" if t is None else _device_key(t) for t in types]

    def register(f):
        use = lib or _fragment(overload.namespace)
        for key in keys:
            use.impl(overload, f, key)
        return f
    return register if func is None else register(func)


# ============================================================================ opcheck
_TEST_UTILS = ("test_schema", "test_autograd_registration", "test_faketensor", "test_aot_dispatch_static",
               "test_aot_dispatch_dynamic")
_DEFAULT_TEST_UTILS = ("test_schema", "test_autograd_registration", "test_faketensor", "test_aot_dispatch_dynamic")


class OpCheckError(Exception):
    pass


def _clone_args(args, kwargs):
    def clone(v):
        if isinstance(v, Tensor):
            c = v.detach().clone()
            c.requires_grad_(v.requires_grad)
            return c
        if isinstance(v, (list, tuple)):
            return type(v)(clone(e) for e in v)
        return v
    return [clone(a) for a in args], {k: clone(v) for k, v in kwargs.items()}


def _tensor_leaves(out):
    if isinstance(out, Tensor):
        return [out]
    if isinstance(out, (list, tuple)):
        return [t for o in out for t in _tensor_leaves(o)]
    return []


def _check_schema(op, args, kwargs):
    """Arguments the schema does not mark as written must be unchanged after the call (version and values)."""
    args, kwargs = _clone_args(args, kwargs)
    bound_args, bound_kwargs = op._bind(args, kwargs)
    named = list(zip((a for a in op._schema.arguments if not a.kwarg_only), bound_args))
    named += [(a, bound_kwargs[a.name]) for a in op._schema.arguments if a.kwarg_only]
    before = [(a, [(t, t._version[0], t.detach().clone()) for t in _tensor_leaves(v)]) for a, v in named]
    with no_grad():
        op(*args, **kwargs)
    for a, records in before:
        for t, version, copy in records:
            t = t.detach()
            same = bool(((t == copy) | ((t != t) & (copy != copy))).all())     # NaN equals NaN here
            if (t._version[0] != version or not same) and not a.is_write:
                raise OpCheckError(f"Argument {a.name} is not defined as mutable but was mutated")


def _check_autograd_registration(op, args, kwargs):
    tensors = list(_tensors_in(list(args) + list(kwargs.values())))
    if not any(t.requires_grad for t in tensors):
        return
    k = op._kernels
    if any(key in k for key in ("Autograd", "AutogradCPU", "AutogradCUDA", "CompositeImplicitAutograd")):
        return
    raise AssertionError(f"{op._qualname}: at least one output of this operator has requires_grad=True but the "
                         "operator does not have an autograd kernel defined at an autograd key (e.g. "
                         "DispatchKey::Autograd). This could mean that you have incorrectly registered an autograd "
                         "kernel to a non-Autograd DispatchKey, which may lead to silently incorrect results. If "
                         "your operator consists of regular PyTorch operations, consider not using an operator at "
                         "all or registering your operator as CompositeImplicitAutograd. If you have an "
                         "autograd.Function registered to a backend (CPU/CUDA) key, the correct location for it is "
                         "the Autograd key.")


def _check_fake(op, args, kwargs):
    """The fake implementation's outputs have the real outputs' shapes, dtypes and devices (Ember runs it on real
    tensors: it has no fake tensors, so data access in it goes unnoticed)."""
    fake = op._kernels.get("Meta") or op._kernels.get("CompositeImplicitAutograd")
    if fake is None:
        what = repr(op._custom) if op._custom is not None else op._qualname
        hint = f"`{op._custom._name}.register_fake`" if op._custom is not None else "`torch.library.register_fake`"
        raise RuntimeError(f"There was no fake impl registered for {what}. This is necessary for "
                           f"torch.compile/export/fx tracing to work. Please use {hint} to add an fake impl.")
    real_args, real_kwargs = _clone_args(args, kwargs)
    fake_args, fake_kwargs = _clone_args(args, kwargs)
    with no_grad():
        real = op(*real_args, **real_kwargs)
        bound = op._bind(fake_args, fake_kwargs)
        out = fake(*bound[0], **bound[1])
    real_t, fake_t = _tensor_leaves(real), _tensor_leaves(out)
    prefix = f"When comparing the output of {op} on FakeTensor and concrete Tensors, found mismatched tensor metadata:"
    if len(real_t) != len(fake_t):
        raise OpCheckError(f"{prefix} the fake implementation returned {len(fake_t)} tensors, the kernel "
                           f"{len(real_t)}")
    for f, r in zip(fake_t, real_t):
        if f.shape != r.shape:
            raise OpCheckError(f"{prefix} Shapes {r.shape} and {f.shape} are not equal!")
        if f.dtype != r.dtype:
            raise OpCheckError(f"{prefix} Dtypes {r.dtype} and {f.dtype} are not equal!")
        if f.device != r.device:
            raise OpCheckError(f"{prefix} Devices {r.device} and {f.device} are not equal!")


def _run_with_grads(op, args, kwargs):
    args, kwargs = _clone_args(args, kwargs)
    out = op(*args, **kwargs)
    inputs = [t for t in _tensors_in(list(args) + list(kwargs.values())) if t.requires_grad]
    outs = [t for t in _tensor_leaves(out) if t.requires_grad]
    if inputs and outs:
        from . import autograd
        grads = autograd.grad(outs, inputs, [t.detach() * 0 + 1 for t in outs], allow_unused=True)
    else:
        grads = ()
    return _tensor_leaves(out), list(grads)


def _check_repeatable(op, args, kwargs, atol, rtol):
    """Ember compiles nothing, so the compiled-vs-eager comparison becomes: two runs on fresh copies of the
    inputs give the same outputs and (through the registered backward) the same gradients."""
    from .testing import assert_close
    out1, grads1 = _run_with_grads(op, args, kwargs)
    out2, grads2 = _run_with_grads(op, args, kwargs)
    for a, b in zip(out1 + grads1, out2 + grads2):
        if a is None or b is None:
            if (a is None) != (b is None):
                raise OpCheckError(f"{op}: a gradient is None in one run and not in the other")
            continue
        assert_close(a.detach(), b.detach(), atol=atol, rtol=rtol, equal_nan=True)


def opcheck(op, args, kwargs=None, *, test_utils=_DEFAULT_TEST_UTILS, raise_exception=True, atol=None, rtol=None):
    """Check ``op``'s registrations on sample ``args``/``kwargs``: ``test_schema`` (arguments the schema does not
    mark mutable are left unchanged), ``test_autograd_registration`` (an op taking inputs that require grad has
    an autograd kernel), ``test_faketensor`` (a fake implementation exists and gives the real outputs' shapes,
    dtypes, devices), ``test_aot_dispatch_dynamic``/``_static`` (two runs give the same outputs and gradients).
    Returns ``{test: "SUCCESS" or the exception}``; with ``raise_exception`` the first failure raises."""
    kwargs = {} if kwargs is None else kwargs
    if isinstance(test_utils, str):
        test_utils = (test_utils,)
    if not set(test_utils) <= set(_TEST_UTILS):
        raise ValueError(f"opcheck(op, ..., test_utils={test_utils}), expected test_utils to be subset of "
                         f"{_TEST_UTILS} but it was not")
    if (atol is None) != (rtol is None):
        raise ValueError("opcheck(op, ...): if you specify one of atol/rtol, you must specify both")
    overload = _resolve(op, "opcheck")
    tests = {"test_schema": lambda: _check_schema(overload, args, kwargs),
             "test_autograd_registration": lambda: _check_autograd_registration(overload, args, kwargs),
             "test_faketensor": lambda: _check_fake(overload, args, kwargs),
             "test_aot_dispatch_static": lambda: _check_repeatable(overload, args, kwargs, atol, rtol),
             "test_aot_dispatch_dynamic": lambda: _check_repeatable(overload, args, kwargs, atol, rtol)}
    results = {}
    for name in test_utils:
        try:
            tests[name]()
        except Exception as exc:  # noqa: BLE001 - reported per test, as PyTorch's opcheck does
            if raise_exception:
                raise OpCheckError(f"opcheck(op, ...): {name} failed with {exc} (scroll up for stack trace)") \
                    from exc
            results[name] = exc
        else:
            results[name] = "SUCCESS"
    return results
