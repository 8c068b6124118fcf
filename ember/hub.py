"""``torch.hub``: the cache folder for downloaded weights, and fetching them.

The cache is PyTorch's: ``$TORCH_HOME/hub/checkpoints``, where ``TORCH_HOME``
defaults to ``$XDG_CACHE_HOME/torch`` and ``XDG_CACHE_HOME`` to ``~/.cache``.
A checkpoint that PyTorch (or torchvision) has already downloaded there is
found by Ember without the network, and the other way round.

Downloads go to a temporary file beside the target and are renamed into place
only when complete and, with ``check_hash=True``, only when the SHA256 of the
contents starts with the hex digits in the file name (``resnet18-f37072fd.pth``).
"""
import errno
import hashlib
import os
import re
import shutil
import sys
import tempfile
import uuid
import warnings
import zipfile
from urllib.error import URLError
from urllib.parse import urlparse
from urllib.request import Request, urlopen

__all__ = ["get_dir", "set_dir", "download_url_to_file", "load_state_dict_from_url", "load", "list", "help"]

ENV_TORCH_HOME = "TORCH_HOME"
ENV_XDG_CACHE_HOME = "XDG_CACHE_HOME"
DEFAULT_CACHE_DIR = "~/.cache"
READ_DATA_CHUNK = 128 * 1024
HASH_REGEX = re.compile(r"-([a-f0-9]*)\.")

_hub_dir = None


class DownloadError(URLError):
    """A download that failed (no network, server error): a ``urllib.error.URLError``
    as PyTorch raises, whose message says which file to put where to work offline."""

    def __init__(self, message, reason=None):
        super().__init__(reason if reason is not None else message)
        self.message = message

    def __str__(self):
        return self.message


def _get_torch_home():
    return os.path.expanduser(
        os.getenv(ENV_TORCH_HOME, os.path.join(os.getenv(ENV_XDG_CACHE_HOME, DEFAULT_CACHE_DIR), "torch")))


def get_dir():
    """The hub cache folder: ``set_dir``'s value, else ``$TORCH_HOME/hub``."""
    if os.getenv("TORCH_HUB"):
        warnings.warn("TORCH_HUB is deprecated, please use env TORCH_HOME instead", stacklevel=2)
    if _hub_dir is not None:
        return _hub_dir
    return os.path.join(_get_torch_home(), "hub")


def set_dir(d):
    """Use ``d`` as the hub cache folder (checkpoints go to ``d/checkpoints``)."""
    global _hub_dir
    _hub_dir = os.path.expanduser(os.fspath(d))


def _progress_bar(total, enabled):
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, file=sys.stderr)


def download_url_to_file(url, dst, hash_prefix=None, progress=True):
    """Download ``url`` to the path ``dst``.

    The data goes to ``dst + '.<random>.partial'`` first and is moved over
    ``dst`` only when complete (and, with ``hash_prefix``, when the SHA256 of
    the contents starts with it), so an interrupted or corrupted download never
    leaves a file that looks like a good checkpoint.
    """
    dst = os.path.expanduser(os.fspath(dst))
    for _ in range(tempfile.TMP_MAX):
        tmp_dst = dst + "." + uuid.uuid4().hex + ".partial"
        try:
            f = open(tmp_dst, "x+b")
        except FileExistsError:
            continue
        break
    else:
        raise FileExistsError(errno.EEXIST, "No usable temporary file name found")
    req = Request(url, headers={"User-Agent": "torch.hub"})
    try:
        try:
            u = urlopen(req)
        except (URLError, OSError, ValueError) as e:
            folder, name = os.path.split(dst)
            reason = getattr(e, "reason", e)
            raise DownloadError(
                f'Downloading "{url}" failed: {reason}. '
                f"Ember needs the file '{name}' in the folder '{folder}'. "
                f"If this machine is offline, download {url} elsewhere and copy it to {dst} "
                f"(the torch hub cache: $TORCH_HOME/hub/checkpoints, default ~/.cache/torch/hub/checkpoints); "
                f"it is then used without the network.", reason) from e
        with u:
            length = u.headers.get("Content-Length")
            file_size = int(length) if length else None
            sha256 = hashlib.sha256() if hash_prefix is not None else None
            bar = _progress_bar(file_size, progress)
            try:
                while True:
                    buffer = u.read(READ_DATA_CHUNK)
                    if len(buffer) == 0:
                        break
                    f.write(buffer)
                    if sha256 is not None:
                        sha256.update(buffer)
                    if bar is not None:
                        bar.update(len(buffer))
            finally:
                if bar is not None:
                    bar.close()
        f.close()
        if file_size is not None and os.path.getsize(f.name) != file_size:
            raise RuntimeError(
                f'Downloading "{url}" stopped after {os.path.getsize(f.name)} of {file_size} bytes; '
                f"nothing was written to {dst}. Retry the download.")
        if sha256 is not None:
            digest = sha256.hexdigest()
            if digest[:len(hash_prefix)] != hash_prefix:
                raise RuntimeError(
                    f'invalid hash value (expected "{hash_prefix}", got "{digest}"). '
                    f'The file downloaded from "{url}" is corrupt or not the expected checkpoint, '
                    f"so it was discarded and nothing was written to {dst}. Retry the download, "
                    f"or copy a good copy of the file (its SHA256 starts with {hash_prefix}) there.")
        shutil.move(f.name, dst)
    finally:
        f.close()
        if os.path.exists(f.name):
            os.remove(f.name)


def _is_legacy_zip_format(filename):
    if zipfile.is_zipfile(filename):
        with zipfile.ZipFile(filename) as zf:
            infolist = zf.infolist()
        return len(infolist) == 1 and not infolist[0].is_dir()
    return False


def _legacy_zip_load(filename, model_dir, map_location, weights_only):
    from . import serialization
    warnings.warn("Falling back to the old format < 1.6. This support will be deprecated in favor of default "
                  "zipfile format introduced in 1.6. Please redo torch.save() to save it in the new zipfile format.",
                  FutureWarning, stacklevel=3)
    with zipfile.ZipFile(filename) as f:
        members = f.infolist()
        if len(members) != 1:
            raise RuntimeError("Only one file(not dir) is allowed in the zipfile")
        name = members[0].filename
        target = os.path.realpath(os.path.join(model_dir, name))
        if not target.startswith(os.path.realpath(model_dir) + os.sep):
            raise ValueError(f"Unsafe path in zip archive {filename}: {name!r}")
        f.extract(members[0], model_dir)
    return serialization.load(target, map_location=map_location, weights_only=weights_only)


def load_state_dict_from_url(url, model_dir=None, map_location=None, progress=True, check_hash=False,
                             file_name=None, weights_only=False):
    """Load the checkpoint at ``url``, from ``model_dir`` (default ``<hub_dir>/checkpoints``)
    when it is already there, else after downloading it there.

    ``check_hash=True``: the file name must look like ``name-<sha256 prefix>.ext``
    and the download must match that prefix.
    """
    from . import serialization
    if os.getenv("TORCH_MODEL_ZOO"):
        warnings.warn("TORCH_MODEL_ZOO is deprecated, please use env TORCH_HOME instead", stacklevel=2)
    if model_dir is None:
        model_dir = os.path.join(get_dir(), "checkpoints")
    model_dir = os.fspath(model_dir)
    os.makedirs(model_dir, exist_ok=True)
    filename = file_name if file_name is not None else os.path.basename(urlparse(url).path)
    cached_file = os.path.join(model_dir, filename)
    if not os.path.exists(cached_file):
        sys.stdout.write(f'Downloading: "{url}" to {cached_file}\n')
        hash_prefix = None
        if check_hash:
            r = HASH_REGEX.search(filename)
            hash_prefix = r.group(1) if r else None
        download_url_to_file(url, cached_file, hash_prefix, progress=progress)
    if _is_legacy_zip_format(cached_file):
        return _legacy_zip_load(cached_file, model_dir, map_location, weights_only)
    return serialization.load(cached_file, map_location=map_location, weights_only=weights_only)


# --- hub.load / list / help for torchvision's own repository ------------------------------------
# torch.hub.load('pytorch/vision', 'resnet18', pretrained=True) clones the repository and runs its
# hubconf.py. Ember has torchvision's models built in, so it serves that repository locally; any
# other repository would mean running its code on PyTorch, which Ember cannot do.

_VISION_REPO = re.compile(r"^pytorch/vision(?::[\w.\-]+)?$")


def _vision_models(repo_or_dir, source):
    if source not in ("github", "local"):
        raise ValueError(f'Unknown source: "{source}". Allowed values: "github" | "local".')
    if source == "github" and _VISION_REPO.match(str(repo_or_dir)):
        from .vision import models
        return models
    raise RuntimeError(
        f"Cannot load from {source} repository {repo_or_dir!r}: torch.hub would download and run that "
        f"repository's hubconf.py, written for PyTorch. Ember serves only 'pytorch/vision' (its built-in "
        f"ember.vision.models). For other models, build the model class yourself and load its weights with "
        f"ember.hub.load_state_dict_from_url(url) or ember.load(path).")


def list(github, force_reload=False, skip_validation=False, trust_repo=None, verbose=True):
    """The entry points of ``github`` (only ``'pytorch/vision'`` is served, by ``ember.vision.models``)."""
    from .vision.models import list_models
    _vision_models(github, "github")
    return list_models()


def help(github, model, force_reload=False, skip_validation=False, trust_repo=None):
    """The docstring of entry point ``model`` of ``github``."""
    from .vision.models import get_model_builder
    _vision_models(github, "github")
    return get_model_builder(model).__doc__


def load(repo_or_dir, model, *args, source="github", trust_repo=None, force_reload=False, verbose=True,
         skip_validation=False, **kwargs):
    """``torch.hub.load('pytorch/vision', 'resnet18', pretrained=True)``: torchvision's builder,
    with the weights from the hub cache (downloaded there when missing)."""
    from .vision.models import get_model_builder
    _vision_models(repo_or_dir, source)
    try:
        builder = get_model_builder(model)
    except ValueError:
        raise RuntimeError(f"Cannot find callable {model} in hubconf") from None
    return builder(*args, **kwargs)
