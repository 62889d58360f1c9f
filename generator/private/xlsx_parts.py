"""A zip (an .xlsx) written from parts deflated piece by piece, so that a piece the last build
deflated can be copied into the new file as it is.

Each `Piece` is deflated on its own (a new compressor, flushed to a byte boundary, no reference
to an earlier piece), so a part's deflate stream is its pieces one after the other and a part's
CRC is combined from its pieces' (`crc32_combine`, zlib's). The same pieces give the same bytes:
zlib deflates the same data at the same level the same way (the zlib version is part of what a
kept piece is kept with, see closing.Chunks). The 办结表 writes its rows so: after one edited
payout, one piece of a year's 36,000 rows is worked out and deflated again, and the others are
copied from the last build's file (`Piece.raw`).

    pieces = [piece(b"<head>"), piece(rows), piece(b"</tail>", final=True)]
    data, offsets = zip_bytes([(name, date_time, external_attr, pieces), ...])
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

LEVEL = 1  # the rows (tens of MB of XML a year at a 20,000-worker station): a third of the default level's time
PART_LEVEL = zlib.Z_DEFAULT_COMPRESSION  # every other part, as zipfile deflates it
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_FINAL = zlib.compressobj(LEVEL, zlib.DEFLATED, -15).flush()  # an empty last block: the end of a stream


@dataclass(frozen=True)
class Piece:
    """Deflated bytes (`raw`, a stream's end only when `final`), the CRC-32 and size of the data."""
    raw: bytes
    crc: int
    size: int


def piece(data: bytes, level: int = LEVEL, final: bool = False) -> Piece:
    """`data` deflated on its own: flushed to a byte boundary (a stream's last piece: ended)."""
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    raw = c.compress(data) + c.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)
    return Piece(raw, zlib.crc32(data), len(data))


def _gf2_times(matrix: list[int], vector: int) -> int:
    out, i = 0, 0
    while vector:
        if vector & 1:
            out ^= matrix[i]
        vector >>= 1
        i += 1
    return out


def _gf2_square(matrix: list[int]) -> list[int]:
    return [_gf2_times(matrix, m) for m in matrix]


_ZEROS: list[list[int]] = []  # the operator that appends 2**k zero bytes to a CRC, for each k


def _zeros(k: int) -> list[int]:
    if not _ZEROS:
        one_bit = [0xEDB88320] + [1 << n for n in range(31)]
        _ZEROS.append(_gf2_square(_gf2_square(_gf2_square(one_bit))))  # one zero byte: eight bits
    while len(_ZEROS) <= k:
        _ZEROS.append(_gf2_square(_ZEROS[-1]))
    return _ZEROS[k]


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """The CRC-32 of A + B from crc32(A), crc32(B) and len(B) (zlib's crc32_combine)."""
    k = 0
    while len2 > 0:
        if len2 & 1:
            crc1 = _gf2_times(_zeros(k), crc1)
        len2 >>= 1
        k += 1
    return crc1 ^ crc2


def _dos_time(date_time: tuple) -> tuple[int, int]:
    y, mo, d, h, mi, s = date_time
    return (h << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d


def zip_bytes(parts: list[tuple[str, tuple, int, list[Piece]]]) -> tuple[bytes, dict[str, list[int]]]:
    """The zip of `parts` (name, date_time, external_attr, pieces: deflated, the last one final),
    in that order; and, for each part, the offset of each of its pieces in the file."""
    out: list[bytes] = []
    central: list[bytes] = []
    offsets: dict[str, list[int]] = {}
    at = 0
    for name, date_time, external_attr, pieces in parts:
        crc, size = 0, 0
        for p in pieces:
            crc, size = crc32_combine(crc, p.crc, p.size), size + p.size
        packed = sum(len(p.raw) for p in pieces)
        encoded = name.encode("ascii") if name.isascii() else name.encode("utf-8")
        flags = 0 if name.isascii() else 0x800
        time, day = _dos_time(date_time)
        header = _LOCAL.pack(b"PK\x03\x04", 20, 0, flags, zlib.DEFLATED, time, day, crc, packed, size,
                             len(encoded), 0)
        central.append(_CENTRAL.pack(b"PK\x01\x02", 20, 3, 20, 0, flags, zlib.DEFLATED, time, day, crc, packed,
                                     size, len(encoded), 0, 0, 0, 0, external_attr, at) + encoded)
        out += (header, encoded)
        at += len(header) + len(encoded)
        offsets[name] = []
        for p in pieces:
            offsets[name].append(at)
            out.append(p.raw)
            at += len(p.raw)
    directory = b"".join(central)
    out += (directory, _END.pack(b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), at, 0))
    return b"".join(out), offsets


def whole(data: bytes, level: int = PART_LEVEL) -> list[Piece]:
    """A part deflated in one piece."""
    return [piece(data, level, final=True)]


def end(pieces: list[Piece]) -> list[Piece]:
    """Pieces ended as a stream (an empty final block after them)."""
    return [*pieces, Piece(_FINAL, 0, 0)]
