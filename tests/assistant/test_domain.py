"""The parser's rules one at a time: budgets, sizes, colours and negation, critiques, categories,
topic changes, small talk, and the embedding fallback (with a fake model, and once the real one)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from agora.assistant import embedding
from agora.assistant.domain import (
    CATEGORY,
    COLOUR,
    MAX_PRICE,
    NOT_COLOUR,
    SIZE,
    Part,
    Preferences,
    Vocabulary,
    category_slugs,
    interpret,
)
from agora.assistant.numbers import read_budget
from assistant.dialogues import COATS, SHOES, demo_vocabulary, want


@pytest.fixture
def vocab() -> Vocabulary:
    return demo_vocabulary()


def _read(vocab: Vocabulary, text: str, state: Preferences | None = None, **kw: Any) -> Preferences:
    return interpret(text, state or Preferences(), vocab, **kw).preferences


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("under 300", None, 300),
        ("below ¥300", None, 300),
        ("less than 300 yuan", None, 300),
        ("300 or less", None, 300),
        ("no more than 1.5k", None, 1500),
        ("budget is 800 rmb", None, 800),
        ("between 200 and 400", 200, 400),
        ("200-400", 200, 400),
        ("over 500", 500, None),
        ("at least 1000", 1000, None),
        ("around 500", 400, 600),
        ("三百块以内", None, 300),
        ("不超过一千", None, 1000),
        ("500以下", None, 500),
        ("预算800", None, 800),
        ("预算两千五", None, 2500),
        ("200到400之间", 200, 400),
        ("两百到四百", 200, 400),
        ("一千以上", 1000, None),
        ("1.5万以内", None, 15000),
        ("八百左右", 640, 960),
        ("¥300的", None, 300),
        ("三四百的", 300, 400),
        ("两三千以内", 2000, 3000),
        ("under three hundred", None, 300),
        ("a thousand or less", None, 1000),
        ("under 2 grand", None, 2000),
    ],
)
def test_budgets_in_yuan_become_fen(
    vocab: Vocabulary, text: str, low: int | None, high: int | None
) -> None:
    prefs = _read(vocab, text)
    assert (prefs.min_price, prefs.max_price) == (
        None if low is None else low * 100,
        None if high is None else high * 100,
    )


def test_a_new_ceiling_keeps_a_floor_below_it_and_drops_one_above(vocab: Vocabulary) -> None:
    held = want(COATS, over=200, under=800)
    assert _read(vocab, "under 500", held) == want(COATS, over=200, under=500)
    assert _read(vocab, "under 150", held) == want(COATS, under=150)
    assert _read(vocab, "over 900", held) == want(COATS, over=900)


@pytest.mark.parametrize(
    "text", ["see you at 8", "iphone 15 is out", "room 302", "it's 10 past 3", "我们8点见"]
)
def test_a_number_that_is_not_money_is_no_budget(vocab: Vocabulary, text: str) -> None:
    assert _read(vocab, text).max_price is None
    assert _read(vocab, text).min_price is None


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("42码", "42"),
        ("size 42", "42"),
        ("size L", "L"),
        ("L码", "L"),
        ("XL", "XL"),
        ("do you have xxl", "XXL"),
        ("尺码M", "M"),
        ("穿42的", "42"),
        ("四十二码", "42"),
        ("M", "M"),
        ("size medium", "M"),
        ("中号", "M"),
        ("要xs的", "XS"),
        ("can I get it in a medium", "M"),
        ("I'm a size 8", "8"),
    ],
)
def test_sizes(vocab: Vocabulary, text: str, size: str) -> None:
    assert _read(vocab, text).size == size


def test_a_size_is_not_a_price_and_a_price_not_a_size(vocab: Vocabulary) -> None:
    assert _read(vocab, "42码 300以内") == want(size="42", under=300)
    assert _read(vocab, "I'm looking at the m and s") == want()


@pytest.mark.parametrize(
    ("text", "colours"),
    [
        ("red", {"red"}),
        ("burgundy", {"red"}),
        ("wine red", {"red"}),
        ("酒红色", {"red"}),
        ("藏青", {"navy"}),
        ("navy blue", {"navy"}),
        ("light blue", {"blue"}),
        ("米白", {"beige", "white"}),
        ("red or pink", {"red", "pink"}),
        ("红的那件", {"red"}),
        ("粉色或者紫色", {"pink", "purple"}),
        ("grey", {"grey"}),
        ("gray", {"grey"}),
    ],
)
def test_colours_and_their_shades(vocab: Vocabulary, text: str, colours: set[str]) -> None:
    assert _read(vocab, text).colours == colours


@pytest.mark.parametrize(
    ("text", "colours", "excluded"),
    [
        ("not black", set(), {"black"}),
        ("no black", set(), {"black"}),
        ("anything but black", set(), {"black"}),
        ("no black or white", set(), {"black", "white"}),
        ("I don't want black, red please", {"red"}, {"black"}),
        ("red, not black", {"red"}, {"black"}),
        ("not black but navy", {"navy"}, {"black"}),
        ("不要白色", set(), {"white"}),
        ("别要黑的", set(), {"black"}),
        ("除了黑色", set(), {"black"}),
        ("不要黑色要红色", {"red"}, {"black"}),
        ("不喜欢粉色、紫色", set(), {"pink", "purple"}),
    ],
)
def test_negation(vocab: Vocabulary, text: str, colours: set[str], excluded: set[str]) -> None:
    prefs = _read(vocab, text)
    assert (prefs.colours, prefs.excluded_colours) == (colours, excluded)


def test_colours_said_replace_those_held_unless_added(vocab: Vocabulary) -> None:
    held = want(COATS, "red", "black")
    assert _read(vocab, "blue", held) == want(COATS, "blue", "black")
    assert _read(vocab, "actually blue", held) == want(COATS, "blue", "black")
    assert _read(vocab, "I like blue too", held) == want(COATS, "red blue", "black")
    assert _read(vocab, "蓝色也行", held) == want(COATS, "red blue", "black")
    assert _read(vocab, "black is fine", held) == want(COATS, "black")
    assert _read(vocab, "not red", held) == want(COATS, excluded="red black")
    assert _read(vocab, "颜色无所谓", held) == want(COATS)


def test_too_expensive_sets_the_ceiling_just_below_the_median_card(vocab: Vocabulary) -> None:
    held = want(COATS, "red", under=800)
    shown = [19900, 29900, 39900, 49900, 59900]
    for text in (
        "too expensive",
        "cheaper",
        "太贵了",
        "便宜点的",
        "有没有便宜一点的",
        "不要这么贵的",
    ):
        assert _read(vocab, text, held, shown_prices=shown) == want(COATS, "red", under=398)
    # An even number of cards: the lower middle one.
    assert _read(vocab, "too expensive", held, shown_prices=[10000, 20000, 30000, 40000]) == want(
        COATS, "red", under=199
    )


def test_too_expensive_with_nothing_shown_lowers_the_ceiling_by_a_fifth(vocab: Vocabulary) -> None:
    assert _read(vocab, "too expensive", want(COATS, under=500)) == want(COATS, under=400)
    # No cards and no ceiling: there is nothing to go below, so nothing changes.
    result = interpret("too expensive", want(COATS), vocab)
    assert (result.preferences, result.changed) == (want(COATS), False)


def test_a_floor_at_or_above_the_new_ceiling_goes(vocab: Vocabulary) -> None:
    held = want(COATS, over=400, under=800)
    assert _read(vocab, "太贵", held, shown_prices=[40000, 40000, 45000]) == want(COATS, under=399)


def test_better_quality_sets_a_floor_just_above_the_median_card(vocab: Vocabulary) -> None:
    shown = [19900, 29900, 39900, 49900]
    assert _read(vocab, "better quality", want(COATS), shown_prices=shown) == want(COATS, over=400)
    assert _read(vocab, "有没有贵一点的", want(COATS, under=300)) == want(COATS, over=300)
    assert _read(vocab, "these look cheap", want(COATS), shown_prices=shown) == want(
        COATS, over=400
    )


def test_a_word_for_several_categories_makes_a_group(vocab: Vocabulary) -> None:
    prefs = _read(vocab, "coat")
    assert prefs.category == COATS
    assert prefs.category_slugs == ("womens-coats", "mens-coats")
    assert category_slugs(COATS) == ("womens-coats", "mens-coats")
    assert category_slugs(None) == ()
    for text in ("外套", "大衣", "羽绒服", "parka", "Coats", "down jacket"):
        assert _read(vocab, text).category == COATS, text
    for text in ("shoes", "鞋子", "footwear"):
        assert _read(vocab, text).category == SHOES, text


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("coat for my wife", "womens-coats"),
        ("women's coats", "womens-coats"),
        ("女士外套", "womens-coats"),
        ("给老公买件大衣", "mens-coats"),
        ("men's coat", "mens-coats"),
        ("sneakers for my mum", "sneakers"),
        ("送我妈的外套", "womens-coats"),
    ],
)
def test_who_it_is_for_narrows_a_group(vocab: Vocabulary, text: str, category: str) -> None:
    assert _read(vocab, text).category == category


def test_who_it_is_for_moves_to_the_counterpart(vocab: Vocabulary) -> None:
    assert _read(vocab, "for my wife", want(COATS, "red")) == want("womens-coats", "red")
    assert _read(vocab, "it's for my husband", want("womens-coats", "red", size="S")) == want(
        "mens-coats"
    )


def test_of_two_category_words_the_head_noun_wins(vocab: Vocabulary) -> None:
    assert _read(vocab, "a bag for my laptop").category == "handbags,backpacks"
    assert _read(vocab, "能装电脑的包").category == "handbags,backpacks"
    assert _read(vocab, "不要外套了，看看鞋子").category == SHOES


def test_a_new_topic_resets_what_belonged_to_the_old_one(vocab: Vocabulary) -> None:
    held = want(COATS, "red", "black", size="L", over=200, under=600)
    assert _read(vocab, "actually shoes instead", held) == want(SHOES, excluded="black")
    assert _read(vocab, "换成运动鞋吧", held) == want("sneakers", excluded="black")
    assert _read(vocab, "white sneakers size 42", held) == want(
        "sneakers", "white", "black", size="42"
    )
    # Narrowing within the topic keeps everything.
    assert _read(vocab, "women's", held) == want(
        "womens-coats", "red", "black", size="L", over=200, under=600
    )


@pytest.mark.parametrize(
    "text",
    [
        "hi!",
        "ok",
        "哈哈好的",
        "see you at 8",
        "今天天气不错",
        "thanks for the red envelope",
        "谢谢你的红包",
        "我明白了",
        "粉丝好多",
        "钱包丢了",
        "他们来了",
        "watch out!",
        "black friday is coming",
        "I want to watch a movie tonight",
        "want a cup of coffee?",
        "what's your phone number",
        "buy you a coffee?",
        "dress code is casual",
        "I'll top up my wallet first",
        "",
    ],
)
def test_small_talk_changes_nothing(vocab: Vocabulary, text: str) -> None:
    held = want(COATS, "red", size="L", under=500)
    result = interpret(text, held, vocab)
    assert (result.preferences, result.changed, result.parts) == (held, False, ())


def test_a_colour_inside_another_word_is_not_a_colour(vocab: Vocabulary) -> None:
    assert _read(vocab, "蓝牙耳机") == want("audio")
    assert _read(vocab, "红外套") == want(COATS, "red")
    assert _read(vocab, "green tea") == want("tea")
    assert _read(vocab, "口红") == want("lipstick")
    # After a measure word one character is the thing itself ("一双鞋", "买个表", "一个包").
    assert _read(vocab, "给我儿子买双鞋").category == SHOES
    assert _read(vocab, "给我爸买个表") == want("watches")


def test_parts_say_what_was_understood(vocab: Vocabulary) -> None:
    result = interpret(
        "红色外套，不要黑色，L码，太贵了",
        Preferences(),
        vocab,
        shown_prices=[30000, 42100, 50000],
    )
    assert result.parts == (
        Part(CATEGORY, COATS),
        Part(COLOUR, "red"),
        Part(NOT_COLOUR, "black"),
        Part(SIZE, "L"),
        Part(MAX_PRICE, 42000),
    )
    assert result.changed


def test_a_vocabulary_reaches_leaves_through_their_parent_and_knows_only_its_catalog() -> None:
    vocab = Vocabulary.build(
        categories=[
            ("shoes", "Shoes", "鞋靴", None),
            ("trainers", "Trainers", "训练鞋", "shoes"),
            ("sandals", "Sandals", "凉鞋", "shoes"),
            ("kettles", "Kettles", "水壶", None),
        ],
        colours=[("red", "Red", "红色"), ("teal", "Teal", "蓝绿色")],
    )
    assert list(vocab.categories) == ["trainers", "sandals", "kettles"]
    assert _read(vocab, "shoes").category == "trainers,sandals"
    assert _read(vocab, "鞋靴").category == "trainers,sandals"
    assert _read(vocab, "凉鞋").category == "sandals"
    assert _read(vocab, "kettle").category == "kettles"
    assert _read(vocab, "蓝绿色的水壶") == want("kettles", "teal")
    # The lexicon's words reach only categories this catalog has.
    assert _read(vocab, "a red coat") == want(colours="red")


class FakeModel:
    """Embeds each category on an axis of its own; a message it knows points at one of them."""

    def __init__(self, slugs: Sequence[str], meanings: dict[str, str]) -> None:
        self.slugs = list(slugs)
        self.meanings = meanings
        self.queries: list[str] = []
        self.dim = len(self.slugs) + 2

    def _axis(self, n: int) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        vector[n] = 1.0
        return vector

    def passage(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._axis(n) for n in range(len(texts))])

    def query(self, texts: Any) -> np.ndarray:
        if isinstance(texts, list):
            shopping = texts == list(embedding.SHOPPING)
            return np.stack([self._axis(self.dim - (2 if shopping else 1)) for _ in texts])
        self.queries.append(texts)
        slug = self.meanings.get(texts)
        if slug is None:
            return self._axis(self.dim - 1)
        return self._axis(self.slugs.index(slug)) + 0.5 * self._axis(self.dim - 2)


def test_a_request_without_a_category_word_goes_to_the_nearest_category(vocab: Vocabulary) -> None:
    model = FakeModel(list(vocab.categories), {"something warm for winter": "mens-coats"})
    result = interpret("something warm for winter", want(colours="red"), vocab, embedder=model)
    assert result.preferences == want(COATS, "red")
    assert (result.by_embedding, result.parts) == (True, (Part(CATEGORY, COATS),))
    # An unclear request stays unmapped.
    result = interpret("I need something nice", Preferences(), vocab, embedder=model)
    assert (result.preferences, result.changed, result.by_embedding) == (
        Preferences(),
        False,
        False,
    )


def test_the_model_is_asked_only_about_requests_without_a_category_word(vocab: Vocabulary) -> None:
    model = FakeModel(list(vocab.categories), {})
    for text in ("see you at 8", "哈哈好的", "I want a red coat", "有没有红色的外套", "red please"):
        interpret(text, Preferences(), vocab, embedder=model)
    assert model.queries == []
    interpret("想要个送爸爸的礼物", Preferences(), vocab, embedder=model)
    assert model.queries == ["想要个送爸爸的礼物"]
    # A request that refines the topic held is about that topic.
    for text in ("有没有便宜一点的", "I want something in red", "need size L", "something for her"):
        interpret(text, want(COATS), vocab, embedder=model)
    assert model.queries == ["想要个送爸爸的礼物"]


def test_the_real_model_maps_requests_and_leaves_chat_alone(vocab: Vocabulary) -> None:
    model = embedding.default_embedder()
    for text, category in [
        ("something warm for winter", COATS),
        ("i want something for working out at home", "yoga"),
        ("有没有适合跑步的", "sneakers"),
        ("need something to sleep better", "bedding"),
    ]:
        result = interpret(text, Preferences(), vocab, embedder=model)
        assert (result.preferences.category, result.by_embedding) == (category, True), text
    for text in ("buy you a coffee?", "want to grab dinner tonight?", "我想你了", "推荐个电影"):
        assert interpret(text, Preferences(), vocab, embedder=model).changed is False, text


def test_a_long_paste_is_read_only_at_its_start_and_in_linear_time(vocab: Vocabulary) -> None:
    assert _read(vocab, "red coat " + "x" * 600) == want(COATS, "red")
    assert _read(vocab, "x" * 600 + " red coat") == want()
    # Bounded patterns: ten thousand digits once took the budget patterns seconds per message.
    assert read_budget("1" * 20_000) is None
    assert read_budget("1-" * 10_000 + "十" * 10_000) is None


def test_the_model_is_not_asked_about_a_long_message(vocab: Vocabulary) -> None:
    model = FakeModel(list(vocab.categories), {})
    interpret("I want something " + "really " * 30 + "nice", Preferences(), vocab, embedder=model)
    assert model.queries == []


@pytest.mark.parametrize(
    ("text", "colours", "excluded"),
    [
        ("pink is ugly", {"red"}, {"pink"}),
        ("red is too bright", set(), {"red"}),
        ("红色的不要了", set(), {"red"}),
        ("红色的不要，要蓝色", {"blue"}, {"red"}),
        ("黑色不行", {"red"}, {"black"}),
        ("no I meant blue", {"blue"}, set()),
        ("red, not too expensive", {"red"}, set()),
        ("do you have other colours?", set(), {"red"}),
        ("有别的颜色吗", set(), {"red"}),
        ("黑白都行", {"red", "black", "white"}, set()),
    ],
)
def test_colours_turned_down_after_they_are_named(
    vocab: Vocabulary, text: str, colours: set[str], excluded: set[str]
) -> None:
    prefs = _read(vocab, text, want(COATS, "red"))
    assert (prefs.colours, prefs.excluded_colours) == (colours, excluded)


@pytest.mark.parametrize(
    ("held", "text", "size"),
    [
        ("M", "too small", "L"),
        ("M", "太小了", "L"),
        ("M", "大一码", "L"),
        ("XL", "a size bigger please", "XXL"),
        ("L", "too big", "M"),
        ("42", "小一码", "41"),
        ("38.5", "太紧了", "39.5"),
        ("XXXL", "too small", "XXXL"),
        (None, "too small", None),
    ],
)
def test_a_size_up_or_down_from_the_one_held(
    vocab: Vocabulary, held: str | None, text: str, size: str | None
) -> None:
    assert _read(vocab, text, want(SHOES, size=held)).size == size


def test_the_budget_can_be_dropped_and_a_hundred_and_something_is_a_band(
    vocab: Vocabulary,
) -> None:
    held = want(COATS, "red", over=100, under=500)
    for text in ("price doesn't matter", "预算不限", "不用考虑价格"):
        assert _read(vocab, text, held) == want(COATS, "red"), text
    assert _read(vocab, "有没有两百多的", held) == want(COATS, "red", over=200, under=299)
    assert _read(vocab, "一千多块", held) == want(COATS, "red", over=1000, under=1999)
    assert _read(vocab, "budget: 2,000", held) == want(COATS, "red", over=100, under=2000)
    assert _read(vocab, "5k budget", held) == want(COATS, "red", over=100, under=5000)
