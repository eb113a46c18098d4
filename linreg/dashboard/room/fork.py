"""The fork: a run saved as numpy arrays and JSON metadata in an .npz, loaded without pickle."""

from __future__ import annotations

import io
import json
import math
import re
import zipfile
from collections.abc import Mapping

import numpy as np

from linreg.dashboard.room.rules import CHECKPOINT, MAX_FORK_BYTES, size_mb
from linreg.errors import LinregError

_NAME = re.compile(r"[A-Za-z0-9_.\-/]{1,100}")
_META = "__meta__"


def serialize_checkpoint(arrays: Mapping[str, np.ndarray], meta: Mapping) -> bytes:
    """Weights, optimizer state, history, generator state … as one blob anyone may load safely.

    ``arrays``: name → numeric/bool numpy array (any shape, no objects); ``meta``: a JSON-able
    dict (settings, epoch, column names …). The blob is an uncompressed ``.npz``.
    """
    payload = {}
    for name, array in arrays.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name) or name == _META:
            raise ValueError(f"array name {name!r}: use 1–100 of A-Z a-z 0-9 _ . - /")
        array = np.asarray(array)
        if array.dtype.hasobject or array.dtype.kind not in "biufcV?":
            raise ValueError(f"array {name!r} has dtype {array.dtype}; only numbers and bools")
        payload[name] = array
    payload[_META] = np.frombuffer(json.dumps(dict(meta)).encode("utf-8"), dtype=np.uint8)
    out = io.BytesIO()
    np.savez(out, allow_pickle=False, **payload)
    return out.getvalue()


def deserialize_checkpoint(
    blob: bytes, *, max_bytes: int = MAX_FORK_BYTES
) -> tuple[dict[str, np.ndarray], dict]:
    """``(arrays, meta)`` from ``serialize_checkpoint``'s blob; LinregError("bad_checkpoint") if
    it is not one. Never unpickles, and checks every array's declared size before reading it."""
    if len(blob) > max_bytes:
        raise LinregError(
            "room_too_large", what=CHECKPOINT, size=size_mb(len(blob)), limit=size_mb(max_bytes)
        )
    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            members = archive.infolist()
            if sum(m.file_size for m in members) > max_bytes:
                raise ValueError("its arrays are larger than the limit")
            for member in members:
                with archive.open(member) as fp:
                    version = np.lib.format.read_magic(fp)
                    if version == (1, 0):
                        shape, _, dtype = np.lib.format.read_array_header_1_0(fp)
                    elif version == (2, 0):
                        shape, _, dtype = np.lib.format.read_array_header_2_0(fp)
                    else:
                        raise ValueError(f"{member.filename}: .npy format {version}")
                    if dtype.hasobject:
                        raise ValueError(f"{member.filename} holds Python objects")
                    if math.prod(shape) * dtype.itemsize > member.file_size:
                        raise ValueError(f"{member.filename} is shorter than its header says")
        with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        meta = json.loads(arrays.pop(_META).tobytes().decode("utf-8"))
        if not isinstance(meta, dict):
            raise ValueError("its metadata is not a dict")
    except LinregError:
        raise
    except (ValueError, KeyError, OSError, EOFError, zipfile.BadZipFile, UnicodeError) as exc:
        raise LinregError("bad_checkpoint", reason=str(exc) or type(exc).__name__) from exc
    return arrays, meta
