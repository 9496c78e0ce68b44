"""Chinese numerals as printed in legal citations (第一百一十八条, 第二十六条第二款).

Catalogs number articles, paragraphs and items in Chinese, occasionally in Arabic digits, and
OCR sometimes glues two numbers together (第三 四十二条). A strict parser is what makes such
damage visible: anything that is not one well-formed number raises ``ValueError`` naming the
text, so the caller can report it instead of silently citing a wrong article.
"""

from __future__ import annotations

__all__ = ["chinese_to_int"]

_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_ZEROS = frozenset("零〇")
_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_to_int(text: str) -> int:
    """Return the value of a Chinese (or Arabic) numeral below ten thousand.

    Accepts 一…九, 两, 十, 百, 千, 零/〇 and decimal digits (ASCII or full-width). Units must
    decrease (一百一十八), a leading 十 means ten (十一 = 11), and a digit after 百 or 千 needs
    a 零 (一百零六 = 106); colloquial forms such as 一百六 are refused as ambiguous.

    Raises:
        ValueError: naming ``text`` when it is empty or not one well-formed number.

    >>> chinese_to_int("一百一十八"), chinese_to_int("一百零六"), chinese_to_int("12")
    (118, 106, 12)
    """
    s = text.strip()
    if not s:
        raise ValueError(f"not a number: {text!r}")
    if s.isdecimal():
        return int(s)
    if s in _ZEROS:
        return 0
    total = 0
    digit: int | None = None
    last_unit = 10_000
    zero_since_unit = False
    for ch in s:
        if ch in _DIGITS:
            if digit is not None:
                raise ValueError(f"not a number (two digits in a row): {text!r}")
            digit = _DIGITS[ch]
        elif ch in _ZEROS:
            if digit is not None or last_unit == 10_000 or zero_since_unit:
                raise ValueError(f"not a number (misplaced zero): {text!r}")
            zero_since_unit = True
        elif ch in _UNITS:
            unit = _UNITS[ch]
            if unit >= last_unit or (zero_since_unit and digit is None):
                raise ValueError(f"not a number (units out of order): {text!r}")
            total += (1 if digit is None else digit) * unit
            digit = None
            last_unit = unit
            zero_since_unit = False
        else:
            raise ValueError(f"not a number (unexpected {ch!r}): {text!r}")
    if digit is not None:
        if last_unit in (100, 1000) and not zero_since_unit:
            raise ValueError(f"not a number (ambiguous digit after a unit): {text!r}")
        total += digit
    elif zero_since_unit:
        raise ValueError(f"not a number (trailing zero): {text!r}")
    return total
