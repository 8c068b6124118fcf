"""Downloading and checking dataset files, as ``torchvision.datasets.utils`` does.

Files are fetched with urllib (no extra dependency), written to a temporary
name and renamed only once complete, and checked against their MD5 sum; a file
that is already present and intact is never fetched again.
"""
import bz2
import gzip
import hashlib
import lzma
import os
import pathlib
import tarfile
import urllib.error
import urllib.request
import zipfile

USER_AGENT = "pytorch/vision"
DOWNLOAD_TIMEOUT = 60     # seconds without an answer before a mirror counts as unreachable


def calculate_md5(fpath, chunk_size=1024 * 1024):
    md5 = hashlib.md5(usedforsecurity=False)
    with open(fpath, "rb") as f:
        while chunk := f.read(chunk_size):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath, md5, **kwargs):
    return md5 == calculate_md5(fpath, **kwargs)


def check_integrity(fpath, md5=None):
    """True when ``fpath`` is a file and (if ``md5`` is given) its MD5 sum matches."""
    if not os.path.isfile(fpath):
        return False
    if md5 is None:
        return True
    return check_md5(fpath, md5)


def _urlretrieve(url, filename, chunk_size=1024 * 32):
    """Fetch ``url`` into ``filename`` through a temporary file, so a broken transfer leaves nothing behind."""
    tmp = f"{filename}.part"
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT) as response, open(tmp, "wb") as fh:
            while chunk := response.read(chunk_size):
                fh.write(chunk)
        os.replace(tmp, filename)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def download_url(url, root, filename=None, md5=None, max_redirect_hops=3):
    """Download ``url`` into ``root/filename`` unless that file is already there and intact.

    Raises urllib's URLError (or OSError) when the server cannot be reached, and
    RuntimeError("File not found or corrupted.") when the file's MD5 sum is wrong.
    """
    root = os.path.expanduser(os.fspath(root))
    if not filename:
        filename = os.path.basename(url)
    fpath = os.fspath(os.path.join(root, filename))
    os.makedirs(root, exist_ok=True)
    if check_integrity(fpath, md5):
        print(f"Using downloaded and verified file: {fpath}")
        return
    try:
        _urlretrieve(url, fpath)
    except (urllib.error.URLError, OSError):
        if url[:5] != "https":
            raise
        _urlretrieve(url.replace("https:", "http:"), fpath)   # torchvision's retry over plain http
    if not check_integrity(fpath, md5):
        actual = calculate_md5(fpath) if os.path.isfile(fpath) else None
        raise RuntimeError(f"File not found or corrupted. {fpath} (from {url}) has MD5 {actual}, "
                           f"expected {md5}; delete it and download again, or put an intact copy there.")


_ARCHIVES = {".tar": "tar", ".zip": "zip"}
_COMPRESSIONS = {".bz2": bz2.open, ".gz": gzip.open, ".xz": lzma.open}
_ALIASES = {".tbz": (".tar", ".bz2"), ".tbz2": (".tar", ".bz2"), ".tgz": (".tar", ".gz")}


def _detect_file_type(file):
    """(suffix, archive type, compression) from the file name, e.g. ('.tar.gz', '.tar', '.gz')."""
    suffixes = pathlib.Path(file).suffixes
    if not suffixes:
        raise RuntimeError(f"File '{file}' has no suffixes that could be used to detect the archive type "
                           "and compression.")
    suffix = suffixes[-1]
    if suffix in _ALIASES:
        return (suffix, *_ALIASES[suffix])
    if suffix in _ARCHIVES:
        return suffix, suffix, None
    if suffix in _COMPRESSIONS:
        if len(suffixes) > 1 and suffixes[-2] in _ARCHIVES:
            return suffixes[-2] + suffix, suffixes[-2], suffix
        return suffix, None, suffix
    valid = sorted(set(_ALIASES) | set(_ARCHIVES) | set(_COMPRESSIONS))
    raise RuntimeError(f"Unknown compression or archive type: '{suffix}'.\nKnown suffixes are: '{valid}'.")


def extract_archive(from_path, to_path=None, remove_finished=False):
    """Extract a .tar/.zip archive (optionally compressed) or decompress a single .gz/.bz2/.xz file."""
    from_path = os.fspath(from_path)
    if to_path is None:
        to_path = os.path.dirname(from_path)
    suffix, archive_type, compression = _detect_file_type(from_path)
    if archive_type is None:
        out = os.path.join(to_path, os.path.basename(from_path).replace(suffix, ""))
        with _COMPRESSIONS[compression](from_path, "rb") as rfh, open(out, "wb") as wfh:
            while chunk := rfh.read(1 << 20):
                wfh.write(chunk)
        result = out
    elif archive_type == ".tar":
        with tarfile.open(from_path, f"r:{compression[1:]}" if compression else "r") as tar:
            try:
                tar.extractall(to_path, filter="data")     # no absolute paths or links out of to_path
            except TypeError:       # Python without extraction filters (< 3.11.4)
                tar.extractall(to_path)
        result = to_path
    else:
        with zipfile.ZipFile(from_path, "r") as zf:
            zf.extractall(to_path)
        result = to_path
    if remove_finished:
        os.remove(from_path)
    return result


def download_and_extract_archive(url, download_root, extract_root=None, filename=None, md5=None,
                                 remove_finished=False):
    download_root = os.path.expanduser(os.fspath(download_root))
    if extract_root is None:
        extract_root = download_root
    if not filename:
        filename = os.path.basename(url)
    download_url(url, download_root, filename, md5)
    extract_archive(os.path.join(download_root, filename), extract_root, remove_finished)


def iterable_to_str(iterable):
    return "'" + "', '".join(str(item) for item in iterable) + "'"


def verify_str_arg(value, arg=None, valid_values=None, custom_msg=None):
    """torchvision's check of a string choice (e.g. EMNIST's ``split``), with its ValueError wording."""
    if not isinstance(value, str):
        msg = ("Expected type str, but got type {type}." if arg is None
               else "Expected type str for argument {arg}, but got type {type}.")
        raise ValueError(msg.format(type=type(value), arg=arg))
    if valid_values is None:
        return value
    if value not in valid_values:
        msg = custom_msg or (f"Unknown value '{value}' for argument {arg}. "
                             f"Valid values are {{{iterable_to_str(valid_values)}}}.")
        raise ValueError(msg)
    return value


def download_with_mirrors(filename, md5, mirrors, folder):
    """Fetch ``filename`` from the first mirror that answers; the error lists every mirror tried.

    A mirror that cannot be reached (offline, DNS, HTTP error) is skipped, as
    torchvision does; a file whose MD5 is wrong stops at once (RuntimeError).
    """
    failures = []
    for mirror in mirrors:
        url = f"{mirror}{filename}"
        print(f"Downloading {url}")
        try:
            download_url(url, folder, filename, md5)
        except (urllib.error.URLError, OSError) as error:
            print(f"Failed to download (trying next):\n{error}\n")
            failures.append(f"{url}: {error}")
            continue
        return
    tried = "\n  ".join(failures)
    raise RuntimeError(f"Error downloading {filename}. Tried:\n  {tried}\n"
                       f"If this machine is offline, copy {filename} (MD5 {md5}) into {folder} "
                       "and run again: a file already present and intact is not downloaded.")
