"""Helpers shared by the v2 transform classes: input structure, sizes, fill and argument checks."""
import collections
import numbers
from collections.abc import Sequence

import PIL.Image

from ember.vision import tv_tensors
from ember.vision.transforms.functional import InterpolationMode, _FROM_INT

from .functional import get_dimensions, get_size
from .functional._utils import is_pure_tensor


# ---------------------------------------------------------------- pytree: flatten / unflatten nested inputs

def _is_namedtuple(obj):
    return isinstance(obj, tuple) and hasattr(type(obj), "_fields")


def tree_flatten(tree):
    """(leaves, spec): lists, tuples, namedtuples and dicts are walked depth-first (dicts in key order); anything
    else, tensors included, is a leaf. ``tree_unflatten(leaves, spec)`` rebuilds the structure."""
    leaves = []

    def walk(node):
        kind = type(node)
        if kind in (list, tuple) or _is_namedtuple(node):
            return (kind, None, [walk(child) for child in node])
        if kind in (dict, collections.OrderedDict, collections.defaultdict):
            aux = (list(node.keys()), getattr(node, "default_factory", None))
            return (kind, aux, [walk(node[k]) for k in aux[0]])
        leaves.append(node)
        return None
    return leaves, walk(tree)


def tree_unflatten(leaves, spec):
    it = iter(leaves)

    def build(node):
        if node is None:
            return next(it)
        kind, aux, children = node
        values = [build(child) for child in children]
        if kind in (list, tuple):
            return kind(values)
        if issubclass(kind, tuple):              # namedtuple
            return kind(*values)
        keys, factory = aux
        if kind is collections.defaultdict:
            return collections.defaultdict(factory, zip(keys, values))
        return kind(zip(keys, values))
    return build(spec)


# ---------------------------------------------------------------- type checks and sizes

def is_pil_image(inpt):
    return isinstance(inpt, PIL.Image.Image)


def check_type(obj, types_or_checks):
    for check in types_or_checks:
        if isinstance(obj, check) if isinstance(check, type) else check(obj):
            return True
    return False


def has_any(flat_inputs, *types_or_checks):
    return any(check_type(inpt, types_or_checks) for inpt in flat_inputs)


def has_all(flat_inputs, *types_or_checks):
    return all(any(check_type(inpt, (check,)) for inpt in flat_inputs) for check in types_or_checks)


def _sequence_to_str(seq):
    return ", ".join(f"'{item}'" for item in seq)


def query_size(flat_inputs):
    """The one (H, W) shared by every image, video, mask and box canvas of the sample."""
    sizes = {tuple(get_size(inpt)) for inpt in flat_inputs
             if check_type(inpt, (is_pure_tensor, tv_tensors.Image, PIL.Image.Image, tv_tensors.Video,
                                  tv_tensors.Mask, tv_tensors.BoundingBoxes))}
    if not sizes:
        raise TypeError("No image, video, mask or bounding box was found in the sample")
    if len(sizes) > 1:
        raise ValueError(f"Found multiple HxW dimensions in the sample: {_sequence_to_str(sorted(sizes))}")
    return sizes.pop()


def query_chw(flat_inputs):
    """The one (C, H, W) shared by every image and video of the sample."""
    chws = {tuple(get_dimensions(inpt)) for inpt in flat_inputs
            if check_type(inpt, (is_pure_tensor, tv_tensors.Image, PIL.Image.Image, tv_tensors.Video))}
    if not chws:
        raise TypeError("No image or video was found in the sample")
    if len(chws) > 1:
        raise ValueError(f"Found multiple CxHxW dimensions in the sample: {_sequence_to_str(sorted(chws))}")
    return chws.pop()


def get_bounding_boxes(flat_inputs):
    """The first BoundingBoxes of the sample (one box set per sample, by convention)."""
    for inpt in flat_inputs:
        if isinstance(inpt, tv_tensors.BoundingBoxes):
            return inpt
    raise ValueError("No bounding boxes were found in the sample")


# ---------------------------------------------------------------- argument checks

def _check_interpolation(interpolation):
    if isinstance(interpolation, int) and not isinstance(interpolation, bool) and interpolation in _FROM_INT:
        return _FROM_INT[interpolation]
    if not isinstance(interpolation, InterpolationMode):
        raise ValueError("Argument interpolation should be an `InterpolationMode` or a corresponding Pillow integer "
                         f"constant, but got {interpolation}.")
    return interpolation


def _check_fill_arg(fill):
    if isinstance(fill, dict):
        for value in fill.values():
            _check_fill_arg(value)
    elif fill is not None and not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate fill arg, only Numbers, tuples, lists and dicts are allowed.")


def _convert_fill_arg(fill):
    if fill is None or isinstance(fill, (int, float)):
        return fill
    return [float(v) for v in fill]


def _setup_fill_arg(fill):
    """``fill`` as a dict from input type (or "others") to fill value."""
    _check_fill_arg(fill)
    if isinstance(fill, dict):
        return {key: _convert_fill_arg(value) for key, value in fill.items()}
    return {"others": _convert_fill_arg(fill)}


def _get_fill(fill_dict, inpt_type):
    if inpt_type in fill_dict:
        return fill_dict[inpt_type]
    return fill_dict.get("others")


def _check_padding_arg(padding):
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if isinstance(padding, (tuple, list)) and len(padding) not in (1, 2, 4):
        raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")


def _check_padding_mode_arg(padding_mode):
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")


def _parse_pad_padding(padding):
    """[left, right, top, bottom] from an int or a 1, 2 or 4 element sequence."""
    if isinstance(padding, int):
        return [padding] * 4
    if isinstance(padding, (tuple, list)):
        if len(padding) == 1:
            return [padding[0]] * 4
        if len(padding) == 2:
            return [padding[0], padding[0], padding[1], padding[1]]
        if len(padding) == 4:
            return [padding[0], padding[2], padding[1], padding[3]]
        raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")
    raise TypeError(f"`padding` should be an integer or tuple or list of integers, but got {padding}")


def _setup_number_or_seq(arg, name):
    if not isinstance(arg, (int, float, Sequence)):
        raise TypeError(f"{name} should be a number or a sequence of numbers. Got {type(arg)}")
    if isinstance(arg, Sequence) and len(arg) not in (1, 2):
        raise ValueError(f"If {name} is a sequence its length should be 1 or 2. Got {len(arg)}")
    if isinstance(arg, Sequence):
        for element in arg:
            if not isinstance(element, (int, float)):
                raise ValueError(f"{name} should be a sequence of numbers. Got {type(element)}")
    if isinstance(arg, (int, float)):
        return [float(arg), float(arg)]
    return [float(arg[0]), float(arg[0])] if len(arg) == 1 else [float(arg[0]), float(arg[1])]
