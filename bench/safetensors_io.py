"""Minimal safetensors reader (F32, BF16) and F32 writer on numpy, so the bench needs no `safetensors` package.

BF16 is handled as raw uint16 bit patterns (numpy has no bfloat16): `bf16_bits` rounds float32 to nearest-even,
`bf16_to_float32` widens exactly.
"""
import json
import struct

import numpy as np

_DTYPES = {"F32": np.float32, "BF16": np.uint16}


def write(path, tensors):
    """Writes {name: float32 array} to `path` in sorted name order, the header padded with spaces to a multiple of 8
    (as the reference writer does). (make_gemma2_pair.py streams its BF16 files itself.)"""
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    names = sorted(tensors)
    for name in names:
        array = tensors[name]
        assert array.dtype == np.float32, f"{name}: {array.dtype}"
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + array.nbytes]}
        offset += array.nbytes
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for name in names:
            np.ascontiguousarray(tensors[name]).tofile(f)


def read(path):
    """{name: numpy array} (memory-mapped; BF16 tensors come back as uint16 bits)."""
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + length)
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        tensors[name] = data[begin:end].view(_DTYPES[entry["dtype"]]).reshape(entry["shape"])
    return tensors


def read_float32(path):
    """{name: float32 array}, BF16 widened exactly."""
    return {name: bf16_to_float32(a) if a.dtype == np.uint16 else np.asarray(a) for name, a in read(path).items()}


def bf16_bits(values):
    """float32 -> BF16 bits, round to nearest even (no NaN/Inf expected)."""
    bits = np.ascontiguousarray(values, dtype=np.float32).view(np.uint32)
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)


def bf16_to_float32(bits):
    return (np.asarray(bits, dtype=np.uint32) << 16).view(np.float32)
