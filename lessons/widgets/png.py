"""A minimal PNG encoder for a rendered figure: faster than Pillow on plots."""

import struct
import zlib

import numpy as np


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(rgba: np.ndarray) -> bytes:
    """An 8-bit RGBA PNG of an (height, width, 4) array, its rows unfiltered, zlib level 1.

    A plot is long runs of one colour, which deflate finds without PNG's row filters: Pillow's
    adaptive filtering takes twice as long (9 ms for 640 x 460) and gives 60 % more bytes. The
    canvas's RGBA rows are copied whole: dropping alpha would copy byte by byte (1.3 ms for
    640 x 430 against 0.1 ms), and deflate squeezes the constant alpha to a few percent more bytes.
    """
    height, width, _ = rgba.shape
    rows = np.empty((height, 1 + 4 * width), np.uint8)  # each row: filter type 0, then RGBA
    rows[:, 0] = 0
    rows[:, 1:] = rgba.reshape(height, -1)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8 bits, RGBA, no interlace
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            png_chunk(b"IHDR", header),
            png_chunk(b"IDAT", zlib.compress(rows, 1)),
            png_chunk(b"IEND", b""),
        ]
    )
