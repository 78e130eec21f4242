"""Conversations as shoppers write them, with the preferences expected after every turn.

Shared by the dialogue tests and ``agora bench assistant`` (whose messages start from these).
Prices are written in yuan here (``under=300``) and compared in fen. ``shown`` lists the prices
(yuan) of the cards on screen when the message is sent, for "too expensive".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from agora.assistant.domain import Preferences, Vocabulary
from agora.catalog.images import COLOURS
from agora.demo.catalog_data import demo_categories

COATS = "womens-coats,mens-coats"
SHOES = "sneakers,boots,heels"
BAGS = "handbags,backpacks"


@cache
def demo_vocabulary() -> Vocabulary:
    """The vocabulary of the demo catalog, as the chat hook builds it from the database."""
    return Vocabulary.build(
        categories=[(c.key, c.name_en, c.name_zh, c.parent_key) for c in demo_categories()],
        colours=[(c.key, c.name_en, c.name_zh) for c in COLOURS.values()],
    )


def want(
    category: str | None = None,
    colours: str = "",
    excluded: str = "",
    size: str | None = None,
    under: int | None = None,
    over: int | None = None,
) -> Preferences:
    return Preferences(
        category=category,
        colours=frozenset(colours.split()),
        excluded_colours=frozenset(excluded.split()),
        size=size,
        max_price=None if under is None else under * 100,
        min_price=None if over is None else over * 100,
    )


@dataclass(frozen=True)
class Turn:
    text: str
    expected: Preferences
    shown: tuple[int, ...] = ()


@dataclass(frozen=True)
class Dialogue:
    name: str
    turns: tuple[Turn, ...]
    language: str = "en"
    start: Preferences = field(default_factory=Preferences)


def _d(name: str, language: str, *turns: Turn) -> Dialogue:
    return Dialogue(name, turns, language)


T = Turn
SHOWN = (199, 299, 399, 499, 599)  # median 399: "too expensive" keeps up to ¥398

DIALOGUES: tuple[Dialogue, ...] = (
    _d(
        "coat, red, affordable",
        "en",
        T("hi! I'm looking for a coat", want(COATS)),
        T("red please", want(COATS, "red")),
        T("too expensive", want(COATS, "red", under=398), SHOWN),
        T("thanks!", want(COATS, "red", under=398)),
    ),
    _d(
        "外套，红色，太贵",
        "zh",
        T("你好，我想买件外套", want(COATS)),
        T("要红色的", want(COATS, "red")),
        T("太贵了", want(COATS, "red", under=398), SHOWN),
        T("哈哈好的", want(COATS, "red", under=398)),
    ),
    _d(
        "coat for my wife, size and budget",
        "en",
        T("I need a warm coat for my wife", want("womens-coats")),
        T("size M", want("womens-coats", size="M")),
        T("under 500", want("womens-coats", size="M", under=500)),
        T("not black", want("womens-coats", excluded="black", size="M", under=500)),
    ),
    _d(
        "女士大衣，酒红，尺码，预算",
        "zh",
        T("想给老婆买件大衣", want("womens-coats")),
        T("酒红色的有吗", want("womens-coats", "red")),
        T("L码", want("womens-coats", "red", size="L")),
        T("预算八百", want("womens-coats", "red", size="L", under=800)),
        T("好的谢谢", want("womens-coats", "red", size="L", under=800)),
    ),
    _d(
        "switch from coats to shoes",
        "en",
        T("show me red coats", want(COATS, "red")),
        T("size L, under 600", want(COATS, "red", size="L", under=600)),
        T("actually shoes instead", want(SHOES)),
        T("size 42", want(SHOES, size="42")),
        T("white ones", want(SHOES, "white", size="42")),
    ),
    _d(
        "算了，看看鞋子",
        "zh",
        T("我想买个红色外套", want(COATS, "red")),
        T("M码的", want(COATS, "red", size="M")),
        T("算了，看看鞋子", want(SHOES)),
        T("穿42的", want(SHOES, size="42")),
        T("换成运动鞋吧", want("sneakers", size="42")),
    ),
    _d(
        "negation, then a new colour",
        "en",
        T("I want a dress", want("dresses")),
        T("not black", want("dresses", excluded="black")),
        T("no white either", want("dresses", excluded="black white")),
        T("blue would be nice", want("dresses", "blue", "black white")),
        T("actually green", want("dresses", "green", "black white")),
    ),
    _d(
        "不要白色，别要黑的",
        "zh",
        T("看看连衣裙", want("dresses")),
        T("不要白色", want("dresses", excluded="white")),
        T("别要黑的", want("dresses", excluded="white black")),
        T("粉色或者紫色", want("dresses", "pink purple", "white black")),
    ),
    _d(
        "anything but black, then changes her mind",
        "en",
        T("looking for boots", want("boots")),
        T("anything but black", want("boots", excluded="black")),
        T("hmm, black is fine actually, black boots", want("boots", "black")),
        T("size 38", want("boots", "black", size="38")),
    ),
    _d(
        "除了黑色",
        "zh",
        T("想要一双靴子", want("boots")),
        T("除了黑色都行", want("boots", excluded="black")),
        T("棕色吧", want("boots", "brown", "black")),
        T("三百块以内", want("boots", "brown", "black", under=300)),
    ),
    _d(
        "budgets in English",
        "en",
        T("I need a phone", want("phones")),
        T("below ¥3000", want("phones", under=3000)),
        T("at least 1000 though", want("phones", under=3000, over=1000)),
        T("between 1500 and 2500", want("phones", under=2500, over=1500)),
        T("black or silver", want("phones", "black silver", under=2500, over=1500)),
    ),
    _d(
        "budgets in Chinese",
        "zh",
        T("推荐个手机", want("phones")),
        T("不超过三千", want("phones", under=3000)),
        T("两千到三千之间", want("phones", under=3000, over=2000)),
        T("银色", want("phones", "silver", under=3000, over=2000)),
    ),
    _d(
        "red or pink, then add one",
        "en",
        T("a handbag, red or pink", want("handbags", "red pink")),
        T("I like purple too", want("handbags", "red pink purple")),
        T("no pink", want("handbags", "red purple", "pink")),
    ),
    _d(
        "small talk around a request",
        "en",
        T("see you at 8", want()),
        T("thanks for the red envelope!", want()),
        T("by the way I need new sneakers", want("sneakers")),
        T("ok", want("sneakers")),
        T("white, size 43", want("sneakers", "white", size="43")),
    ),
    _d(
        "闲聊与红包",
        "zh",
        T("今天天气不错", want()),
        T("谢谢你的红包", want()),
        T("对了，我想买双运动鞋", want("sneakers")),
        T("白色的，43码", want("sneakers", "white", size="43")),
        T("哈哈好的", want("sneakers", "white", size="43")),
    ),
    _d(
        "mixed: 我想买个coat",
        "mixed",
        T("我想买个coat", want(COATS)),
        T("red的那件", want(COATS, "red")),
        T("太贵了", want(COATS, "red", under=398), SHOWN),
        T("size L吧", want(COATS, "red", size="L", under=398)),
    ),
    _d(
        "mixed: sneakers 白色",
        "mixed",
        T("有没有sneakers", want("sneakers")),
        T("white的, 42码", want("sneakers", "white", size="42")),
        T("不要太贵, under 400", want("sneakers", "white", size="42", under=400)),
    ),
    _d(
        "cheaper without cards shown",
        "en",
        T("red coat under 500", want(COATS, "red", under=500)),
        T("cheaper", want(COATS, "red", under=400)),
        T("even cheaper please", want(COATS, "red", under=320)),
    ),
    _d(
        "有没有便宜一点的",
        "zh",
        T("想买双高跟鞋", want("heels")),
        T("黑色", want("heels", "black")),
        T("有没有便宜一点的", want("heels", "black", under=398), SHOWN),
        T("再便宜点", want("heels", "black", under=298), (199, 249, 299, 349, 398)),
    ),
    _d(
        "better quality",
        "en",
        T("looking for headphones", want("audio")),
        T("black", want("audio", "black")),
        T("something better quality", want("audio", "black", over=400), SHOWN),
    ),
    _d(
        "men's jacket, then for her",
        "en",
        T("a jacket for my husband", want("mens-jackets")),
        T("khaki or navy", want("mens-jackets", "khaki navy")),
        T("size XL", want("mens-jackets", "khaki navy", size="XL")),
        T("and a coat for my girlfriend", want("womens-coats")),
    ),
    _d(
        "男士外套转女士",
        "zh",
        T("看看男士外套", want("mens-coats")),
        T("藏青色", want("mens-coats", "navy")),
        T("XL码", want("mens-coats", "navy", size="XL")),
        T("算了，给我女朋友买一件女款的", want("womens-coats")),
        T("米色", want("womens-coats", "beige")),
    ),
    _d(
        "bags",
        "en",
        T("I need a bag", want(BAGS)),
        T("a backpack actually", want("backpacks")),
        T("grey, under 300", want("backpacks", "grey", under=300)),
        T("lol ok", want("backpacks", "grey", under=300)),
    ),
    _d(
        "包包",
        "zh",
        T("想买个包", want(BAGS)),
        T("双肩包", want("backpacks")),
        T("黑的，五百以下", want("backpacks", "black", under=500)),
        T("我明白了，谢谢", want("backpacks", "black", under=500)),
    ),
    _d(
        "any colour",
        "en",
        T("sneakers in red", want("sneakers", "red")),
        T("not white", want("sneakers", "red", "white")),
        T("any colour is ok", want("sneakers")),
        T("300 or less", want("sneakers", under=300)),
    ),
    _d(
        "tea and mugs",
        "en",
        T("do you have green tea", want("tea")),
        T("under 100", want("tea", under=100)),
        T("and a mug to drink it from", want("mugs")),
        T("white mug", want("mugs", "white")),
    ),
    _d(
        "护肤与口红",
        "zh",
        T("推荐一款口红", want("lipstick")),
        T("红色系的", want("lipstick", "red")),
        T("两百块左右", want("lipstick", "red", under=240, over=160)),
        T("换成护肤品吧", want("skincare")),
    ),
    _d(
        "T恤 and sizes",
        "mixed",
        T("想买件T恤", want("mens-tshirts")),
        T("白的", want("mens-tshirts", "white")),
        T("尺码M", want("mens-tshirts", "white", size="M")),
        T("xl actually", want("mens-tshirts", "white", size="XL")),
    ),
    _d(
        "Coats then jeans, exclusions carry",
        "en",
        T("winter coat, no black", want(COATS, excluded="black")),
        T("red, size S", want(COATS, "red", "black", size="S")),
        T("let's look at jeans now", want("jeans", excluded="black")),
        T("size 30, blue", want("jeans", "blue", "black", size="30")),
    ),
    _d(
        "the size held, one up and one down",
        "en",
        T("hoodie please, size M", want("hoodies", size="M")),
        T("grey", want("hoodies", "grey", size="M")),
        T("hmm they run small, a size bigger", want("hoodies", "grey", size="L")),
        T("too big now", want("hoodies", "grey", size="M")),
    ),
    _d(
        "换颜色，换尺码",
        "zh",
        T("看看运动鞋，红色的", want("sneakers", "red")),
        T("有别的颜色吗", want("sneakers", excluded="red")),
        T("白色吧，42码", want("sneakers", "white", "red", size="42")),
        T("偏小，大一码", want("sneakers", "white", "red", size="43")),
        T("价格无所谓", want("sneakers", "white", "red", size="43")),
    ),
    _d(
        "turned down after the fact",
        "mixed",
        T("我想买条dress", want("dresses")),
        T("pink or purple", want("dresses", "pink purple")),
        T("purple is ugly", want("dresses", "pink", "purple")),
        T(
            "粉色的也不要了，有没有两百多的",
            want("dresses", excluded="purple pink", over=200, under=299),
        ),
    ),
)
