"""Text for a terminal: how many columns a string takes, padded and cut to columns.

One home for the idea, used by the build report's reconciliation table (loaders/report.py),
``cdkg check``'s summary (server/reports/check_report.py) and ``cdkg query``'s tables: it sits
in the lowest layer that needs it. Widths come from the standard library's
``unicodedata.east_asian_width`` (wide and fullwidth characters take two columns, combining
marks none) rather than the wcwidth package: the text is Chinese and ASCII, for which both
agree, and the standard library is no extra dependency of the project.
"""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: East Asian wide and fullwidth characters take two,
    combining marks none.

    >>> display_width("禁毒 law")
    8
    >>> display_width("（名称未印出）")
    14
    """
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def pad(text: str, width: int, right: bool = False) -> str:
    """``text`` filled with spaces to ``width`` columns, on the right (or on the left with
    ``right``, for numbers).

    >>> pad("重庆", 6) + "|"
    '重庆  |'
    >>> pad("12", 4, right=True)
    '  12'
    """
    fill = " " * (width - display_width(text))
    return fill + text if right else text + fill


def fit(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` columns, ending in … when cut (``width`` 0: uncut).

    >>> fit("协助开展禁毒宣传", 9)
    '协助开展…'
    >>> fit("short", 9)
    'short'
    """
    if width <= 0 or display_width(text) <= width:
        return text
    out, used = [], 0
    for char in text:
        step = display_width(char)
        if used + step > width - 1:
            break
        out.append(char)
        used += step
    return "".join(out) + ELLIPSIS
