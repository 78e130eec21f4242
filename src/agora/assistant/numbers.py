"""Sizes and budgets read from a message, in English and Chinese numerals alike.

Chinese numerals ("三百", "一千五", "1.5万") become digits with cn2an first, run by run, so every
pattern below sees "300块以内"; so do "三四百" (300 to 400) and English words ("three hundred").
A size is read before a budget and its span blanked, so "42码" never becomes a price. Amounts
are yuan in the text and fen (×100) in the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import cn2an

# Quantifiers are bounded throughout so that a message of ten thousand digits is read in
# linear time: money and sizes are a few characters long.
_CN_RUN = re.compile(
    r"[0-9零〇一二两三四五六七八九十百千万.]{0,12}[十百千万][0-9零〇一二两三四五六七八九十百千万.]{0,12}"
)
# Beyond this a "budget" is more likely an order number or a phone number than money.
_MAX_YUAN = 10_000_000

_NUM = r"(?<![\d.])(\d{1,8}(?:\.\d{1,2})?)(?![\d.])\s*(k|千|w|万)?"
_CUR = r"(?:¥|￥|rmb|cny|\$)\s*"
_UNIT = r"\s*(?:块钱|块|元|rmb|yuan|cny|kuai|bucks|dollars|quid)?"
_AMOUNT = rf"(?:{_CUR})?{_NUM}{_UNIT}"

_RANGE = re.compile(
    rf"(?:between|from|在)?\s*(?:{_CUR})?{_NUM}{_UNIT}\s*(?:and|to|-|–|~|到|至)\s*{_AMOUNT}\s*(?:之间|以内)?"
)
_MAX_BEFORE = re.compile(
    r"(?:under|below|less than|cheaper than|at most|no more than|not more than|maximum|max|"
    r"up to|within|budget is|budget of|budget|不超过|不能超过|别超过|不要超过|不到|低于|少于|最多|"
    r"顶多|控制在|预算是|预算在|预算有|预算只有|预算)\s*(?:is\s*|:\s*|：\s*)?" + _AMOUNT
)
_MAX_AFTER = re.compile(
    _AMOUNT
    + r"\s*(?:or less|or under|or below|and under|and below|max|tops|budget|以内|以下|之内|内|封顶)"
)
_MIN_BEFORE = re.compile(
    r"(?:over|above|more than|at least|starting at|starting from|minimum|min|超过|高于|至少|最少|"
    r"起码|不低于)\s*" + _AMOUNT
)
_MIN_AFTER = re.compile(_AMOUNT + r"\s*(?:or more|and up|and above|plus|\+|以上|起)")
_AROUND = re.compile(
    r"(?:around|about|roughly|approximately|大概|大约|差不多)\s*"
    + _AMOUNT
    + r"|"
    + _AMOUNT
    + r"\s*(?:左右|上下)"
)
# "两百多": two hundred and something, up to the next hundred.
_ODD = re.compile(_NUM + r"\s*多(?:块|元)?")
_BARE = re.compile(rf"{_CUR}{_NUM}|{_NUM}\s*(?:块钱|块|元|rmb|yuan|kuai|bucks)(?!\s*[码号])")

_SIZE_NUMBER = re.compile(
    r"(?<![a-z])(?:size|wear|尺码|码数|尺寸|穿|eu|uk|us)\s*:?\s*(\d{1,2}(?:\.5)?)(?![\d.])(?:\s*[码号的])?|"
    r"(?<![\d.])(\d{2}(?:\.5)?)\s*(?:码|号|size)"
)
_LETTERS = r"xxxl|xxl|xl|xs|xxs|3xl|2xl|4xl|s|m|l"
_SIZE_LETTER = re.compile(
    rf"(?<![a-z])(?:size|尺码|码数|尺寸|穿)\s*:?\s*({_LETTERS})(?![a-z])|"
    rf"(?<![a-z])({_LETTERS})\s*(?:码|号|size)|"
    r"(?<![a-z0-9])(xxxl|xxl|xl|xs|xxs|3xl|2xl|4xl)(?![a-z])"
)
_SIZE_WORD = re.compile(
    r"(?:size|in a|in an|in)\s+(small|medium|large)(?![a-z])|(加大号|小号|中号|大号)"
)
_SIZE_WORDS = {"small": "S", "medium": "M", "large": "L", "小号": "S", "中号": "M", "大号": "L"}
_SIZE_WORDS["加大号"] = "XL"
# A message that is nothing but a letter size ("L", "M please") names one.
_ALONE = re.compile(r"^\s*(xxxl|xxl|xl|xs|s|m|l)\s*(?:please|pls|吧|的|码)?\s*[.!。！]?\s*$")


@dataclass(frozen=True, slots=True)
class Budget:
    min_price: int | None = None
    max_price: int | None = None


_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
# "三四百", "两三千": a range said as two neighbouring digits and one unit.
_CN_DIGITS = {
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
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_CN_PAIR = re.compile(r"([一二两三四五六七八九])([二三四五六七八九])([十百千万])")
# "three hundred", "a thousand", "2 hundred": English amounts in words.
_EN_NUMBERS = {
    "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50,
}  # fmt: skip
_EN_AMOUNT = re.compile(
    r"(?<![a-z])(" + "|".join(_EN_NUMBERS) + r"|\d{1,3})\s+(hundred|thousand|grand)(?![a-z])"
)


def to_digits(text: str) -> str:
    """``text`` with amounts in digits: Chinese numerals ("三百块" -> "300块", "三四百" ->
    "300到400"), English words ("three hundred" -> "300"), no thousands separators."""

    def convert(match: re.Match[str]) -> str:
        run = match.group(0)
        try:
            value = cn2an.cn2an(run, "smart")
        except (ValueError, KeyError, IndexError):
            return run
        number = float(value)
        return str(int(number)) if number == int(number) else str(number)

    def pair(match: re.Match[str]) -> str:
        low, high = _CN_DIGITS[match.group(1)], _CN_DIGITS[match.group(2)]
        unit = _CN_UNITS[match.group(3)]
        return f"{low * unit}到{high * unit}" if high == low + 1 else match.group(0)

    def words(match: re.Match[str]) -> str:
        count = match.group(1)
        number = int(count) if count.isdigit() else _EN_NUMBERS[count]
        return str(number * (100 if match.group(2) == "hundred" else 1000))

    text = _EN_AMOUNT.sub(words, _THOUSANDS.sub("", text))
    return _CN_RUN.sub(convert, _CN_PAIR.sub(pair, text))


def _fen(number: str, multiplier: str | None) -> int | None:
    value = float(number)
    if multiplier in ("k", "千"):
        value *= 1_000
    elif multiplier in ("w", "万"):
        value *= 10_000
    if value <= 0 or value > _MAX_YUAN:
        return None
    return round(value * 100)


def _blank(text: str, match: re.Match[str]) -> str:
    return text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]


def read_size(text: str) -> tuple[str | None, str]:
    """The size named in a lower-cased, digit-converted message, and the message without it."""
    for pattern in (_SIZE_NUMBER, _SIZE_LETTER):
        match = pattern.search(text)
        if match:
            value = next(group for group in match.groups() if group)
            return value.upper(), _blank(text, match)
    word = _SIZE_WORD.search(text)
    if word:
        return _SIZE_WORDS[word.group(1) or word.group(2)], _blank(text, word)
    alone = _ALONE.match(text)
    if alone:
        return alone.group(1).upper(), ""
    return None, text


def read_budget(text: str) -> Budget | None:
    """The price band a message states, or None when it states none."""
    match = _RANGE.search(text)
    if match:
        low = _fen(match.group(1), match.group(2))
        high = _fen(match.group(3), match.group(4))
        if low is not None and high is not None and low < high:
            return Budget(min_price=low, max_price=high)
    for pattern, bound in (
        (_MAX_BEFORE, "max"),
        (_MAX_AFTER, "max"),
        (_MIN_BEFORE, "min"),
        (_MIN_AFTER, "min"),
    ):
        match = pattern.search(text)
        if match:
            fen = _fen(match.group(1), match.group(2))
            if fen is not None:
                return Budget(max_price=fen) if bound == "max" else Budget(min_price=fen)
    match = _AROUND.search(text)
    if match:
        number, multiplier = (
            (match.group(1), match.group(2)) if match.group(1) else match.group(3, 4)
        )
        fen = _fen(number, multiplier)
        if fen is not None:
            # "About 300": a fifth either side, in whole yuan.
            return Budget(min_price=fen * 8 // 1000 * 100, max_price=fen * 12 // 1000 * 100)
    match = _ODD.search(text)
    if match:
        fen = _fen(match.group(1), match.group(2))
        if fen is not None:
            step = 10 ** (len(str(fen // 100)) - 1) * 100
            return Budget(min_price=fen, max_price=fen + step - 100)
    match = _BARE.search(text)
    if match:
        number, multiplier = (
            (match.group(1), match.group(2)) if match.group(1) else match.group(3, 4)
        )
        fen = _fen(number, multiplier)
        if fen is not None:
            return Budget(max_price=fen)
    return None
