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
    """The duration in seconds from an MP4's movie header ('mvhd'), or None when not found."""
    data = path.read_bytes()
    index = data.find(b"mvhd")
    if index < 4:
        return None
    version = data[index + 4]
    if version == 1:
        timescale, duration = struct.unpack(">IQ", data[index + 24 : index + 36])
    else:
        timescale, duration = struct.unpack(">II", data[index + 16 : index + 24])
    return round(duration / timescale, 3) if timescale else None


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
