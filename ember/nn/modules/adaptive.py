"""``AdaptiveLogSoftmaxWithLoss``: the adaptive softmax of Grave et al. (2016) for large vocabularies."""
from collections import namedtuple

from ...ops.activation import log_softmax
from ...ops.join import cat
from .container import ModuleList, Sequential
from .linear import Linear
from .module import Module

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    r"""Softmax over ``n_classes`` split by ``cutoffs`` into a frequent *shortlist* and rarer clusters.

    The ``head`` Linear (in_features -> cutoffs[0] + number of clusters) scores the shortlist classes and
    one entry per cluster; cluster i has a two-layer ``tail[i]`` (in_features -> in_features //
    div_value ** (i + 1) -> cluster size, no biases). log p(class) = head log-prob of the class (shortlist)
    or of its cluster plus the class's log-prob within the cluster.

    ``forward(input (N, in_features), target (N))`` -> ``_ASMoutput(output, loss)``: ``output`` (N) is the
    log-prob of each target, ``loss`` the mean negative log-likelihood (also unbatched: (in_features,), ()).
    ``log_prob(input)`` gives all (N, n_classes) log-probs, ``predict(input)`` the most likely class.

    Args:
        cutoffs: increasing class indices in [1, n_classes - 1]; put the most frequent classes first.
        div_value: each cluster's hidden size shrinks by this factor. Default: 4.0
        head_bias: give ``head`` a bias. Default: ``False``
    """

    def __init__(self, in_features, n_classes, cutoffs, div_value=4.0, head_bias=False, device=None, dtype=None):
        super().__init__()
        fk = dict(device=device, dtype=dtype)
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs)):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted in an increasing "
                             "order, where each value is between 1 and n_classes-1")
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(in_features, self.head_size, bias=head_bias, **fk)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hidden = int(in_features // (div_value ** (i + 1)))
            size = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hidden, bias=False, **fk),
                                        Linear(hidden, size, bias=False, **fk)))

    def reset_parameters(self):
        self.head.reset_parameters()
        for i2h, h2o in self.tail:
            i2h.reset_parameters()
            h2o.reset_parameters()

    def _check(self, input, target):
        if target.dim() == 1:
            if input.shape[0] != target.shape[0]:
                raise RuntimeError("Input and target should have the same size in the batch dimension.")
            if input.dim() != 2:
                raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with size "
                                   f"{input.shape}")
        elif target.dim() == 0:
            if input.dim() != 1:
                raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with size "
                                   f"{input.shape}")
        else:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")

    def forward(self, input_, target_):
        self._check(input_, target_)
        batched = target_.dim() > 0
        input = input_ if batched else input_.unsqueeze(0)
        target = target_ if batched else target_.unsqueeze(0)
        if target.numel() and (int(target.min()) < 0 or int(target.max()) >= self.n_classes):
            raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], but values in range "
                               f"[{target.min().item()}, {target.max().item()}] were found. ")
        head_logprob = log_softmax(self.head(input), dim=1)
        # the head column each row reads: its class (shortlist) or its cluster's entry
        cluster = (target >= self.shortlist_size).long()
        for c in self.cutoffs[1:-1]:
            cluster = cluster + (target >= c).long()
        column = target.where(cluster == 0, cluster + (self.shortlist_size - 1))
        output = head_logprob.gather(1, column.unsqueeze(1)).squeeze(1)
        for i in range(1, self.n_clusters + 1):
            rows = (cluster == i).nonzero().reshape(-1)
            if rows.numel() == 0:
                continue
            # only the rows of this cluster go through its tail
            cluster_logprob = log_softmax(self.tail[i - 1](input.index_select(0, rows)), dim=1)
            local = target.index_select(0, rows) - self.cutoffs[i - 1]
            within = cluster_logprob.gather(1, local.unsqueeze(1)).squeeze(1)
            output = output.index_add(0, rows, within)
        loss = (-output).mean()
        if not batched:
            output = output.squeeze(0)
        return _ASMoutput(output, loss)

    def _get_full_log_prob(self, input, head_output):
        """(N, n_classes) log-probs from ``input`` and ``self.head(input)``."""
        head_logprob = log_softmax(head_output, dim=1)
        parts = [head_logprob[:, :self.shortlist_size]]
        for i in range(self.n_clusters):
            cluster_logprob = log_softmax(self.tail[i](input), dim=1)
            parts.append(cluster_logprob + head_logprob[:, self.shortlist_size + i].unsqueeze(1))
        return cat(parts, 1)

    def log_prob(self, input):
        r"""Log-probabilities (N, n_classes) of every class for input (N, in_features)."""
        return self._get_full_log_prob(input, self.head(input))

    def predict(self, input):
        r"""The most likely class (N) for input (N, in_features): ``log_prob(input).argmax(dim=1)``, with the
        clusters evaluated only for rows whose head prefers a cluster over every shortlist class."""
        head_output = self.head(input)
        output = head_output.argmax(dim=1)
        rare = output >= self.shortlist_size
        if not bool(rare.any()):
            return output
        if bool(rare.all()):
            return self._get_full_log_prob(input, head_output).argmax(dim=1)
        output[rare] = self._get_full_log_prob(input[rare], head_output[rare]).argmax(dim=1)
        return output
