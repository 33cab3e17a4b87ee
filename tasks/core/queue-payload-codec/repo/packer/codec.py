"""Payload packing for the message queue."""

from __future__ import annotations

import zlib


def pack(data: bytes) -> bytes:
    """Compress ``data`` for the queue."""
    return zlib.compress(data, 9)


def unpack(blob: bytes) -> bytes:
    """Inverse of pack."""
    return zlib.decompress(blob)
