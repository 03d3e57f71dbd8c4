"""Build the narrated training film "Trygghetskedjan" from scripts/film/film.yaml.

Writes the MP4 (H.264 + AAC), Swedish and English WebVTT captions and a JPEG poster into the
module's media folder. Needs ffmpeg, ffprobe, espeak-ng, the DejaVu fonts and Pillow; the portal
itself needs none of them, because the outputs are committed.

Run from the repository root:  .venv/bin/python scripts/make_film.py
"""

from __future__ import annotations

import array
import json
import re
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import yaml

try:
    from PIL import Image, ImageDraw, ImageFont
except ModuleNotFoundError:
    sys.exit("make_film: Pillow is missing. Install it with:\n  .venv/bin/pip install Pillow==13.0.0")

ROOT = Path(__file__).resolve().parent.parent
FILM_YAML = ROOT / "scripts" / "film" / "film.yaml"

WIDTH, HEIGHT = 1280, 720
TEAL = "#0b3d4c"
TEAL_LIGHT = "#e2f0f3"
TEAL_MUTED = "#9fc3cc"
PAPER = "#f7fafb"
INK = "#1a1a1a"
WHITE = "#ffffff"
SUBTITLE = "#d3ebf0"
ACCENT = "#e8a33d"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"

TITLE_BAR = 132
MARGIN = 72
CAPTION_LINE = 42
MAX_SIZE = 10 * 1024 * 1024
MAX_POSTER = 200 * 1024
DURATION_RANGE = (90.0, 180.0)
SILENCE_LEVEL = 300
STOPWORDS = {"och", "att", "som", "det", "den", "för", "med", "till", "är", "av", "om", "ett", "en"}

TOOLS = ("ffmpeg", "ffprobe", "espeak-ng")
INSTALL_HINT = (
    "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "
    "--no-install-recommends ffmpeg espeak-ng fonts-dejavu-core"
)


@dataclass(frozen=True)
class Sentence:
    """One narrated sentence: Swedish caption, English caption and what espeak-ng says."""

    sv: str
    en: str
    say: str


@dataclass(frozen=True)
class Slide:
    """One slide: its layout, on-screen text and narration."""

    id: str
    layout: str
    title: str
    subtitle: str = ""
    bullets: tuple[str, ...] = ()
    columns: tuple[tuple[str, ...], ...] = ()
    steps: tuple[int, ...] = ()
    narration: tuple[Sentence, ...] = ()

    def screen_text(self) -> list[str]:
        """Return every piece of text drawn on the slide."""
        return [self.title, self.subtitle, *self.bullets, *(label for col in self.columns for label in col)]


@dataclass(frozen=True)
class Film:
    """The whole film definition loaded from film.yaml."""

    title: str
    voice: str
    speed: int
    amplitude: int
    fps: int
    pause: dict[str, float]
    out_dir: Path
    name: str
    sources: tuple[str, ...]
    slides: tuple[Slide, ...]


@dataclass(frozen=True)
class Cue:
    """A caption cue in seconds with its Swedish and English text."""

    start: float
    end: float
    sv: str
    en: str


@dataclass
class Narration:
    """The assembled narration: samples, cues and each slide's length in seconds."""

    rate: int
    samples: array.array = field(default_factory=lambda: array.array("h"))
    cues: list[Cue] = field(default_factory=list)
    slide_seconds: list[float] = field(default_factory=list)


def fail(message: str) -> NoReturn:
    """Print an error and stop."""
    print(f"make_film: {message}", file=sys.stderr)
    sys.exit(1)


def check_tools() -> None:
    """Stop with install instructions if a needed tool or font is missing."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    missing += [str(font) for font in (FONT_REGULAR, FONT_BOLD) if not font.exists()]
    if missing:
        fail(f"missing {', '.join(missing)}. Install with:\n  {INSTALL_HINT}")


def as_steps(value: int | list[int] | None) -> tuple[int, ...]:
    """Turn a slide's `step` (one link or a list of links) into a tuple."""
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (value,)


def load_film(path: Path) -> Film:
    """Read film.yaml into a Film."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    slides = tuple(
        Slide(
            id=item["id"],
            layout=item["layout"],
            title=item["title"],
            subtitle=item.get("subtitle", ""),
            bullets=tuple(item.get("bullets", ())),
            columns=tuple(tuple(col) for col in item.get("columns", ())),
            steps=as_steps(item.get("step")),
            narration=tuple(
                Sentence(sv=s["sv"], en=s["en"], say=s.get("say", s["sv"])) for s in item["narration"]
            ),
        )
        for item in data["slides"]
    )
    return Film(
        title=data["title"],
        voice=data["voice"],
        speed=int(data["speed"]),
        amplitude=int(data["amplitude"]),
        fps=int(data["fps"]),
        pause={key: float(value) for key, value in data["pause"].items()},
        out_dir=ROOT / data["outputs"]["dir"],
        name=data["outputs"]["name"],
        sources=tuple(data["sources"]),
        slides=slides,
    )


def wrap_caption(text: str, width: int = CAPTION_LINE) -> list[str]:
    """Split a caption into one or two balanced lines of at most `width` characters."""
    if len(text) <= width:
        return [text]
    splits = [
        (text[: match.start()], text[match.end() :])
        for match in re.finditer(" ", text)
        if match.start() <= width and len(text) - match.end() <= width
    ]
    if not splits:
        raise ValueError(f"caption does not fit two lines of {width} characters: {text!r}")
    at_punctuation = [pair for pair in splits if pair[0][-1] in ",:;"]
    return list(min(at_punctuation or splits, key=lambda pair: max(map(len, pair))))


def words(text: str) -> list[str]:
    """Return the lower-case words of a text."""
    return re.findall(r"\w+", text.lower())


def validate(film: Film) -> None:
    """Check slide count, caption length and that every word on screen is also spoken."""
    if not 6 <= len(film.slides) <= 10:
        fail(f"the film needs 6-10 slides, it has {len(film.slides)}")
    if not film.sources:
        fail("film.yaml must list the brief sections it uses under `sources:`")
    for slide in film.slides:
        spoken = [word for sentence in slide.narration for word in words(sentence.sv)]
        for sentence in slide.narration:
            for text in (sentence.sv, sentence.en):
                try:
                    wrap_caption(text)
                except ValueError as error:
                    fail(f"slide {slide.id}: {error}")
        for text in slide.screen_text():
            for word in words(text):
                if len(word) >= 3 and word not in STOPWORDS and not any(w.startswith(word) for w in spoken):
                    fail(f"slide {slide.id}: on-screen word {word!r} is not in its narration")


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """Load DejaVu Sans at a pixel size."""
    return ImageFont.truetype(str(FONT_BOLD if bold else FONT_REGULAR), size)


def wrap_pixels(text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Wrap text into lines no wider than `width` pixels; two lines are balanced."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and face.getlength(candidate) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    if len(lines) == 2:
        parts = text.split()
        splits = [(" ".join(parts[:i]), " ".join(parts[i:])) for i in range(1, len(parts))]
        fitting = [pair for pair in splits if max(map(face.getlength, pair)) <= width]
        lines = list(min(fitting, key=lambda pair: max(map(face.getlength, pair))))
    return lines


def draw_title_bar(draw: ImageDraw.ImageDraw, title: str) -> None:
    """Draw the dark teal title bar with the slide title and an accent line."""
    draw.rectangle((0, 0, WIDTH, TITLE_BAR), fill=TEAL)
    draw.rectangle((0, TITLE_BAR, WIDTH, TITLE_BAR + 6), fill=ACCENT)
    draw.text((MARGIN, TITLE_BAR // 2), title, font=font(56, bold=True), fill=WHITE, anchor="lm")


def draw_progress(draw: ImageDraw.ImageDraw, index: int, total: int) -> None:
    """Draw a row of dots at the bottom showing where in the film we are."""
    gap, radius, y = 30, 7, HEIGHT - 32
    x0 = WIDTH // 2 - gap * (total - 1) // 2
    for i in range(total):
        x = x0 + i * gap
        box = (x - radius, y - radius, x + radius, y + radius)
        if i == index:
            draw.ellipse(box, fill=TEAL)
        else:
            draw.ellipse(box, outline=TEAL_MUTED, width=2)


def draw_arrow(draw: ImageDraw.ImageDraw, x: int, top: int, bottom: int) -> None:
    """Draw a downward teal arrow from `top` to `bottom` at column `x`."""
    head = 12
    draw.line((x, top, x, bottom - head), fill=TEAL, width=6)
    draw.polygon([(x - head, bottom - head), (x + head, bottom - head), (x, bottom)], fill=TEAL)


def draw_chain_marker(draw: ImageDraw.ImageDraw, steps: tuple[int, ...], links: int = 5) -> None:
    """Draw a small vertical chain at the right edge with the given links filled."""
    x, spacing, radius = WIDTH - 120, 86, 20
    top = TITLE_BAR + (HEIGHT - TITLE_BAR - 40 - spacing * (links - 1)) // 2
    draw.line((x, top, x, top + spacing * (links - 1)), fill=TEAL_MUTED, width=6)
    for i in range(links):
        y = top + i * spacing
        if i in steps:
            draw.ellipse((x - radius - 8, y - radius - 8, x + radius + 8, y + radius + 8), fill=TEAL)
            draw.ellipse((x - 9, y - 9, x + 9, y + 9), fill=ACCENT)
        else:
            draw.ellipse(
                (x - radius, y - radius, x + radius, y + radius), fill=PAPER, outline=TEAL_MUTED, width=5
            )


def render_title(slide: Slide) -> Image.Image:
    """Render the title slide: teal background, big title, subtitle and a drawn chain."""
    image = Image.new("RGB", (WIDTH, HEIGHT), TEAL)
    draw = ImageDraw.Draw(image)
    draw.text((WIDTH // 2, 250), slide.title, font=font(96, bold=True), fill=WHITE, anchor="mm")
    draw.rectangle((WIDTH // 2 - 90, 322, WIDTH // 2 + 90, 328), fill=ACCENT)
    draw.text((WIDTH // 2, 390), slide.subtitle, font=font(44), fill=SUBTITLE, anchor="mm")
    links, y = 5, 540
    spacing = 150
    x0 = WIDTH // 2 - spacing * (links - 1) // 2
    draw.line((x0, y, x0 + spacing * (links - 1), y), fill=TEAL_MUTED, width=6)
    for i in range(links):
        x = x0 + i * spacing
        draw.ellipse((x - 30, y - 30, x + 30, y + 30), fill=TEAL, outline=WHITE, width=6)
    last = x0 + spacing * (links - 1)
    draw.ellipse((last - 14, y - 14, last + 14, y + 14), fill=ACCENT)
    return image


def render_bullets(slide: Slide) -> Image.Image:
    """Render a title bar and a list of big bullets."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw_title_bar(draw, slide.title)
    face, line_height, item_gap = font(46), 62, 34
    text_x = MARGIN + 52
    width = WIDTH - text_x - (240 if slide.steps else MARGIN)
    blocks = [wrap_pixels(bullet, face, width) for bullet in slide.bullets]
    total = sum(len(lines) * line_height for lines in blocks) + item_gap * (len(blocks) - 1)
    y = TITLE_BAR + (HEIGHT - TITLE_BAR - 60 - total) // 2 + 10
    for lines in blocks:
        cy = y + line_height // 2
        draw.rounded_rectangle((MARGIN + 4, cy - 11, MARGIN + 26, cy + 11), radius=5, fill=TEAL)
        for line in lines:
            draw.text((text_x, y + line_height // 2), line, font=face, fill=INK, anchor="lm")
            y += line_height
        y += item_gap
    if slide.steps:
        draw_chain_marker(draw, slide.steps)
    return image


def flow_column(
    draw: ImageDraw.ImageDraw, labels: tuple[str, ...], x: int, width: int, top: int, header: bool
) -> None:
    """Draw one column of boxes joined by arrows; the first box is filled when `header` is set."""
    face, bold, line_height, pad, arrow = font(40), font(40, bold=True), 50, 12, 34
    y = top
    for i, label in enumerate(labels):
        filled = header and i == 0
        lines = wrap_pixels(label, bold if filled else face, width - 40)
        height = len(lines) * line_height + 2 * pad
        draw.rounded_rectangle(
            (x, y, x + width, y + height),
            radius=14,
            fill=TEAL if filled else TEAL_LIGHT,
            outline=TEAL,
            width=3,
        )
        for j, line in enumerate(lines):
            draw.text(
                (x + width // 2, y + pad + j * line_height + line_height // 2),
                line,
                font=bold if filled else face,
                fill=WHITE if filled else TEAL,
                anchor="mm",
            )
        y += height
        if i < len(labels) - 1:
            draw_arrow(draw, x + width // 2, y + 4, y + arrow - 4)
            y += arrow


def column_height(labels: tuple[str, ...], width: int) -> int:
    """Return the pixel height a flow column will take."""
    face, line_height, pad, arrow = font(40, bold=True), 50, 12, 34
    boxes = sum(len(wrap_pixels(label, face, width - 40)) * line_height + 2 * pad for label in labels)
    return boxes + arrow * (len(labels) - 1)


def render_flow(slide: Slide) -> Image.Image:
    """Render a title bar and one or two columns of boxes and arrows."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw_title_bar(draw, slide.title)
    count = len(slide.columns)
    width = 560 if count == 1 else 500
    gap = 100
    x0 = (WIDTH - count * width - (count - 1) * gap) // 2
    area_top, area_bottom = TITLE_BAR + 24, HEIGHT - 60
    tallest = max(column_height(labels, width) for labels in slide.columns)
    top = area_top + (area_bottom - area_top - tallest) // 2
    for i, labels in enumerate(slide.columns):
        flow_column(draw, labels, x0 + i * (width + gap), width, top, header=count > 1)
    return image


def render_slide(slide: Slide, index: int, total: int) -> Image.Image:
    """Render a slide with its layout and add the progress dots."""
    renderers = {"title": render_title, "bullets": render_bullets, "flow": render_flow}
    if slide.layout not in renderers:
        fail(f"slide {slide.id}: unknown layout {slide.layout!r}")
    image = renderers[slide.layout](slide)
    if slide.layout != "title":
        draw_progress(ImageDraw.Draw(image), index, total)
    return image


def run(command: list[str]) -> str:
    """Run a command, stop on failure, return its standard output."""
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        fail(f"{' '.join(command[:3])} ... failed:\n{result.stderr.strip()}")
    return result.stdout


def speak(text: str, film: Film, path: Path) -> tuple[int, array.array]:
    """Synthesize one sentence with espeak-ng and return its rate and trimmed samples."""
    voice = ["-v", film.voice, "-s", str(film.speed), "-a", str(film.amplitude)]
    run(["espeak-ng", *voice, "-w", str(path), text])
    with wave.open(str(path), "rb") as wav:
        if wav.getnchannels() != 1 or wav.getsampwidth() != 2:
            fail(f"unexpected WAV format from espeak-ng: {path}")
        rate = wav.getframerate()
        samples = array.array("h", wav.readframes(wav.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    return rate, trim_silence(samples)


def trim_silence(samples: array.array) -> array.array:
    """Cut leading and trailing near-silence so cue times match the speech."""
    loud = [i for i, value in enumerate(samples) if abs(value) > SILENCE_LEVEL]
    if not loud:
        return samples
    return samples[loud[0] : loud[-1] + 1]


def add_silence(narration: Narration, seconds: float) -> None:
    """Append `seconds` of silence to the narration."""
    narration.samples.extend([0] * round(seconds * narration.rate))


def synthesize_all(film: Film, workdir: Path) -> tuple[int, list[list[array.array]]]:
    """Speak every sentence; return the common sample rate and the samples per slide."""
    rates: set[int] = set()
    per_slide: list[list[array.array]] = []
    for s_index, slide in enumerate(film.slides):
        speeches = []
        for n_index, sentence in enumerate(slide.narration):
            rate, speech = speak(sentence.say, film, workdir / f"s{s_index:02d}_{n_index:02d}.wav")
            rates.add(rate)
            speeches.append(speech)
        per_slide.append(speeches)
    if len(rates) != 1:
        fail(f"espeak-ng returned WAVs with sample rates {sorted(rates)}")
    return rates.pop(), per_slide


def build_narration(film: Film, workdir: Path) -> Narration:
    """Lay the spoken sentences out with pauses and record cue and slide timings."""
    rate, per_slide = synthesize_all(film, workdir)
    narration = Narration(rate=rate)
    for s_index, (slide, speeches) in enumerate(zip(film.slides, per_slide, strict=True)):
        slide_start = len(narration.samples)
        for n_index, (sentence, speech) in enumerate(zip(slide.narration, speeches, strict=True)):
            add_silence(narration, film.pause["lead"] if n_index == 0 else film.pause["between"])
            start = len(narration.samples) / rate
            narration.samples.extend(speech)
            narration.cues.append(Cue(start, len(narration.samples) / rate, sentence.sv, sentence.en))
        add_silence(narration, film.pause["tail"])
        if s_index == len(film.slides) - 1:
            add_silence(narration, film.pause["end"])
        pad_to_frame(narration, film.fps)
        narration.slide_seconds.append((len(narration.samples) - slide_start) / rate)
    return narration


def pad_to_frame(narration: Narration, fps: int) -> None:
    """Pad with silence so the narration so far ends exactly on a video frame boundary."""
    if narration.rate % fps:
        fail(f"the sample rate {narration.rate} is not a multiple of {fps} fps")
    per_frame = narration.rate // fps
    narration.samples.extend([0] * (-len(narration.samples) % per_frame))


def hold_cues(cues: list[Cue], hold: float) -> list[Cue]:
    """Keep each cue on screen a little after its speech, without overlapping the next cue."""
    held = []
    for i, cue in enumerate(cues):
        limit = cues[i + 1].start if i + 1 < len(cues) else cue.end + hold
        held.append(Cue(start=cue.start, end=min(cue.end + hold, limit), sv=cue.sv, en=cue.en))
    return held


def write_wav(narration: Narration, path: Path) -> None:
    """Write the narration as a 16-bit mono WAV."""
    samples = array.array("h", narration.samples)
    if sys.byteorder == "big":
        samples.byteswap()
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(narration.rate)
        wav.writeframes(samples.tobytes())


def timestamp(seconds: float) -> str:
    """Format seconds as a WebVTT timestamp."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def vtt_escape(text: str) -> str:
    """Escape the characters WebVTT treats as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_vtt(cues: list[Cue], language: str, path: Path) -> None:
    """Write WebVTT captions in one language, one cue per sentence."""
    parts = [f"WEBVTT\nKind: captions\nLanguage: {language}\n"]
    for number, cue in enumerate(cues, start=1):
        text = "\n".join(vtt_escape(line) for line in wrap_caption(getattr(cue, language)))
        parts.append(f"{number}\n{timestamp(cue.start)} --> {timestamp(cue.end)}\n{text}\n")
    path.write_text("\n".join(parts), encoding="utf-8")


def encode_video(film: Film, images: list[Path], seconds: list[float], wav: Path, out: Path) -> None:
    """Encode the slides and narration into an H.264 + AAC MP4 with fast start."""
    command = ["ffmpeg", "-y", "-hide_banner", "-loglevel", "error"]
    for image, duration in zip(images, seconds, strict=True):
        command += ["-loop", "1", "-framerate", str(film.fps), "-t", f"{duration:.6f}", "-i", str(image)]
    command += ["-i", str(wav)]
    streams = "".join(f"[{i}:v]" for i in range(len(images)))
    video_filter = (
        f"{streams}concat=n={len(images)}:v=1:a=0,scale=out_color_matrix=bt709:out_range=tv,format=yuv420p[v]"
    )
    command += ["-filter_complex", video_filter, "-map", "[v]", "-map", f"{len(images)}:a"]
    command += ["-c:v", "libx264", "-preset", "slow", "-tune", "stillimage", "-crf", "26"]
    command += ["-profile:v", "high", "-pix_fmt", "yuv420p", "-r", str(film.fps), "-g", str(film.fps * 10)]
    command += ["-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709"]
    command += ["-c:a", "aac", "-b:a", "96k", "-ar", "48000", "-ac", "1"]
    command += ["-map_metadata", "-1", "-metadata", f"title={film.title}", "-metadata:s:a:0", "language=swe"]
    command += ["-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact"]
    command += ["-movflags", "+faststart", str(out)]
    run(command)


def probe(path: Path) -> dict:
    """Return ffprobe's JSON description of a media file."""
    output = run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
    )
    return json.loads(output)


def check_outputs(info: dict, cues: list[Cue], video: Path, poster: Path) -> float:
    """Check codecs, duration, sizes and cue bounds; return the duration in seconds."""
    codecs = sorted(stream["codec_name"] for stream in info["streams"])
    if codecs != ["aac", "h264"]:
        fail(f"unexpected streams {codecs}")
    duration = float(info["format"]["duration"])
    low, high = DURATION_RANGE
    if not low <= duration <= high:
        fail(f"duration {duration:.1f} s is outside {low:.0f}-{high:.0f} s")
    if video.stat().st_size > MAX_SIZE:
        fail(f"{video} is larger than 10 MB")
    if poster.stat().st_size > MAX_POSTER:
        fail(f"{poster} is larger than 200 kB")
    for previous, cue in zip(cues, cues[1:], strict=False):
        if cue.start < previous.end:
            fail(f"cues overlap at {timestamp(cue.start)}")
    if cues[-1].end > duration:
        fail(f"the last cue ends after the film ({cues[-1].end:.2f} s > {duration:.2f} s)")
    return duration


def main() -> None:
    """Rebuild the film, captions and poster from film.yaml."""
    check_tools()
    film = load_film(FILM_YAML)
    validate(film)
    film.out_dir.mkdir(parents=True, exist_ok=True)
    video = film.out_dir / f"{film.name}.mp4"
    poster = film.out_dir / f"{film.name}.jpg"
    captions = {lang: film.out_dir / f"{film.name}.{lang}.vtt" for lang in ("sv", "en")}
    with tempfile.TemporaryDirectory(prefix="make_film_") as tmp:
        workdir = Path(tmp)
        images = []
        for index, slide in enumerate(film.slides):
            image = render_slide(slide, index, len(film.slides))
            images.append(workdir / f"slide{index:02d}.png")
            image.save(images[-1])
            if index == 0:
                image.save(poster, "JPEG", quality=88, optimize=True)
        narration = build_narration(film, workdir)
        wav = workdir / "narration.wav"
        write_wav(narration, wav)
        encode_video(film, images, narration.slide_seconds, wav, video)
    cues = hold_cues(narration.cues, hold=0.5)
    for lang, path in captions.items():
        write_vtt(cues, lang, path)
    duration = check_outputs(probe(video), cues, video, poster)
    print(f"Film: {len(film.slides)} slides, {len(cues)} cues, {duration:.1f} s")
    for path in (video, captions["sv"], captions["en"], poster):
        print(f"  {path.relative_to(ROOT)}  {path.stat().st_size / 1024:.0f} kB")


if __name__ == "__main__":
    main()
