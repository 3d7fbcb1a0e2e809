"""A small ESC/POS decoder for tests: bytes back into text lines and events.

Strict on purpose: an unknown command raises, so a test notices bytes it did not expect. Text
is decoded as GB18030 while Chinese mode (`FS &`) is on, as a Chinese printer would; with it off,
a byte above 0x7F decodes as '?' — what a printer in a single-byte code page shows for Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Line:
    text: str
    big: bool = False
    bold: bool = False
    center: bool = False


@dataclass
class Decoded:
    lines: list[Line] = field(default_factory=list)
    #: ("init",), ("chinese", True/False), ("qr", data), ("image", w, h), ("cut",),
    #: ("drawer", pin, on_ms, off_ms), ("feed", n), ("status", n)
    events: list[tuple[object, ...]] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [line.text for line in self.lines]

    def kinds(self) -> list[object]:
        return [e[0] for e in self.events]

    def qrs(self) -> list[str]:
        return [str(e[1]) for e in self.events if e[0] == "qr"]


def decode(data: bytes) -> Decoded:
    out = Decoded()
    chinese = False
    bold = big = center = False
    buf = bytearray()
    qr_store: bytes | None = None
    i = 0

    def flush() -> None:
        text = (
            bytes(buf).decode("gb18030")
            if chinese
            else "".join(chr(b) if b < 0x80 else "?" for b in buf)
        )
        out.lines.append(Line(text, big=big, bold=bold, center=center))
        buf.clear()

    while i < len(data):
        b = data[i]
        if b == 0x0A:
            flush()
            i += 1
        elif b == 0x1B:  # ESC
            c = data[i + 1]
            if c == 0x40:
                out.events.append(("init",))
                chinese = bold = big = center = False
                i += 2
            elif c == 0x21:  # ESC ! n: print mode
                n = data[i + 2]
                bold = bool(n & 0x08)
                big = bool(n & 0x30)
                i += 3
            elif c == 0x45:
                bold = bool(data[i + 2] & 1)
                i += 3
            elif c == 0x61:
                center = data[i + 2] in (1, 0x31)
                i += 3
            elif c in (0x7B, 0x2D, 0x4D, 0x74, 0x47, 0x32, 0x33):  # flips, underline, font, cp
                i += 2 if c == 0x32 else 3
            elif c == 0x64:
                out.events.append(("feed", data[i + 2]))
                i += 3
            elif c == 0x70:
                out.events.append(("drawer", data[i + 2], data[i + 3] * 2, data[i + 4] * 2))
                i += 5
            else:
                raise ValueError(f"unknown ESC {c:#04x} at {i}")
        elif b == 0x1D:  # GS
            c = data[i + 1]
            if c == 0x21:
                big = data[i + 2] != 0
                i += 3
            elif c in (0x62, 0x42):
                i += 3
            elif c == 0x56:  # GS V m [n]
                m = data[i + 2]
                out.events.append(("cut",))
                i += 4 if m in (0x41, 0x42, 65, 66) else 3
            elif c == 0x28 and data[i + 2] == 0x6B:  # GS ( k pL pH cn fn ...
                n = data[i + 3] | data[i + 4] << 8
                body = data[i + 5 : i + 5 + n]
                if body[:2] == b"1P":
                    qr_store = body[3:]
                elif body[:2] == b"1Q":
                    if qr_store is None:
                        raise ValueError("QR print without stored data")
                    out.events.append(("qr", qr_store.decode("utf-8")))
                i += 5 + n
            elif c == 0x76 and data[i + 2] == 0x30:  # GS v 0 m xL xH yL yH raster
                xb = data[i + 4] | data[i + 5] << 8
                h = data[i + 6] | data[i + 7] << 8
                out.events.append(("image", xb * 8, h))
                i += 8 + xb * h
            else:
                raise ValueError(f"unknown GS {c:#04x} at {i}")
        elif b == 0x1C:  # FS
            c = data[i + 1]
            if c == 0x26:
                chinese = True
                out.events.append(("chinese", True))
            elif c == 0x2E:
                chinese = False
                out.events.append(("chinese", False))
            else:
                raise ValueError(f"unknown FS {c:#04x} at {i}")
            i += 2
        elif b == 0x10 and data[i + 1] == 0x04:
            out.events.append(("status", data[i + 2]))
            i += 3
        elif b < 0x20 and b not in (0x09,):
            raise ValueError(f"unknown control {b:#04x} at {i}")
        else:
            buf.append(b)
            i += 1
    if buf:
        flush()
    return out
