"""Japanese fonts: PDFs need IPAex or Noto CJK from the system (`make fonts` installs them)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

# in the order the stylesheet asks for them
FAMILIES = ("IPAexGothic", "IPAexMincho", "Noto Sans CJK JP", "Noto Serif CJK JP")
_FILES = {
    "IPAexGothic": ("ipaexg.ttf",),
    "IPAexMincho": ("ipaexm.ttf",),
    "Noto Sans CJK JP": (
        "NotoSansCJK-Regular.ttc",
        "NotoSansCJK-Regular.otf",
        "NotoSansCJKjp-Regular.otf",
    ),
    "Noto Serif CJK JP": ("NotoSerifCJK-Regular.ttc", "NotoSerifCJKjp-Regular.otf"),
}


class FontMissing(RuntimeError):
    """No Japanese font: retrying cannot help until one is installed."""

    permanent = True


def japanese_fonts() -> tuple[str, ...]:
    """The families of FAMILIES installed on this machine (fontconfig's view)."""
    if shutil.which("fc-list"):
        out = subprocess.run(
            ["fc-list", ":lang=ja", "family"],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        ).stdout
        names = {n.strip() for line in out.splitlines() for n in line.split(",")}
        return tuple(f for f in FAMILIES if f in names)
    # no fontconfig tools: look at the usual font folders
    names = {
        p.name
        for root in (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
        if root.is_dir()
        for p in root.rglob("*")
    }
    return tuple(family for family, files in _FILES.items() if names & set(files))


def require_japanese_font() -> None:
    if not japanese_fonts():
        raise FontMissing(
            "日本語フォントがありません。`make fonts` で fonts-ipaexfont または fonts-noto-cjk を"
            "インストールしてください / no Japanese font: install fonts-ipaexfont or fonts-noto-cjk"
            " (`make fonts`)"
        )
