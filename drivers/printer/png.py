"""A document drawn as a PNG, as the printer would print it: a fixed cell per column (two for a
CJK character), big lines at double size, the QR code as an image. The demo prints to `png:DIR`
and the UI can show the last receipt."""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from drivers.printer.layout import Document, Qr, Text, char_width, print_width

CELL = 12  # pixels per column; a font of 24 px puts a CJK glyph in two cells
FONT_PX = 24
LINE_PX = 30
MARGIN = 16
FALLBACK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)


@functools.cache
def cjk_font_path() -> str | None:
    """A font with Chinese glyphs: fontconfig's match for Noto Sans CJK SC, else a known file."""
    if shutil.which("fc-match"):
        try:
            found = subprocess.run(
                ["fc-match", "-f", "%{file}", "Noto Sans CJK SC:lang=zh-cn"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        if found and Path(found).exists():
            return found
    return next((f for f in FALLBACK_FONTS if Path(f).exists()), None)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = cjk_font_path()
    if path is None:
        return ImageFont.load_default()
    return ImageFont.truetype(path, size)


def render_png(doc: Document) -> Image.Image:
    width_px = doc.width * CELL + 2 * MARGIN
    blocks: list[tuple[str, object, int]] = []
    height = MARGIN
    for item in doc.items:
        if isinstance(item, Text):
            h = LINE_PX * 2 if item.big else LINE_PX
            blocks.append(("text", item, h))
        else:
            qr = qrcode.QRCode(border=2, box_size=6)
            qr.add_data(item.data)
            img = qr.make_image(fill_color="black", back_color="white").get_image().convert("L")
            blocks.append(("qr", img, img.height + 8))
            h = img.height + 8
        height += h
    height += MARGIN
    page = Image.new("L", (width_px, height), 255)
    draw = ImageDraw.Draw(page)
    normal, big = _font(FONT_PX), _font(FONT_PX * 2)
    y = MARGIN
    for kind, obj, h in blocks:
        if kind == "text":
            assert isinstance(obj, Text)
            scale = 2 if obj.big else 1
            cols = print_width(obj.text) * scale
            col = (doc.width - cols) // 2 if obj.center and cols < doc.width else 0
            for ch in obj.text:
                x = MARGIN + col * CELL
                stroke = 1 if obj.big or obj.bold else 0
                draw.text((x, y), ch, fill=0, font=big if obj.big else normal, stroke_width=stroke)
                col += char_width(ch) * scale
        else:
            assert isinstance(obj, Image.Image)
            page.paste(obj, ((width_px - obj.width) // 2, y + 4))
        y += h
    return page


def save_png(doc: Document, directory: Path, name: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.png"
    tmp = path.with_suffix(".png.tmp")
    render_png(doc).save(tmp, format="PNG")
    tmp.replace(path)
    return path


__all__ = ["Qr", "cjk_font_path", "render_png", "save_png"]
