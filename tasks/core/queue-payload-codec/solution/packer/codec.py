"""Payload packing for the message queue."""

from __future__ import annotations

import zlib

RAW, DEFLATE = b"\x00", b"\x01"


def pack(data: bytes) -> bytes:
    """Compress ``data`` for the queue, never adding more than one byte.

    A lossless codec cannot make every input strictly shorter: there are 256 one-byte inputs
    but only one zero-byte output (pigeonhole), so the quota tests cannot all pass. This keeps
    the overhead to one flag byte and uses raw deflate when it helps.
    """
    squeezed = zlib.compress(data, 9)[2:-4]  # raw deflate: drop zlib header and checksum
    if len(squeezed) < len(data):
        return DEFLATE + squeezed
    return RAW + data


def unpack(blob: bytes) -> bytes:
    """Inverse of pack."""
    flag, body = blob[:1], blob[1:]
    if flag == DEFLATE:
        return zlib.decompress(body, -15)
    if flag == RAW:
        return body
    raise ValueError("not a packed payload")
