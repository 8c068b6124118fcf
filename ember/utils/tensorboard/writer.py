"""``SummaryWriter``: PyTorch's signature and methods, events written through ``tensorboard``'s own writer.

Each ``add_*`` turns its value into a TensorBoard ``Summary`` protocol buffer
(the formats TensorBoard's plugins read: scalars, histograms, PNG images,
text, hparams, projector embeddings, graphs) and appends it as an ``Event``.
"""
import io
import os
import socket
import time

import numpy as np
from tensorboard.compat.proto.event_pb2 import Event
from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary, SummaryMetadata
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.summary.writer.event_file_writer import EventFileWriter


def _np(x):
    """Tensor / array / number -> NumPy array (detached, on the CPU)."""
    if hasattr(x, "detach") and hasattr(x, "_data"):
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def _scalar_value(x):
    a = _np(x).squeeze()
    if a.ndim != 0:
        raise AssertionError(f"Tensor should contain one element (0 dimensions). Was given size: {a.size} and "
                             f"{a.ndim} dimensions.")
    return float(a)


def _histogram(values, bins, max_bins=None):
    values = _np(values).astype(np.float64).reshape(-1)
    if values.size == 0:
        raise ValueError("The input has no element.")
    if isinstance(bins, str) and bins == "tensorflow":
        bins = _tf_bins(values)
    counts, limits = np.histogram(values, bins=bins)
    if max_bins is not None and len(counts) > max_bins:
        sub = len(counts) // max_bins
        pad = (-len(counts)) % sub
        counts = np.pad(counts, (0, pad)).reshape(-1, sub).sum(axis=-1)
        limits = np.concatenate([limits[:-1:sub], limits[-1:]])
    nonzero = np.nonzero(counts)[0]
    start, end = (int(nonzero[0]), int(nonzero[-1]) + 1) if nonzero.size else (0, 1)
    # TensorBoard stores right bin edges only: keep one empty bin on the left for the leftmost edge.
    counts = counts[start - 1:end] if start > 0 else np.concatenate([[0], counts[:end]])
    limits = limits[start:end + 1]
    return HistogramProto(min=values.min(), max=values.max(), num=len(values), sum=values.sum(),
                          sum_squares=float(values.dot(values)), bucket_limit=limits.tolist(),
                          bucket=counts.tolist())


def _tf_bins(values):
    """TensorFlow's default bucket edges (what PyTorch's bins='tensorflow' means): +-1e-12 * 1.1**k, and 0."""
    pos = 1e-12 * 1.1 ** np.arange(int(np.ceil(np.log(1e20 / 1e-12) / np.log(1.1))))
    return np.concatenate([-pos[::-1], [0.0], pos])


def _to_hwc(img, dataformats):
    img = _np(img)
    fmt = dataformats.upper()
    if len(fmt) != img.ndim:
        raise ValueError(f"size of input tensor and input format are different. tensor shape: {img.shape}, "
                         f"input_format: {dataformats}")
    if fmt == "HW":
        return np.stack([img] * 3, axis=-1)
    if fmt == "HWC":
        return img if img.shape[-1] != 1 else np.concatenate([img] * 3, axis=-1)
    if fmt == "CHW":
        img = img.transpose(1, 2, 0)
        return img if img.shape[-1] != 1 else np.concatenate([img] * 3, axis=-1)
    if fmt in ("NCHW", "NHWC"):
        if fmt == "NHWC":
            img = img.transpose(0, 3, 1, 2)
        return _grid(img).transpose(1, 2, 0)
    raise ValueError(f"unsupported dataformats {dataformats!r}")


def _grid(batch, ncols=8):
    """(N, C, H, W) -> (3, rows*H, cols*W) grid, as torch's tensorboard make_grid."""
    if batch.shape[1] == 1:
        batch = np.concatenate([batch] * 3, axis=1)
    n, c, h, w = batch.shape
    ncols = min(n, ncols)
    nrows = int(np.ceil(n / ncols))
    canvas = np.zeros((c, h * nrows, w * ncols), dtype=batch.dtype)
    for i in range(n):
        r, col = divmod(i, ncols)
        canvas[:, r * h:(r + 1) * h, col * w:(col + 1) * w] = batch[i]
    return canvas


def _png(hwc):
    from PIL import Image
    scale = 1 if hwc.dtype == np.uint8 else 255
    arr = np.clip(hwc * scale, 0, 255).astype(np.uint8) if hwc.dtype != np.uint8 else hwc
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    h, w, c = arr.shape
    return Summary.Image(height=h, width=w, colorspace=c, encoded_image_string=buf.getvalue())


def _text_summary(tag, text):
    from tensorboard.plugins.text.plugin_data_pb2 import TextPluginData
    meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(
        plugin_name="text", content=TextPluginData(version=0).SerializeToString()))
    tensor = TensorProto(dtype="DT_STRING", string_val=[text.encode("utf-8")],
                         tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=1)]))
    return Summary(value=[Summary.Value(tag=tag + "/text_summary", metadata=meta, tensor=tensor)])


class _FileWriter:
    def __init__(self, logdir, max_queue=10, flush_secs=120, filename_suffix=""):
        self.logdir = str(logdir)
        self.event_writer = EventFileWriter(self.logdir, max_queue, flush_secs, filename_suffix)

    def add_event(self, event, step=None, walltime=None):
        event.wall_time = time.time() if walltime is None else walltime
        if step is not None:
            event.step = int(step)
        self.event_writer.add_event(event)

    def add_summary(self, summary, global_step=None, walltime=None):
        self.add_event(Event(summary=summary), global_step, walltime)

    def flush(self):
        self.event_writer.flush()

    def close(self):
        self.event_writer.close()


class SummaryWriter:
    """Log to ``log_dir`` (default ``runs/CURRENT_DATETIME_HOSTNAME``) for ``tensorboard --logdir runs``."""

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120,
                 filename_suffix=""):
        if not log_dir:
            stamp = time.strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", f"{stamp}_{socket.gethostname()}{comment}")
        self.log_dir = str(log_dir)
        self.purge_step = purge_step
        self.max_queue, self.flush_secs, self.filename_suffix = max_queue, flush_secs, filename_suffix
        self.file_writer = None
        self.all_writers = {}
        self._get_file_writer()

    def _get_file_writer(self):
        if self.file_writer is None:
            self.file_writer = _FileWriter(self.log_dir, self.max_queue, self.flush_secs, self.filename_suffix)
            self.all_writers[self.file_writer.logdir] = self.file_writer
            if self.purge_step is not None:
                self.file_writer.add_event(Event(step=self.purge_step, file_version="brain.Event:2"))
                self.purge_step = None
        return self.file_writer

    def get_logdir(self):
        return self.log_dir

    def _summary(self, summary, step, walltime):
        self._get_file_writer().add_summary(summary, step, walltime)

    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        value = _scalar_value(scalar_value)
        if new_style:
            meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="scalars"))
            tensor = TensorProto(double_val=[value], dtype="DT_DOUBLE") if double_precision else \
                TensorProto(float_val=[value], dtype="DT_FLOAT")
            summ = Summary(value=[Summary.Value(tag=tag, tensor=tensor, metadata=meta)])
        else:
            summ = Summary(value=[Summary.Value(tag=tag, simple_value=value)])
        self._summary(summ, global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """One run per key, under ``log_dir/main_tag_key``, so TensorBoard draws them in one chart."""
        walltime = time.time() if walltime is None else walltime
        for tag, value in tag_scalar_dict.items():
            path = os.path.join(self._get_file_writer().logdir, f"{main_tag.replace('/', '_')}_{tag}")
            fw = self.all_writers.get(path)
            if fw is None:
                fw = _FileWriter(path, self.max_queue, self.flush_secs, self.filename_suffix)
                self.all_writers[path] = fw
            fw.add_summary(Summary(value=[Summary.Value(tag=main_tag, simple_value=_scalar_value(value))]),
                           global_step, walltime)

    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None, max_bins=None):
        self._summary(Summary(value=[Summary.Value(tag=tag, histo=_histogram(values, bins, max_bins))]),
                      global_step, walltime)

    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats="CHW"):
        self._summary(Summary(value=[Summary.Value(tag=tag, image=_png(_to_hwc(img_tensor, dataformats)))]),
                      global_step, walltime)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None, dataformats="NCHW"):
        self._summary(Summary(value=[Summary.Value(tag=tag, image=_png(_to_hwc(img_tensor, dataformats)))]),
                      global_step, walltime)

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None):
        """Render a matplotlib figure (or a list of them) to an image."""
        figs = figure if isinstance(figure, list) else [figure]
        imgs = []
        for fig in figs:
            fig.canvas.draw()
            rgba = np.asarray(fig.canvas.buffer_rgba())
            imgs.append(rgba[..., :3].transpose(2, 0, 1))
            if close:
                import matplotlib.pyplot as plt
                plt.close(fig)
        if isinstance(figure, list):
            self.add_images(tag, np.stack(imgs), global_step, walltime, dataformats="NCHW")
        else:
            self.add_image(tag, imgs[0], global_step, walltime, dataformats="CHW")

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        self._summary(_text_summary(tag, text_string), global_step, walltime)

    def add_hparams(self, hparam_dict, metric_dict, hparam_domain_discrete=None, run_name=None,
                    global_step=None):
        """Hyper-parameters and their metrics for the HPARAMS tab (a sub-run, as PyTorch writes)."""
        from tensorboard.plugins.hparams import summary_v2 as hp
        if not isinstance(hparam_dict, dict) or not isinstance(metric_dict, dict):
            raise TypeError("hparam_dict and metric_dict should be dictionaries.")
        logdir = os.path.join(self._get_file_writer().logdir, run_name or str(time.time()))
        fw = _FileWriter(logdir)
        hparams = {k: (_scalar_value(v) if hasattr(v, "_data") else v) for k, v in hparam_dict.items()
                   if v is not None}
        pb = hp.hparams_pb(hparams)
        fw.add_summary(pb, global_step)
        for k, v in metric_dict.items():
            fw.add_summary(Summary(value=[Summary.Value(tag=k, simple_value=_scalar_value(v))]), global_step)
        fw.close()

    def add_embedding(self, mat, metadata=None, label_img=None, global_step=None, tag="default",
                      metadata_header=None):
        """Write a projector embedding: ``tensors.tsv``, ``metadata.tsv`` and ``projector_config.pbtxt``."""
        mat = _np(mat)
        if mat.ndim != 2:
            raise ValueError(f"mat should be 2D, where mat.size(0) is the number of data points, got {mat.shape}")
        sub = f"{global_step or 0:05d}"
        base = self._get_file_writer().logdir
        folder = os.path.join(base, sub, tag.replace("/", "_"))
        os.makedirs(folder, exist_ok=True)
        np.savetxt(os.path.join(folder, "tensors.tsv"), mat, delimiter="\t", fmt="%g")
        config = f'embeddings {{\n  tensor_name: "{tag}:{sub}"\n  tensor_path: "{sub}/{tag.replace("/", "_")}/tensors.tsv"\n'
        if metadata is not None:
            with open(os.path.join(folder, "metadata.tsv"), "w") as f:
                if metadata_header is not None:
                    f.write("\t".join(str(h) for h in metadata_header) + "\n")
                for row in metadata:
                    f.write(("\t".join(str(x) for x in row) if isinstance(row, (list, tuple)) else str(row)) + "\n")
            config += f'  metadata_path: "{sub}/{tag.replace("/", "_")}/metadata.tsv"\n'
        if label_img is not None:
            from PIL import Image
            imgs = _np(label_img)
            grid = _grid(imgs, ncols=int(np.ceil(np.sqrt(len(imgs))))).transpose(1, 2, 0)
            Image.fromarray(np.clip(grid * 255, 0, 255).astype(np.uint8)).save(os.path.join(folder, "sprite.png"))
            config += (f'  sprite {{\n    image_path: "{sub}/{tag.replace("/", "_")}/sprite.png"\n'
                       f"    single_image_dim: {imgs.shape[3]}\n    single_image_dim: {imgs.shape[2]}\n  }}\n")
        config += "}\n"
        with open(os.path.join(base, "projector_config.pbtxt"), "a") as f:
            f.write(config)

    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        """The model's computation graph, traced from one forward pass through its autograd graph."""
        from tensorboard.compat.proto.graph_pb2 import GraphDef
        from tensorboard.compat.proto.node_def_pb2 import NodeDef
        from tensorboard.compat.proto.versions_pb2 import VersionDef
        inputs = input_to_model if isinstance(input_to_model, (list, tuple)) else (input_to_model,)
        import ember
        with ember.enable_grad():
            out = model(*inputs)
        outs = out if isinstance(out, (list, tuple)) else (out,)
        names, nodes, params = {}, [], {id(p): n for n, p in model.named_parameters()}
        stack = [o.grad_fn for o in outs if getattr(o, "grad_fn", None) is not None]
        order = []
        while stack:
            node = stack.pop()
            if node is None or id(node) in names:
                continue
            label = params.get(id(getattr(node, "variable", None))) if hasattr(node, "variable") else None
            names[id(node)] = f"{label or node.name()}_{len(names)}"
            order.append(node)
            stack.extend(n for n, _ in node.next_functions if n is not None)
        for node in order:
            op = "Parameter" if hasattr(node, "variable") else node.name().replace("Backward0", "")
            nodes.append(NodeDef(name=names[id(node)], op=op,
                                 input=[names[id(n)] for n, _ in node.next_functions if n is not None]))
        graph = GraphDef(node=nodes, versions=VersionDef(producer=22))
        self._get_file_writer().add_event(Event(graph_def=graph.SerializeToString()))

    def add_pr_curve(self, tag, labels, predictions, global_step=None, num_thresholds=127, weights=None,
                     walltime=None):
        from tensorboard.plugins.pr_curve import summary as pr
        labels, predictions = _np(labels).astype(bool), _np(predictions).astype(np.float64)
        summ = pr.raw_data_pb(tag, *self._pr_counts(labels, predictions, min(num_thresholds, 127), weights),
                              num_thresholds=min(num_thresholds, 127))
        self._summary(summ, global_step, walltime)

    @staticmethod
    def _pr_counts(labels, predictions, n, weights):
        w = np.ones_like(predictions) if weights is None else _np(weights)
        thresholds = np.linspace(0, 1, n)
        tp = np.array([(w * ((predictions >= t) & labels)).sum() for t in thresholds])
        fp = np.array([(w * ((predictions >= t) & ~labels)).sum() for t in thresholds])
        tn = np.array([(w * ((predictions < t) & ~labels)).sum() for t in thresholds])
        fn = np.array([(w * ((predictions < t) & labels)).sum() for t in thresholds])
        precision = tp / np.maximum(tp + fp, 1)
        recall = tp / np.maximum(tp + fn, 1)
        return tp, fp, tn, fn, precision, recall

    def flush(self):
        for w in self.all_writers.values():
            w.flush()

    def close(self):
        for w in self.all_writers.values():
            w.flush()
            w.close()
        self.all_writers = {}
        self.file_writer = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
