"""Text that is not ours, made safe to show: one line, no invisible characters, cut by cells.

`clean_line` is the one cleaning rule for anything HubSpot, a paste, a file or the environment
hands us: C0/C1 controls and line/paragraph separators become spaces, and Unicode *format*
characters (category Cf: bidi overrides such as U+202E, zero-width spaces U+200B, the BOM
U+FEFF, tag characters…) are dropped, so a name can neither move the cursor, nor show itself
reversed, nor hide characters. `cell_width` and `fit_cells` pad and cut by terminal cells
(East Asian wide characters take two, combining marks none), so table columns stay aligned.

Pure functions, standard library only (the CLI's `status` path imports this).
"""

from __future__ import annotations

import re
import unicodedata

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")

# Every category-Cf code point of Unicode 15 (tests/test_text.py checks this against the running
# Python's `unicodedata`); a literal class, since scanning the code space at import costs 0.3 s.
_FORMAT_RE = re.compile(
    "["
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
    "]+"
)


def strip_format(value: str) -> str:
    """`value` without Unicode format characters (category Cf)."""
    return _FORMAT_RE.sub("", value)


def clean_line(value: object, limit: int = 200) -> str:
    """A printable one-line string of at most `limit` characters; "" for a non-string.

    Controls become spaces (so words stay apart), format characters vanish, ends are trimmed.
    """
    if not isinstance(value, str):
        return ""
    text = _FORMAT_RE.sub("", value[: limit * 4])
    return _CONTROL_RE.sub(" ", text)[:limit].strip()


def char_width(char: str) -> int:
    """Terminal cells one character takes: 2 for wide/fullwidth, 0 for combining/format."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Cf", "Mn", "Me"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cell_width(text: str) -> int:
    """Terminal cells `text` takes (ASCII fast path)."""
    if text.isascii():
        return len(text)
    return sum(char_width(char) for char in text)


def fit_cells(text: str, width: int) -> str:
    """`text` cut (ending in "…") or padded with spaces to exactly `width` cells."""
    used = cell_width(text)
    if used <= width:
        return text + " " * (width - used)
    room, out, taken = max(0, width - 1), [], 0
    for char in text:
        size = char_width(char)
        if taken + size > room:
            break
        out.append(char)
        taken += size
    cut = "".join(out) + ("…" if width > 0 else "")
    return cut + " " * (width - taken - (1 if width > 0 else 0))
