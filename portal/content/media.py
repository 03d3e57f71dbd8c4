"""Recognising media files by their content, not their names."""

import html
import re
import struct
from pathlib import Path

MP4_BRANDS_OFFSET = 4
WEBM_MAGIC = b"\x1a\x45\xdf\xa3"
IMAGE_MAGIC = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}


def video_type(head: bytes) -> str | None:
    """'video/mp4', 'video/webm' or None, from the first bytes of a file."""
    if head[MP4_BRANDS_OFFSET : MP4_BRANDS_OFFSET + 4] == b"ftyp":
        return "video/mp4"
    if head.startswith(WEBM_MAGIC):
        return "video/webm"
    return None


def image_type(head: bytes) -> str | None:
    for magic, mimetype in IMAGE_MAGIC.items():
        if head.startswith(magic):
            return mimetype
    if head.lstrip().startswith((b"<svg", b"<?xml")) and b"<svg" in head[:1024]:
        return "image/svg+xml"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def mp4_duration(path: Path) -> float | None:
    """The duration in seconds from an MP4's movie header (moov/mvhd), or None when not found."""
    return mp4_duration_of(path.read_bytes())


def mp4_duration_of(data: bytes) -> float | None:
    """As mp4_duration, from the file's bytes. Never raises."""
    moov = _box(data, 0, len(data), b"moov")
    mvhd = _box(data, *moov, b"mvhd") if moov else None
    if mvhd is None:
        return None
    start, end = mvhd
    # The box's payload: version, 3 bytes of flags, creation and modification times, then these.
    layout, offset = (">IQ", 20) if data[start : start + 1] == b"\x01" else (">II", 12)
    if start + offset + struct.calcsize(layout) > end:
        return None
    timescale, duration = struct.unpack_from(layout, data, start + offset)
    return round(duration / timescale, 3) if timescale else None


def _box(data: bytes, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    """(payload start, end) of the first box of ``kind`` between start and end. Walking the boxes
    matters: the bytes 'mvhd' also turn up inside the compressed media of a long film."""
    while start + 8 <= end:
        size, name = struct.unpack_from(">I4s", data, start)
        header = 8
        if size == 1 and start + 16 <= end:  # a 64-bit size follows the name
            size, header = struct.unpack_from(">Q", data, start + 8)[0], 16
        elif size == 0:  # the box runs to the end of the file
            size = end - start
        if size < header or start + size > end:
            return None
        if name == kind:
            return start + header, start + size
        start += size
    return None


def is_webvtt(text: str) -> bool:
    return text.lstrip("\ufeff").startswith("WEBVTT")


CUE_TIMING = re.compile(r"^\s*((?:\d+:)?\d{1,2}:\d{2}\.\d{3})\s+-->\s+((?:\d+:)?\d{1,2}:\d{2}\.\d{3})")


def _seconds(stamp: str) -> float:
    parts = [float(part) for part in stamp.split(":")]
    return sum(value * 60**power for power, value in enumerate(reversed(parts)))


def vtt_cues(text: str) -> list[tuple[float, float, str]]:
    """(start, end, text) of every cue in a WebVTT file; markup tags removed. Never raises."""
    cues = []
    for block in re.split(r"\r?\n\s*\r?\n", text.replace("\r\n", "\n")):
        lines = block.strip("\n").split("\n")
        for index, line in enumerate(lines):
            match = CUE_TIMING.match(line)
            if match:
                body = " ".join(TAG.sub("", part).strip() for part in lines[index + 1 :]).strip()
                if body:
                    cues.append((_seconds(match.group(1)), _seconds(match.group(2)), html.unescape(body)))
                break
    return cues


TAG = re.compile(r"<[^>]*>")
