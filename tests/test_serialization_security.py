"""ember.load's weights-only default refuses malicious pickles (nothing runs); damaged files give clear errors;
a save killed half-way leaves the previous checkpoint intact."""
import io
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
import zipfile

import pytest

import ember


def _zip_checkpoint(data_pkl):
    """A torch-style zip checkpoint whose data.pkl is ``data_pkl``."""
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr("archive/data.pkl", data_pkl)
        z.writestr("archive/byteorder", b"little")
        z.writestr("archive/version", b"3\n")
    b.seek(0)
    return b


class _System:
    def __init__(self, cmd):
        self.cmd = cmd

    def __reduce__(self):
        return (os.system, (self.cmd,))


class _Eval:
    def __init__(self, code):
        self.code = code

    def __reduce__(self):
        return (eval, (self.code,))


def _payloads(marker):
    touch = f"touch {marker}"
    return {
        "os.system": pickle.dumps({"w": _System(touch)}, protocol=2),
        "builtins.eval": pickle.dumps([1, _Eval(f"open({str(marker)!r}, 'w').close()")], protocol=2),
        "protocol-4 stack global": pickle.dumps(_System(touch), protocol=4),
        "subprocess": b"\x80\x02csubprocess\ncheck_output\n]X\x05\x00\x00\x00touchq\x00aX" +
                      len(str(marker)).to_bytes(4, "little") + str(marker).encode() + b"a\x85R.",
    }


@pytest.mark.parametrize("kind", ["os.system", "builtins.eval", "protocol-4 stack global", "subprocess"])
def test_malicious_pickle_refused_and_nothing_runs(tmp_path, kind):
    marker = tmp_path / "pwned"
    payload = _payloads(marker)[kind]
    for f in (_zip_checkpoint(payload), io.BytesIO(_legacy_wrap(payload))):
        with pytest.raises(pickle.UnpicklingError, match="Weights only load failed") as info:
            ember.load(f)
        assert "weights_only" in str(info.value)
        assert not marker.exists()
    # the same file in trusted mode really would run code: the refusal above is what protected us
    if kind == "os.system":
        ember.load(_zip_checkpoint(payload), weights_only=False)
        assert marker.exists()


def test_blocked_and_unsupported_global_wording(tmp_path):
    marker = tmp_path / "pwned"
    with pytest.raises(pickle.UnpicklingError) as info:
        ember.load(_zip_checkpoint(_payloads(marker)["os.system"]))
    assert "Trying to load unsupported GLOBAL posix.system whose module posix is blocked" in str(info.value)
    with pytest.raises(pickle.UnpicklingError) as info:
        ember.load(_zip_checkpoint(_payloads(marker)["builtins.eval"]))
    assert "Unsupported global: GLOBAL eval was not an allowed global by default" in str(info.value)
    assert "add_safe_globals" in str(info.value)


def test_nested_module_import_refused_before_import(tmp_path, monkeypatch):
    """A global in a module that is not imported yet: refused without importing it (its top level never runs)."""
    pkg = tmp_path / "evilpkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text(f"open({str(tmp_path / 'imported_pkg')!r}, 'w').close()\n")
    (pkg / "sub" / "__init__.py").write_text(
        f"open({str(tmp_path / 'imported_sub')!r}, 'w').close()\ndef thing():\n    return 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    payload = b"\x80\x02cevilpkg.sub\nthing\n)R."
    with pytest.raises(pickle.UnpicklingError, match="GLOBAL evilpkg.sub.thing was not an allowed global"):
        ember.load(_zip_checkpoint(payload))
    assert "evilpkg" not in sys.modules
    assert not (tmp_path / "imported_pkg").exists() and not (tmp_path / "imported_sub").exists()


def test_safe_globals_allowlist():
    import fractions
    b = io.BytesIO()
    ember.save({"f": fractions.Fraction(1, 3)}, b)
    b.seek(0)
    with pytest.raises(pickle.UnpicklingError):
        ember.load(b)
    with ember.serialization.safe_globals([fractions.Fraction]):
        b.seek(0)
        assert ember.load(b)["f"] == fractions.Fraction(1, 3)
    b.seek(0)
    with pytest.raises(pickle.UnpicklingError):                # the context manager undid the allowlisting
        ember.load(b)


def _legacy_wrap(payload):
    """``payload`` as the object pickle of a legacy-format checkpoint."""
    head = b"".join(pickle.dumps(v, protocol=2) for v in
                    (0x1950A86A20F9469CFC6C, 1001, {"protocol_version": 1001, "little_endian": True}))
    return head + payload + pickle.dumps([], protocol=2)


def test_truncated_and_corrupt_checkpoints(tmp_path):
    path = tmp_path / "ck.pt"
    ember.save({"w": ember.arange(1000.0)}, path)
    raw = path.read_bytes()
    for cut in (len(raw) // 2, len(raw) - 10, 100):
        (tmp_path / "cut.pt").write_bytes(raw[:cut])
        with pytest.raises(RuntimeError, match="truncated or corrupt"):
            ember.load(tmp_path / "cut.pt")
    # flip bytes inside the tensor data: the zip CRC catches it
    i = raw.index(b"data/0") + 200
    bad = bytearray(raw)
    bad[i:i + 8] = b"\xff" * 8
    (tmp_path / "bad.pt").write_bytes(bytes(bad))
    with pytest.raises(RuntimeError, match="corrupt"):
        ember.load(tmp_path / "bad.pt")
    (tmp_path / "empty.pt").write_bytes(b"")
    with pytest.raises((RuntimeError, EOFError)):
        ember.load(tmp_path / "empty.pt")
    (tmp_path / "text.pt").write_bytes(pickle.dumps("not a checkpoint", protocol=2))
    with pytest.raises(RuntimeError, match="Invalid magic number"):
        ember.load(tmp_path / "text.pt")
    legacy = io.BytesIO()
    ember.save({"w": ember.arange(100.0)}, legacy, _use_new_zipfile_serialization=False)
    with pytest.raises(RuntimeError, match="truncated"):
        ember.load(io.BytesIO(legacy.getvalue()[:-50]))


def test_save_killed_midway_leaves_previous_file(tmp_path):
    path = tmp_path / "model.pt"
    ember.save({"version": 1, "w": ember.ones(3)}, path)
    child = textwrap.dedent(f"""
        import time, ember, ember.serialization as s
        real = s._storage_bytes
        def slow(ref):                      # stall inside the save, after the temporary file exists
            print("writing", flush=True)
            time.sleep(60)
            return real(ref)
        s._storage_bytes = slow
        ember.save({{"version": 2, "w": ember.zeros(3)}}, {str(path)!r})
    """)
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, cwd=os.getcwd())
    try:
        assert proc.stdout.readline().strip() == b"writing"
        deadline = time.time() + 30
        while not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")] and time.time() < deadline:
            time.sleep(0.05)
        assert [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")], "the save should use a temporary file"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    ck = ember.load(path)
    assert ck["version"] == 1 and ck["w"].tolist() == [1.0, 1.0, 1.0]
    ember.save({"version": 3, "w": ember.zeros(3)}, path)            # the next save still replaces it
    assert ember.load(path)["version"] == 3
