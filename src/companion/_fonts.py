"""The CJK font for figures with Chinese words, found even when matplotlib's font cache is stale.

A font installed after matplotlib cached its font list is missing from that list, and Chinese
labels come out as boxes; ``cjk_fonts`` then finds the font files on disk and registers them
for this process (no cache rebuild, nothing written).
"""

from __future__ import annotations

import functools
import glob
import shutil
import subprocess
from pathlib import Path

#: Fonts with Chinese glyphs, the preferred first.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
)
#: Where those fonts usually lie, for systems without fontconfig's fc-list (or with it broken).
FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-*.ttc",  # Debian, Ubuntu: fonts-noto-cjk
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-*.ttc",  # Fedora
    "/usr/share/fonts/noto-cjk/NotoSansCJK-*.ttc",  # Arch
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # fonts-wqy-zenhei
    "~/.local/share/fonts/**/NotoSansCJK*.[ot]t[fc]",
    "~/Library/Fonts/NotoSansCJK*.[ot]t[fc]",
    "C:/Windows/Fonts/msyh.ttc",  # Microsoft YaHei
    "C:/Windows/Fonts/simhei.ttf",
)


def cjk_fonts(font_manager) -> list[str]:
    """The CJK fonts matplotlib can use, best first; registers them from disk if needed.

    Args:
        font_manager: the ``matplotlib.font_manager`` module.

    Returns:
        The family names of ``CJK_FONTS`` that matplotlib knows (now), best first.
    """
    found = _known(font_manager)
    if not found:
        for path in font_files():
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # unreadable or not a font after all
                continue
        found = _known(font_manager)
    return found


def _known(font_manager) -> list[str]:
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return [name for name in CJK_FONTS if name in installed]


@functools.cache
def font_files() -> tuple[str, ...]:
    """Files on this machine that hold one of ``CJK_FONTS`` (looked up once a process).

    Asks fontconfig's ``fc-list`` first, then looks in the usual folders (``FONT_FILES``).

    Returns:
        The paths, each once, regular before bold and sans before serif.
    """
    files = []
    if shutil.which("fc-list"):
        try:
            listing = subprocess.run(
                ["fc-list", ":lang=zh", "family", "file"],
                capture_output=True,
                text=True,
                timeout=20,
                check=False,
            ).stdout
        except (OSError, subprocess.SubprocessError):
            listing = ""
        for line in listing.splitlines():  # "/path/font.ttc: Family A,Family B"
            path, _, families = line.partition(": ")
            if any(name in families.split(",") for name in CJK_FONTS):
                files.append(path.strip())
    for pattern in FONT_FILES:
        files.extend(glob.glob(str(Path(pattern).expanduser()), recursive=True))
    # Regular before Bold, Sans before Serif; each file once
    ranked = sorted(dict.fromkeys(files), key=lambda p: ("Bold" in p, "Serif" in p, p))
    return tuple(ranked)
