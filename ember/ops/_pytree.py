"""Nested structures of tuples, lists and dicts (PyTorch's ``utils._pytree``, the part Ember needs):
``flatten`` gives the leaves and a spec, ``unflatten`` rebuilds the structure from new leaves."""


def flatten(tree):
    """``(leaves, spec)``; ``spec`` rebuilds the tree from the leaves with ``unflatten``. Tuples (namedtuples
    too), lists and dicts are containers; everything else is a leaf."""
    if isinstance(tree, (tuple, list)):
        parts = [flatten(c) for c in tree]
        return [x for p in parts for x in p[0]], (type(tree), None, [p[1] for p in parts])
    if isinstance(tree, dict):
        parts = [flatten(c) for c in tree.values()]
        return [x for p in parts for x in p[0]], (dict, list(tree), [p[1] for p in parts])
    return [tree], None


def unflatten(leaves, spec):
    it = iter(leaves)

    def build(s):
        if s is None:
            return next(it)
        kind, keys, children = s
        values = [build(c) for c in children]
        if kind is dict:
            return dict(zip(keys, values))
        return kind(*values) if hasattr(kind, "_fields") else kind(values)   # namedtuples take positions
    return build(spec)
