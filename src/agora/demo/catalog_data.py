"""The demo shop's stores, category tree and 360 products, as plain data.

Nothing here touches the database: the seeding code turns these records into rows. Everything is
built from fixed word lists with a seeded ``random.Random``, so every run (and every machine)
produces the same catalog, which keeps screenshots and search tests stable.

Products come from *lines*: a leaf category plus word lists (materials, styles, item nouns) whose
combinations give varied, realistic bilingual titles, and the rules for that line's SKUs
(colours, sizes or storage options, price band). ``generated_products`` reuses the same lines to
stream any number of products for load tests.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Iterator
from dataclasses import KW_ONLY, dataclass
from functools import cache
from random import Random

from agora.catalog import images


@dataclass(frozen=True, slots=True)
class DemoStore:
    key: str
    name_en: str
    name_zh: str
    description_en: str
    description_zh: str
    self_operated: bool


@dataclass(frozen=True, slots=True)
class DemoCategory:
    key: str
    name_en: str
    name_zh: str
    parent_key: str | None


@dataclass(frozen=True, slots=True)
class DemoSku:
    colour: str  # a key of images.COLOURS
    size: str | None
    price: int  # fen
    stock: int


@dataclass(frozen=True, slots=True)
class DemoProduct:
    key: str
    store_key: str
    category_key: str  # always a leaf
    title_en: str
    title_zh: str
    description_en: str
    description_zh: str
    list_price: int  # fen, the struck-through "was" price; >= every SKU price
    shape: str  # a key of images.SHAPES
    skus: tuple[DemoSku, ...]
    sales: int
    age_days: int

    @property
    def image_url(self) -> str:
        """The card picture: the first SKU's colour, with a variant stable for this key."""
        variant = zlib.crc32(self.key.encode()) % 4
        return images.image_url(self.shape, self.skus[0].colour, variant)


SELF = "agora-self"
FASHION = "yunshang-fashion"
SNEAKERS = "stride-sneakers"
DIGITAL = "lumen-digital"
HOME = "warm-home"
BEAUTY = "peach-beauty"

_STORES = (
    DemoStore(
        SELF,
        "Agora Self-Operated",
        "Agora自营",
        "Run by Agora itself: genuine goods, fast shipping from our own warehouses and "
        "hassle-free 7-day returns.",
        "Agora官方自营，正品保障，自有仓库极速发货，支持7天无理由退货。",
        True,
    ),
    DemoStore(
        FASHION,
        "Yunshang Fashion Flagship Store",
        "云裳服饰旗舰店",
        "Everyday womenswear and menswear in natural fabrics, designed in Hangzhou.",
        "杭州原创设计，精选天然面料，打造日常百搭男女装。",
        False,
    ),
    DemoStore(
        SNEAKERS,
        "Stride Sneakers & Sports",
        "疾步运动鞋专营店",
        "Running shoes, boots and training gear, with size swaps on every pair.",
        "专营跑鞋、靴子和运动装备，每双鞋都支持免费换码。",
        False,
    ),
    DemoStore(
        DIGITAL,
        "Lumen Digital Flagship Store",
        "光年数码旗舰店",
        "Phones, laptops, audio and wearables with official warranty and trade-in offers.",
        "手机、笔记本电脑、耳机与智能穿戴，官方联保，支持以旧换新。",
        False,
    ),
    DemoStore(
        HOME,
        "Warm Nest Home & Kitchen",
        "暖巢家居生活馆",
        "Cookware, tableware, bedding and lighting for a cosy home.",
        "锅具餐具、床品与灯具，让家更温暖舒适。",
        False,
    ),
    DemoStore(
        BEAUTY,
        "Peach Blossom Beauty & Pantry",
        "桃花源美妆零食铺",
        "Skincare, make-up and fragrance, plus snacks and fine teas from across China.",
        "护肤彩妆与香水，还有来自全国各地的零食和好茶。",
        False,
    ),
)

# (key, name_en, name_zh, children); the order here is the display order of the tree.
_TREE: tuple[tuple[str, str, str, tuple[tuple[str, str, str], ...]], ...] = (
    (
        "womens",
        "Women's Clothing",
        "女装",
        (
            ("womens-coats", "Women's Coats", "女士外套"),
            ("dresses", "Dresses", "连衣裙"),
            ("womens-tops", "Women's Tops", "女士上衣"),
            ("skirts", "Skirts", "半身裙"),
        ),
    ),
    (
        "mens",
        "Men's Clothing",
        "男装",
        (
            ("mens-coats", "Men's Coats", "男士外套"),
            ("mens-jackets", "Men's Jackets", "男士夹克"),
            ("mens-tshirts", "Men's T-Shirts", "男士T恤"),
            ("mens-shirts", "Men's Shirts", "男士衬衫"),
            ("jeans", "Jeans", "牛仔裤"),
            ("hoodies", "Hoodies & Sweatshirts", "卫衣"),
        ),
    ),
    (
        "shoes",
        "Shoes",
        "鞋靴",
        (
            ("sneakers", "Sneakers", "运动鞋"),
            ("boots", "Boots", "靴子"),
            ("heels", "Heels", "高跟鞋"),
        ),
    ),
    (
        "bags",
        "Bags",
        "箱包",
        (
            ("handbags", "Handbags", "手提包"),
            ("backpacks", "Backpacks", "双肩包"),
        ),
    ),
    (
        "electronics",
        "Electronics",
        "数码电器",
        (
            ("phones", "Mobile Phones", "手机"),
            ("audio", "Headphones & Speakers", "耳机音箱"),
            ("laptops", "Laptops", "笔记本电脑"),
            ("watches", "Watches", "手表"),
        ),
    ),
    (
        "home",
        "Home & Kitchen",
        "家居厨具",
        (
            ("mugs", "Cups & Mugs", "水杯马克杯"),
            ("cookware", "Cookware", "锅具"),
            ("bedding", "Pillows & Bedding", "枕头床品"),
            ("lighting", "Lighting", "灯具照明"),
        ),
    ),
    (
        "beauty",
        "Beauty",
        "美妆护肤",
        (
            ("lipstick", "Lipstick", "口红"),
            ("skincare", "Skincare", "护肤品"),
            ("fragrance", "Fragrance", "香水"),
        ),
    ),
    (
        "food",
        "Food & Drink",
        "食品饮料",
        (
            ("snacks", "Snacks", "零食"),
            ("tea", "Tea", "茶叶"),
        ),
    ),
    (
        "sports",
        "Sports & Toys",
        "运动玩具",
        (
            ("balls", "Balls", "球类"),
            ("yoga", "Yoga & Fitness", "瑜伽健身"),
            ("toys", "Toys", "玩具"),
        ),
    ),
)

_Words = tuple[tuple[str, str], ...]
_Nouns = tuple[tuple[str, str, str], ...]


def _keys(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _pairs(text: str) -> _Words:
    """``"Wool Blend=羊毛混纺|Tweed=粗花呢"``: word lists stay readable one line per few words."""
    out: list[tuple[str, str]] = []
    for item in text.split("|"):
        en, zh = item.split("=")
        out.append((en, zh))
    return tuple(out)


def _nouns(text: str) -> _Nouns:
    """Like ``_pairs`` with a third part: the picture shape, ``"Coat=大衣外套=coat"``."""
    out: list[tuple[str, str, str]] = []
    for item in text.split("|"):
        en, zh, shape = item.split("=")
        out.append((en, zh, shape))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class _Skus:
    """How a line's SKUs are made: some colours times a consecutive run of options."""

    colour_pick: tuple[int, int]  # how many colours, at least..at most
    options: tuple[str | None, ...]  # sizes, storage, volume...; (None,) when there are none
    option_pick: tuple[int, int]  # a run of this many options is offered (M-XL, 256GB-512GB)
    option_label: tuple[str, str]  # what the options are called in descriptions
    step: int = 0  # fen added for each larger option


_SHOE_SIZES = tuple(str(n) for n in range(36, 45))
_APPAREL = _Skus((2, 4), ("S", "M", "L", "XL"), (3, 4), ("Sizes", "尺码"))
_COLOUR_ONLY = _Skus((2, 4), (None,), (1, 1), ("", ""))


@dataclass(frozen=True, slots=True)
class _Line:
    """One kind of product in one leaf category, with everything needed to invent listings."""

    category: str
    count: int  # how many of the 360 demo products come from this line
    _: KW_ONLY
    stores: tuple[str, ...]  # the first sells most of the line
    price: tuple[int, int]  # CNY for the cheapest SKU
    colours: tuple[str, ...]
    skus: _Skus
    first: _Words  # material / model
    second: _Words  # style / feature
    nouns: _Nouns  # (en, zh, shape)
    about: _Words  # templates: {M} and {m} are the first word in English, {mz} in Chinese
    care: tuple[str, str]
    favour: str | None = None  # a colour put first on every other product of the line


_LINES: tuple[_Line, ...] = (
    _Line(
        "womens-coats",
        20,
        stores=(FASHION, SELF),
        price=(299, 1299),
        colours=_keys("red black beige khaki grey navy brown pink white"),
        skus=_APPAREL,
        first=_pairs(
            "Wool Blend=羊毛混纺|Double-Faced Cashmere=双面羊绒|Brushed Wool=磨毛羊毛|"
            "Tweed=粗花呢|Cotton Gabardine=棉质华达呢|Alpaca Blend=羊驼毛混纺"
        ),
        second=_pairs(
            "Double-Breasted Long=双排扣长款|Belted Wrap=系带收腰|Notch Lapel=西装领|"
            "Oversized Cocoon=宽松茧型|Hooded Mid-Length=连帽中长款|"
            "Single-Breasted Slim=单排扣修身"
        ),
        nouns=_nouns("Coat=大衣外套=coat|Winter Coat=冬季大衣外套=coat|Trench Coat=风衣外套=coat"),
        about=(
            (
                "Cut from {m} with a softly tailored fit that sits well over a chunky knit.",
                "采用{mz}面料，版型柔和挺括，内搭厚毛衣也不显臃肿。",
            ),
            (
                "A warm {m} shell with a smooth lining; true to size with room to layer.",
                "{mz}面料保暖有型，顺滑内衬，尺码标准，可叠穿。",
            ),
            (
                "Made of {m} that drapes cleanly, with a relaxed shoulder and horn buttons.",
                "{mz}面料垂感好，落肩设计，牛角扣点缀。",
            ),
        ),
        care=(
            "Dry clean only; hang on a wide hanger to keep the shoulders in shape.",
            "建议干洗，请使用宽肩衣架悬挂以保持版型。",
        ),
        favour="red",
    ),
    _Line(
        "dresses",
        16,
        stores=(FASHION, SELF),
        price=(129, 699),
        colours=_keys("red black white navy blue green pink purple yellow beige"),
        skus=_APPAREL,
        first=_pairs(
            "Floral Chiffon=碎花雪纺|Silk Satin=真丝缎面|Linen Blend=亚麻混纺|"
            "Ribbed Knit=罗纹针织|Polka Dot=波点|Cotton Poplin=纯棉府绸"
        ),
        second=_pairs(
            "V-Neck Midi=V领中长款|Square Neck A-Line=方领A字|Puff Sleeve=泡泡袖|"
            "Slip=吊带|Tiered Maxi=层叠长款|Wrap=裹身"
        ),
        nouns=_nouns("Dress=连衣裙=dress|Summer Dress=夏季连衣裙=dress"),
        about=(
            (
                "{M} fabric in a flattering fit that nips in at the waist and flows to the hem.",
                "{mz}面料，收腰显瘦，裙摆飘逸。",
            ),
            (
                "Light, breathable {m} with a soft lining; runs true to size.",
                "{mz}面料轻盈透气，带柔软内衬，尺码标准。",
            ),
        ),
        care=(
            "Hand wash cold and line dry; iron on low heat.",
            "建议冷水手洗，挂起晾干，低温熨烫。",
        ),
    ),
    _Line(
        "womens-tops",
        14,
        stores=(FASHION, SELF),
        price=(49, 299),
        colours=_keys("white black pink blue beige yellow green grey red"),
        skus=_APPAREL,
        first=_pairs(
            "Pure Cotton=纯棉|Modal=莫代尔|Silky=垂感|Linen=亚麻|Striped=条纹|Embroidered=刺绣"
        ),
        second=_pairs(
            "Crew Neck=圆领|Relaxed Fit=宽松|Cropped=短款|Puff Sleeve=泡泡袖|"
            "Long Sleeve=长袖|Square Neck=方领"
        ),
        nouns=_nouns("T-Shirt=T恤=tshirt|Blouse=衬衫=shirt|Top=上衣=tshirt"),
        about=(
            (
                "Soft {m} fabric that feels good against the skin, in an easy everyday fit.",
                "{mz}面料亲肤柔软，版型宽松，日常百搭。",
            ),
            (
                "Breathable {m} with a clean neckline; pairs with jeans or a skirt.",
                "{mz}面料透气舒适，领口利落，搭配牛仔裤或半身裙都好看。",
            ),
        ),
        care=(
            "Machine wash cold inside out; do not tumble dry.",
            "建议反面冷水机洗，请勿烘干。",
        ),
    ),
    _Line(
        "skirts",
        10,
        stores=(FASHION,),
        price=(99, 399),
        colours=_keys("black khaki navy beige pink red grey green"),
        skus=_APPAREL,
        first=_pairs(
            "Pleated Chiffon=百褶雪纺|Denim=牛仔|Wool Blend=羊毛混纺|Satin=缎面|"
            "Corduroy=灯芯绒|Tweed=小香风粗花呢"
        ),
        second=_pairs("High-Waist A-Line=高腰A字|Midi=中长款|Mini=短款|Side Slit=侧开叉|Wrap=裹身"),
        nouns=_nouns("Skirt=半身裙=skirt"),
        about=(
            (
                "A {m} skirt with a high waist and an elastic back for comfort.",
                "{mz}面料，高腰设计，后腰松紧更舒适。",
            ),
            (
                "Cut from {m} that holds its shape; falls just below the knee.",
                "{mz}面料挺括有型，长度及膝下。",
            ),
        ),
        care=(
            "Hand wash or use a gentle machine cycle; hang to dry.",
            "可手洗或轻柔机洗，挂起晾干。",
        ),
    ),
    _Line(
        "mens-coats",
        14,
        stores=(FASHION, SELF),
        price=(499, 1599),
        colours=_keys("black navy grey khaki brown beige red green"),
        skus=_APPAREL,
        first=_pairs(
            "Wool Blend=羊毛混纺|Cashmere Touch=羊绒感|Herringbone=人字纹|"
            "Water-Repellent Cotton=防泼水棉质|Melton Wool=麦尔登呢|Merino=美利奴羊毛"
        ),
        second=_pairs(
            "Single-Breasted=单排扣|Double-Breasted=双排扣|Long Tailored=长款修身|"
            "Stand Collar=立领|Hooded=连帽|Classic Mid-Length=经典中长款"
        ),
        nouns=_nouns("Coat=大衣外套=coat|Trench Coat=风衣外套=coat|Winter Coat=冬季外套=coat"),
        about=(
            (
                "Tailored from {m} with a sharp shoulder and room for a suit jacket underneath.",
                "{mz}面料，肩线利落，内搭西装也有余量。",
            ),
            (
                "A warm {m} coat with a quilted lining and deep pockets; regular fit.",
                "{mz}面料保暖，夹棉内衬，深口袋设计，常规版型。",
            ),
        ),
        care=(
            "Dry clean; brush after wear and store on a shaped hanger.",
            "建议干洗，穿后用毛刷打理，宽肩衣架收纳。",
        ),
        favour="red",
    ),
    _Line(
        "mens-jackets",
        10,
        stores=(FASHION, SNEAKERS, SELF),
        price=(299, 999),
        colours=_keys("black navy khaki green grey blue brown"),
        skus=_APPAREL,
        first=_pairs(
            "Washed Denim=水洗牛仔|Nylon=尼龙|Suede=麂皮绒|Corduroy=灯芯绒|"
            "Waxed Cotton=涂蜡棉|Softshell=软壳"
        ),
        second=_pairs(
            "Bomber=飞行员|Trucker=工装|Zip-Up Windbreaker=拉链防风|Stand Collar=立领|"
            "Utility=多口袋机能"
        ),
        nouns=_nouns("Jacket=夹克外套=jacket"),
        about=(
            (
                "A {m} shell with a ribbed hem and cuffs; regular fit, roomy enough for a hoodie.",
                "{mz}面料，罗纹下摆和袖口，常规版型可内搭卫衣。",
            ),
            (
                "Hard-wearing {m} with a two-way zip and plenty of pockets.",
                "{mz}面料耐穿，双向拉链，口袋实用。",
            ),
        ),
        care=(
            "Machine wash cold with the zip closed; hang to dry.",
            "拉好拉链后冷水机洗，挂起晾干。",
        ),
    ),
    _Line(
        "mens-tshirts",
        10,
        stores=(SELF, FASHION),
        price=(39, 199),
        colours=_keys("white black grey navy blue green red yellow orange"),
        skus=_APPAREL,
        first=_pairs(
            "Heavyweight Cotton=重磅纯棉|Pima Cotton=匹马棉|Quick-Dry=速干|"
            "Organic Cotton=有机棉|Bamboo Fibre=竹纤维|Graphic Print=印花"
        ),
        second=_pairs(
            "Crew Neck=圆领|Oversized=宽松落肩|Slim Fit=修身|V-Neck=V领|Pocket=口袋|"
            "Short Sleeve=短袖"
        ),
        nouns=_nouns("T-Shirt=T恤=tshirt|Tee=T恤衫=tshirt"),
        about=(
            (
                "{M} jersey that keeps its shape wash after wash; true to size.",
                "{mz}面料，多次洗涤不变形，尺码标准。",
            ),
            (
                "Breathable {m} for hot days, with a tag-free neck.",
                "{mz}面料透气清爽，无标签领口不扎人。",
            ),
        ),
        care=(
            "Machine wash cold with like colours; tumble dry low.",
            "同色冷水机洗，可低温烘干。",
        ),
    ),
    _Line(
        "mens-shirts",
        10,
        stores=(FASHION, SELF),
        price=(99, 459),
        colours=_keys("white blue navy black pink grey khaki"),
        skus=_APPAREL,
        first=_pairs(
            "Oxford Cotton=牛津纺纯棉|Non-Iron=免烫|Linen=亚麻|Stretch Poplin=弹力府绸|"
            "Chambray=青年布|Flannel Check=法兰绒格纹"
        ),
        second=_pairs(
            "Slim Fit=修身|Button-Down Collar=纽扣领|Long Sleeve=长袖|Business=商务|Casual=休闲"
        ),
        nouns=_nouns("Shirt=衬衫=shirt|Dress Shirt=正装衬衫=shirt"),
        about=(
            (
                "Crisp {m} with a structured collar; tailored through the chest and waist.",
                "{mz}面料挺括，领型立体，胸腰合体剪裁。",
            ),
            (
                "Soft {m} that works with or without a tie; regular fit.",
                "{mz}面料柔软，可正装可休闲，常规版型。",
            ),
        ),
        care=(
            "Machine wash at 30°C; hang while damp to keep creases away.",
            "30°C机洗，趁湿挂起可减少褶皱。",
        ),
    ),
    _Line(
        "jeans",
        10,
        stores=(FASHION, SELF),
        price=(129, 499),
        colours=_keys("blue navy black grey white"),
        skus=_APPAREL,
        first=_pairs(
            "Stretch Denim=弹力牛仔|Selvedge Denim=赤耳丹宁|Washed Denim=水洗牛仔|"
            "Raw Denim=原色牛仔|Light Wash=浅色水洗"
        ),
        second=_pairs(
            "Slim Straight=修身直筒|High-Rise Wide-Leg=高腰阔腿|Tapered=锥形|"
            "Relaxed=宽松|Skinny=小脚|Bootcut=微喇"
        ),
        nouns=_nouns("Jeans=牛仔裤=jeans"),
        about=(
            (
                "{M} with a little stretch for comfort; sits at the waist and holds its shape.",
                "{mz}面料微弹舒适，腰线合适，不易变形。",
            ),
            (
                "Five-pocket {m} jeans with reinforced seams; size up for a looser fit.",
                "经典五袋款{mz}，加固缝线；喜欢宽松可选大一码。",
            ),
        ),
        care=(
            "Wash inside out in cold water to keep the colour; line dry.",
            "反面冷水洗涤以防褪色，挂起晾干。",
        ),
    ),
    _Line(
        "hoodies",
        10,
        stores=(SNEAKERS, FASHION, SELF),
        price=(99, 399),
        colours=_keys("grey black navy green purple orange pink white red"),
        skus=_APPAREL,
        first=_pairs(
            "Fleece-Lined=加绒|French Terry=毛圈棉|Heavyweight Cotton=重磅纯棉|"
            "Waffle Knit=华夫格|Brushed=磨毛"
        ),
        second=_pairs(
            "Pullover=套头|Zip-Up=拉链开衫|Oversized=宽松|Embroidered=刺绣|Drop Shoulder=落肩"
        ),
        nouns=_nouns("Hoodie=连帽卫衣=hoodie|Sweatshirt=卫衣=hoodie"),
        about=(
            (
                "Cosy {m} fabric with a roomy hood and a kangaroo pocket; relaxed fit.",
                "{mz}面料温暖舒适，大帽型、袋鼠兜，宽松版型。",
            ),
            (
                "{M} cotton with ribbed cuffs that stay put; unisex sizing.",
                "{mz}棉质面料，罗纹袖口不易松垮，男女同款尺码。",
            ),
        ),
        care=(
            "Machine wash cold inside out; do not bleach.",
            "反面冷水机洗，请勿漂白。",
        ),
    ),
    _Line(
        "sneakers",
        16,
        stores=(SNEAKERS, SELF),
        price=(199, 1299),
        colours=_keys("white black grey blue red green pink navy orange"),
        skus=_Skus((1, 3), _SHOE_SIZES, (4, 6), ("Sizes", "鞋码")),
        first=_pairs(
            "Lightweight=轻便|Breathable Mesh=透气网面|Cushioned=缓震|Retro=复古|"
            "Leather=真皮|Knit=飞织"
        ),
        second=_pairs(
            "Running=跑步|Low-Top=低帮|High-Top=高帮|Trail=越野|Walking=健步|Court=板鞋风"
        ),
        nouns=_nouns("Sneakers=运动鞋=sneakers|Trainers=休闲运动鞋=sneakers"),
        about=(
            (
                "A springy foam midsole under a {m} upper; true to size with a roomy toe box.",
                "{mz}鞋面搭配回弹泡棉中底，尺码标准，鞋头宽松不挤脚。",
            ),
            (
                "{M} build with a grippy rubber outsole for all-day wear.",
                "{mz}设计，防滑橡胶大底，久穿不累。",
            ),
        ),
        care=(
            "Wipe clean with a damp cloth; do not machine wash.",
            "用湿布擦拭清洁，请勿机洗。",
        ),
    ),
    _Line(
        "boots",
        12,
        stores=(SNEAKERS, FASHION, SELF),
        price=(299, 1199),
        colours=_keys("black brown khaki beige grey"),
        skus=_Skus((1, 3), _SHOE_SIZES[2:], (4, 6), ("Sizes", "鞋码")),
        first=_pairs(
            "Genuine Leather=真皮|Suede=翻毛皮|Waterproof=防水|Fleece-Lined=加绒|Vintage=复古"
        ),
        second=_pairs("Chelsea=切尔西|Lace-Up=系带|Combat=马丁|Work=工装|Chunky Sole=厚底"),
        nouns=_nouns("Boots=靴子=boots|Ankle Boots=短靴=boots"),
        about=(
            (
                "Built on a sturdy rubber sole with a cushioned insole; fits true to size.",
                "耐磨橡胶大底，软垫鞋垫，尺码标准。",
            ),
            (
                "A {m} pair that softens with wear; a heel pull tab makes them easy to put on.",
                "{mz}款式越穿越服帖，后跟提拉设计方便穿脱。",
            ),
        ),
        care=(
            "Brush off dirt and treat leather with conditioner now and then.",
            "及时刷去灰尘，定期使用皮革护理剂保养。",
        ),
    ),
    _Line(
        "heels",
        10,
        stores=(FASHION, SNEAKERS),
        price=(199, 899),
        colours=_keys("black red beige pink white silver gold"),
        skus=_Skus((1, 3), _SHOE_SIZES[:5], (4, 5), ("Sizes", "鞋码")),
        first=_pairs("Patent Leather=漆皮|Suede=绒面|Satin=缎面|Mesh=网纱|Sheepskin=羊皮"),
        second=_pairs(
            "Stiletto=细跟|Mid-Heel=中跟|Slingback=后空|Mary Jane=玛丽珍|Ankle Strap=一字带"
        ),
        nouns=_nouns("Pumps=高跟鞋=heels|Heels=单鞋高跟鞋=heels"),
        about=(
            (
                "{M} upper with a padded insole that keeps long days comfortable.",
                "{mz}鞋面，加厚软垫鞋垫，久站不累。",
            ),
            (
                "A {m} heel that is steady underfoot; runs small, so consider a size up.",
                "{mz}款式，鞋跟稳当；版型偏小，建议选大一码。",
            ),
        ),
        care=(
            "Wipe with a soft dry cloth and keep in the dust bag.",
            "用柔软干布擦拭，收纳时放入防尘袋。",
        ),
    ),
    _Line(
        "handbags",
        12,
        stores=(FASHION, SELF),
        price=(199, 1599),
        colours=_keys("black brown beige red pink white khaki green"),
        skus=_COLOUR_ONLY,
        first=_pairs(
            "Genuine Leather=真皮|Vegan Leather=环保皮革|Woven Straw=草编|Canvas=帆布|"
            "Quilted=菱格|Croc-Embossed=鳄鱼纹"
        ),
        second=_pairs(
            "Structured=硬挺|Crossbody=斜挎|Tote=托特|Mini=迷你|Shoulder=单肩|Bucket=水桶"
        ),
        nouns=_nouns("Handbag=手提包=handbag|Bag=包包=handbag"),
        about=(
            (
                "{M} with a roomy main compartment, an inner zip pocket and a detachable strap.",
                "{mz}材质，大容量主袋，内置拉链袋，肩带可拆卸。",
            ),
            (
                "Holds a phone, a wallet and a small umbrella; the {m} keeps its shape.",
                "可装下手机、钱包和小雨伞，{mz}材质挺括不变形。",
            ),
        ),
        care=(
            "Wipe with a dry cloth; keep out of prolonged sun and rain.",
            "用干布擦拭，避免长时间暴晒和淋雨。",
        ),
    ),
    _Line(
        "backpacks",
        10,
        stores=(SNEAKERS, SELF, DIGITAL),
        price=(99, 699),
        colours=_keys("black grey navy blue green khaki pink orange"),
        skus=_Skus((1, 4), ("20L", "28L", "35L"), (1, 2), ("Capacity", "容量"), step=2000),
        first=_pairs(
            "Water-Resistant=防泼水|Recycled Nylon=再生尼龙|Canvas=帆布|Lightweight=轻量|"
            "Anti-Theft=防盗"
        ),
        second=_pairs("Laptop=电脑|Travel=旅行|Commuter=通勤|School=学生书包|Hiking=登山"),
        nouns=_nouns("Backpack=双肩包=backpack"),
        about=(
            (
                "{M} fabric with a padded 15.6-inch laptop sleeve and a breathable back panel.",
                "{mz}面料，内置15.6英寸电脑隔层，透气背板。",
            ),
            (
                "Plenty of pockets and a {m} build; padded straps spread the load.",
                "多隔层设计，{mz}材质，加厚肩带减轻负重。",
            ),
        ),
        care=(
            "Spot clean with mild soap; air dry.",
            "用温和肥皂局部清洗，自然晾干。",
        ),
    ),
    _Line(
        "phones",
        12,
        stores=(DIGITAL, SELF),
        price=(1999, 6999),
        colours=_keys("black white silver blue green purple gold pink"),
        skus=_Skus(
            (1, 4), ("128GB", "256GB", "512GB", "1TB"), (2, 3), ("Storage", "存储"), step=50000
        ),
        first=_pairs(
            "Lumen Nova 12=光年 Nova 12|Lumen Nova 12 Pro=光年 Nova 12 Pro|"
            "Lumen Aurora X5=光年 Aurora X5|Kestrel K70=Kestrel K70|"
            "Kestrel K70 Ultra=Kestrel K70 Ultra|Orbit Fold 3=Orbit Fold 3"
        ),
        second=_pairs(
            "5G=5G全网通|Dual SIM 5G=双卡双待5G|6.7-Inch OLED=6.7英寸OLED屏|"
            "Long Battery Life=超长续航|Triple Camera=三摄影像"
        ),
        nouns=_nouns("Smartphone=智能手机=phone|Mobile Phone=手机=phone"),
        about=(
            (
                "A bright OLED screen, an all-day battery and fast "
                "charging; the {M} feels light in the hand.",
                "OLED高亮屏幕，长续航快充，{mz}握持轻巧。",
            ),
            (
                "A flagship camera with night mode, and a glass back in a slim aluminium frame.",
                "旗舰影像支持夜景模式，玻璃后盖配轻薄铝合金中框。",
            ),
        ),
        care=(
            "1-year official warranty; use the supplied cable for fast charging.",
            "享一年官方保修，使用原装数据线快充。",
        ),
    ),
    _Line(
        "audio",
        8,
        stores=(DIGITAL, SELF),
        price=(199, 2499),
        colours=_keys("black white silver blue pink navy"),
        skus=_COLOUR_ONLY,
        first=_pairs(
            "Noise-Cancelling=主动降噪|Hi-Res=高解析|Studio=录音室级|Lumen Air=光年 Air|"
            "Foldable=可折叠"
        ),
        second=_pairs("Wireless Bluetooth=无线蓝牙|Over-Ear=头戴式|Wired=有线|Long-Battery=长续航"),
        nouns=_nouns("Headphones=耳机=headphones"),
        about=(
            (
                "Soft memory-foam cushions and a light band; the "
                "{m} design is comfortable for hours.",
                "记忆棉耳罩配轻量头梁，{mz}设计久戴不累。",
            ),
            (
                "Rich bass, clear vocals and about 40 hours of playback per charge.",
                "低音饱满，人声清晰，充满电约可播放40小时。",
            ),
        ),
        care=(
            "1-year warranty; fold flat into the carry case.",
            "一年保修，可折叠收纳进便携包。",
        ),
    ),
    _Line(
        "audio",
        4,
        stores=(DIGITAL, SELF),
        price=(99, 999),
        colours=_keys("black grey blue green pink red"),
        skus=_COLOUR_ONLY,
        first=_pairs("Portable=便携|Waterproof=防水|Smart=智能|Mini=迷你"),
        second=_pairs("Bluetooth=蓝牙|Wireless=无线|Stereo=立体声"),
        nouns=_nouns("Speaker=音箱=speaker"),
        about=(
            (
                "360-degree sound with deep bass and 20 hours of playback.",
                "360度环绕音效，低音浑厚，续航约20小时。",
            ),
            (
                "{M} design that pairs two units for stereo in one tap.",
                "{mz}设计，一键配对两台组成立体声。",
            ),
        ),
        care=(
            "Charge with USB-C; splash resistant, not for swimming.",
            "USB-C充电，防溅水，请勿浸泡。",
        ),
    ),
    _Line(
        "laptops",
        8,
        stores=(DIGITAL, SELF),
        price=(3999, 12999),
        colours=_keys("silver grey black blue"),
        skus=_Skus(
            (1, 3),
            ("16GB+512GB", "16GB+1TB", "32GB+1TB"),
            (1, 3),
            ("Configurations", "配置"),
            step=100000,
        ),
        first=_pairs(
            "Lumen Book 14=光年 Book 14|Lumen Book 16 Pro=光年 Book 16 Pro|"
            "Kestrel Air 13=Kestrel Air 13|Kestrel Blade 15=Kestrel Blade 15"
        ),
        second=_pairs(
            "Thin and Light=轻薄|2.5K Display=2.5K高刷屏|Creator=创作者|Business=商务办公"
        ),
        nouns=_nouns("Laptop=笔记本电脑=laptop"),
        about=(
            (
                "An aluminium unibody, a sharp high-refresh screen "
                "and a battery that lasts a working day.",
                "一体化铝合金机身，高刷清晰屏幕，续航满足全天办公。",
            ),
            (
                "The {M} has a backlit keyboard, a fast SSD and two USB-C ports.",
                "{mz}配备背光键盘、高速固态硬盘和双USB-C接口。",
            ),
        ),
        care=(
            "1-year warranty; keep the vents clear under heavy work.",
            "一年保修；高负载使用时请保持散热口通畅。",
        ),
    ),
    _Line(
        "watches",
        10,
        stores=(DIGITAL, SELF, FASHION),
        price=(199, 2999),
        colours=_keys("black silver gold brown navy white"),
        skus=_Skus((1, 4), ("41mm", "45mm"), (1, 2), ("Case sizes", "表盘尺寸"), step=20000),
        first=_pairs(
            "Lumen Watch S3=光年 Watch S3|Classic=经典|Automatic Mechanical=全自动机械|"
            "Quartz=石英|Titanium=钛合金|Minimalist=极简"
        ),
        second=_pairs(
            "Smart=智能|Chronograph=计时|Waterproof=防水|Leather Strap=真皮表带|Steel Bracelet=钢带"
        ),
        nouns=_nouns("Watch=手表=watch"),
        about=(
            (
                "Sapphire-coated glass, 50 m water resistance and a strap that is quick to swap.",
                "蓝宝石镀膜镜面，50米防水，表带快拆易换。",
            ),
            (
                "A {m} case with a clean dial that reads at a glance.",
                "{mz}表壳，表盘简洁，一目了然。",
            ),
        ),
        care=(
            "Avoid hot showers and saunas; wipe the case dry after sport.",
            "避免热水淋浴和桑拿，运动后擦干表壳。",
        ),
    ),
    _Line(
        "mugs",
        12,
        stores=(HOME, SELF),
        price=(29, 159),
        colours=_keys("white black blue pink green yellow grey red"),
        skus=_Skus((1, 4), ("350ml", "450ml"), (1, 2), ("Capacity", "容量"), step=1000),
        first=_pairs(
            "Ceramic=陶瓷|Stoneware=粗陶|Bone China=骨瓷|Double-Wall Glass=双层玻璃|"
            "Stainless Steel=不锈钢|Hand-Glazed=手工釉"
        ),
        second=_pairs("Coffee=咖啡|Office=办公室|Couple=情侣|Travel=便携|Nordic=北欧风"),
        nouns=_nouns("Mug=马克杯=mug|Cup with Lid=带盖水杯=mug"),
        about=(
            (
                "{M} that keeps drinks warm a little longer, with a comfortable handle.",
                "{mz}材质，保温效果好，杯柄握感舒适。",
            ),
            (
                "Lead-free {m}, smooth inside so it rinses clean.",
                "{mz}材质无铅安全，内壁光滑易清洗。",
            ),
        ),
        care=(
            "Dishwasher safe; avoid sudden changes of temperature.",
            "可洗碗机清洗，避免骤冷骤热。",
        ),
    ),
    _Line(
        "cookware",
        10,
        stores=(HOME, SELF),
        price=(99, 899),
        colours=_keys("black red grey orange blue beige"),
        skus=_Skus((1, 3), ("28cm", "30cm", "32cm"), (1, 2), ("Diameter", "直径"), step=2000),
        first=_pairs(
            "Non-Stick=不粘|Cast Iron=铸铁|Tri-Ply Stainless Steel=三层复合不锈钢|"
            "Ceramic-Coated=陶瓷涂层|Carbon Steel=精铁"
        ),
        second=_pairs(
            "Induction-Ready=电磁炉通用|Deep=深口|Flat-Bottom=平底|Household=家用|Lightweight=轻量"
        ),
        nouns=_nouns("Wok=炒锅=pan|Frying Pan=煎锅平底锅=pan"),
        about=(
            (
                "The {m} body heats evenly and works on gas and induction hobs.",
                "{mz}锅体导热均匀，燃气灶和电磁炉通用。",
            ),
            (
                "A {m} pan with a stay-cool handle; cooks with very little oil.",
                "{mz}锅具，手柄防烫，少油烹饪更健康。",
            ),
        ),
        care=(
            "Hand wash and dry straight away; avoid metal scourers.",
            "建议手洗并及时擦干，避免使用钢丝球。",
        ),
    ),
    _Line(
        "bedding",
        10,
        stores=(HOME, SELF),
        price=(59, 399),
        colours=_keys("white grey beige pink blue green yellow"),
        skus=_Skus((1, 4), ("48x74cm", "50x80cm"), (1, 2), ("Sizes", "尺寸"), step=1000),
        first=_pairs(
            "Memory Foam=记忆棉|Goose Down=鹅绒|Latex=乳胶|Buckwheat=荞麦|Cotton=全棉|Silk=真丝"
        ),
        second=_pairs("Neck Support=护颈|Hotel=酒店款|Soft=柔软|Cooling=冰感|Embroidered=刺绣"),
        nouns=_nouns("Pillow=枕头=pillow|Cushion=抱枕靠垫=pillow"),
        about=(
            (
                "{M} filling that holds its shape night after night; "
                "a medium height suits most sleepers.",
                "{mz}填充，久睡不塌，中等高度适合大多数人。",
            ),
            (
                "A breathable cotton cover over {m}; it zips off for washing.",
                "透气全棉外套包裹{mz}填充，枕套可拆洗。",
            ),
        ),
        care=(
            "Take the cover off to wash; air the pillow in the shade.",
            "枕套可拆洗，枕芯放在阴凉处通风晾晒。",
        ),
    ),
    _Line(
        "lighting",
        8,
        stores=(HOME,),
        price=(79, 599),
        colours=_keys("white black beige grey green gold"),
        skus=_COLOUR_ONLY,
        first=_pairs(
            "Nordic=北欧|Rattan=藤编|Linen Shade=亚麻灯罩|Ceramic=陶瓷|Smart=智能|Brass=黄铜"
        ),
        second=_pairs("Bedside=床头|Desk=书桌|Dimmable=可调光|LED=LED"),
        nouns=_nouns("Table Lamp=台灯=lamp|Lamp=灯具=lamp"),
        about=(
            (
                "Soft warm light for reading or winding down; takes a standard E27 bulb.",
                "柔和暖光适合阅读和放松，使用标准E27灯泡。",
            ),
            (
                "{M} design with a touch dimmer and a weighted base.",
                "{mz}设计，触控调光，底座稳重。",
            ),
        ),
        care=(
            "Dust with a dry cloth; unplug before changing the bulb.",
            "用干布除尘，更换灯泡前请先断电。",
        ),
    ),
    _Line(
        "lipstick",
        12,
        stores=(BEAUTY, SELF),
        price=(59, 399),
        colours=_keys("red pink orange brown purple"),
        skus=_COLOUR_ONLY,
        first=_pairs(
            "Velvet Matte=丝绒哑光|Satin=缎光|Moisturising=滋润|Long-Lasting=持久|"
            "Glossy=水光|Sheer Tint=透亮"
        ),
        second=_pairs("Classic=经典|Mini=迷你|Gift Box=礼盒装|Transfer-Proof=不沾杯|Everyday=日常"),
        nouns=_nouns("Lipstick=口红=lipstick|Lip Colour=唇膏=lipstick"),
        about=(
            (
                "A {m} finish that glides on evenly and stays comfortable for hours.",
                "{mz}质地，上嘴顺滑均匀，长时间佩戴也舒适。",
            ),
            (
                "Rich colour with vitamin E to keep lips soft.",
                "饱和显色，添加维生素E滋润双唇。",
            ),
        ),
        care=(
            "Store below 30°C with the cap on.",
            "请盖好盖子，存放于30°C以下。",
        ),
    ),
    _Line(
        "skincare",
        14,
        stores=(BEAUTY, SELF),
        price=(89, 899),
        colours=_keys("white pink blue green gold purple"),
        skus=_Skus((1, 3), ("30g", "50g"), (1, 2), ("Sizes", "规格"), step=5000),
        first=_pairs(
            "Hyaluronic=玻尿酸|Ceramide=神经酰胺|Vitamin C=维C|Retinol=视黄醇|"
            "Peptide=多肽|Green Tea=绿茶"
        ),
        second=_pairs("Hydrating=补水保湿|Repairing=修护|Brightening=焕亮|Night=晚安|Firming=紧致"),
        nouns=_nouns("Face Cream=面霜=cream|Moisturiser=保湿霜=cream"),
        about=(
            (
                "A light {M} cream that sinks in fast and leaves skin soft, not greasy.",
                "{mz}面霜质地轻盈，吸收快，清爽不油腻。",
            ),
            (
                "Fragrance-free and suitable for sensitive skin; use morning and night.",
                "无香精，敏感肌适用，早晚均可使用。",
            ),
        ),
        care=(
            "Keep the lid closed and use within 12 months of opening.",
            "用后盖紧，开封后12个月内用完。",
        ),
    ),
    _Line(
        "fragrance",
        8,
        stores=(BEAUTY, FASHION),
        price=(199, 1299),
        colours=_keys("pink purple gold blue green orange"),
        skus=_Skus((1, 3), ("30ml", "50ml", "100ml"), (1, 2), ("Volume", "容量"), step=20000),
        first=_pairs(
            "Peony=牡丹|White Tea=白茶|Osmanthus=桂花|Sandalwood=檀香|Citrus=柑橘|Rose=玫瑰"
        ),
        second=_pairs("Eau de Parfum=浓香|Eau de Toilette=淡香|Fresh=清新|Floral=花香调"),
        nouns=_nouns("Perfume=香水=perfume"),
        about=(
            (
                "Opens with {m} and settles into a soft musk that lasts six to eight hours.",
                "前调{mz}，后调柔和麝香，留香六至八小时。",
            ),
            (
                "A gentle {m} scent for every day; two sprays are enough.",
                "{mz}香气温柔，适合日常，轻喷两下即可。",
            ),
        ),
        care=(
            "Keep away from heat and direct sunlight.",
            "请远离高温，避免阳光直射。",
        ),
    ),
    _Line(
        "snacks",
        16,
        stores=(BEAUTY, SELF),
        price=(9, 59),
        colours=_keys("yellow orange red brown green"),
        skus=_Skus((1, 3), ("250g", "500g", "1kg"), (1, 2), ("Weight", "规格"), step=1000),
        first=_pairs(
            "Spicy=香辣|Honey Butter=蜂蜜黄油|Sea Salt=海盐|Five-Spice=五香|Seaweed=海苔|"
            "Sichuan Pepper=藤椒|Cheese=芝士"
        ),
        second=_pairs("Crispy=香脆|Baked=烘焙|Roasted=炭烤|Family Pack=家庭装"),
        nouns=_nouns(
            "Potato Chips=薯片零食=snack|Mixed Nuts=混合坚果零食=snack|Rice Crackers=米饼零食=snack"
        ),
        about=(
            (
                "{M} seasoning on a light, crunchy bite; no artificial colours.",
                "{mz}口味，口感酥脆，不添加人工色素。",
            ),
            (
                "Made in small batches and sealed fresh; good for sharing.",
                "小批量生产，密封锁鲜，适合分享。",
            ),
        ),
        care=(
            "Store in a cool, dry place and reseal after opening.",
            "请存放于阴凉干燥处，开封后请密封保存。",
        ),
    ),
    _Line(
        "tea",
        12,
        stores=(BEAUTY, SELF, HOME),
        price=(39, 599),
        colours=_keys("green black brown red gold"),
        skus=_Skus((1, 3), ("100g", "250g", "500g"), (1, 2), ("Weight", "规格"), step=4000),
        first=_pairs(
            "West Lake Longjing=西湖龙井|Anxi Tieguanyin=安溪铁观音|"
            "Yunnan Pu'er=云南普洱|Wuyi Dahongpao=武夷大红袍|Keemun Black=祁门红茶|"
            "Jasmine=茉莉花"
        ),
        second=_pairs("Premium Spring=明前特级|Loose Leaf=散装|Gift Tin=礼盒罐装|Organic=有机"),
        nouns=_nouns("Tea=茶叶=tea"),
        about=(
            (
                "Hand-picked {M} leaves with a clean, lasting sweetness.",
                "精选{mz}茶叶，口感清爽，回甘持久。",
            ),
            (
                "Brew at 85-95°C and steep again three or four times.",
                "85-95°C水温冲泡，可续泡三四次。",
            ),
        ),
        care=(
            "Keep sealed, dry and away from strong smells.",
            "请密封防潮，远离异味存放。",
        ),
    ),
    _Line(
        "balls",
        10,
        stores=(SNEAKERS, SELF),
        price=(59, 399),
        colours=_keys("orange white red blue yellow black"),
        skus=_Skus((2, 3), (None,), (1, 1), ("", "")),
        first=_pairs("Composite Leather=复合皮|Rubber=橡胶|PU=PU|Training=训练|Match=比赛"),
        second=_pairs("Indoor/Outdoor=室内外通用|Official Size=标准|Kids=儿童|Wear-Resistant=耐磨"),
        nouns=_nouns("Basketball=篮球=ball|Football=足球=ball|Volleyball=排球=ball"),
        about=(
            (
                "A {m} cover with deep channels for a sure grip.",
                "{mz}球皮，深沟槽设计，手感稳定。",
            ),
            (
                "Holds air well and bounces true on court or street.",
                "保气性好，室内外场地弹跳稳定。",
            ),
        ),
        care=(
            "Wipe clean and keep inflated to the printed pressure.",
            "用湿布擦净，按球身标注气压充气。",
        ),
    ),
    _Line(
        "yoga",
        10,
        stores=(SNEAKERS, SELF),
        price=(59, 399),
        colours=_keys("purple pink blue green grey black"),
        skus=_Skus((1, 3), ("6mm", "8mm", "10mm"), (1, 2), ("Thickness", "厚度"), step=1000),
        first=_pairs("TPE=TPE|Natural Rubber=天然橡胶|NBR=NBR|Cork=软木|PU=PU"),
        second=_pairs("Non-Slip=防滑|Extra-Thick=加厚|Foldable=可折叠|Alignment Line=体位线"),
        nouns=_nouns("Yoga Mat=瑜伽垫=yoga_mat|Fitness Mat=健身垫=yoga_mat"),
        about=(
            (
                "{M} with a grippy textured surface; cushions knees without feeling spongy.",
                "{mz}材质，表面纹理防滑，护膝回弹不塌陷。",
            ),
            (
                "Comes with a carry strap; 183 x 61 cm.",
                "附赠背带，尺寸183×61厘米。",
            ),
        ),
        care=(
            "Wipe with a damp cloth after use; dry out of the sun.",
            "使用后用湿布擦拭，避光晾干。",
        ),
    ),
    _Line(
        "toys",
        12,
        stores=(HOME, SELF),
        price=(39, 299),
        colours=_keys("brown beige pink white grey yellow"),
        skus=_Skus((1, 3), ("30cm", "45cm", "60cm"), (1, 2), ("Height", "高度"), step=3000),
        first=_pairs("Super Soft=超柔|Classic=经典|Cuddly=软萌|Handmade=手工|Cute=可爱"),
        second=_pairs("Hug-Size=抱枕款|Birthday Gift=生日礼物|Kids'=儿童|Bedtime=安抚"),
        nouns=_nouns("Teddy Bear=泰迪熊=toy|Bear Doll=小熊公仔=toy|Plush Toy=毛绒玩具=toy"),
        about=(
            (
                "Filled with soft PP cotton and stitched safely for little hands; ages 3 and up.",
                "填充柔软PP棉，安全缝制，适合3岁以上儿童。",
            ),
            (
                "{M} plush that stays fluffy after a wash.",
                "{mz}毛绒面料，清洗后依然蓬松。",
            ),
        ),
        care=(
            "Hand wash in cool water and dry in the shade.",
            "冷水手洗，阴凉处晾干。",
        ),
    ),
)


_SEED = 20240601
_ASCII_EDGE = re.compile(r"[A-Za-z0-9]")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def demo_stores() -> list[DemoStore]:
    return list(_STORES)


def demo_categories() -> list[DemoCategory]:
    out: list[DemoCategory] = []
    for key, name_en, name_zh, children in _TREE:
        out.append(DemoCategory(key, name_en, name_zh, None))
        out.extend(DemoCategory(c, en, zh, key) for c, en, zh in children)
    return out


def demo_products() -> list[DemoProduct]:
    return list(_demo_products())


def generated_products(count: int, *, seed: int = 7) -> Iterator[DemoProduct]:
    """``count`` more products like the demo ones, keyed ``gen-0`` … ``gen-{count-1}``.

    Titles may repeat (the word lists are finite); keys never do.
    """
    rng = Random(seed)
    # A load-test catalog should look like a real one: every leaf category equally likely and
    # colours in their natural mix, without the demo's tilt towards red coats.
    for n in range(count):
        line = rng.choice(_LINES)
        words = (rng.choice(line.first), rng.choice(line.second), rng.choice(line.nouns))
        yield _product(rng, line, f"gen-{n}", words, favour=False)


@cache
def _demo_products() -> tuple[DemoProduct, ...]:
    rng = Random(_SEED)
    seen: set[str] = set()
    out: list[DemoProduct] = []
    for line in _LINES:
        combos = list(itertools.product(line.first, line.second, line.nouns))
        rng.shuffle(combos)
        fresh = (c for c in combos if " ".join((c[0][0], c[1][0], c[2][0])) not in seen)
        for i in range(line.count):
            words = next(fresh, None)
            if words is None:
                raise RuntimeError(f"not enough title words for {line.category}")
            title = " ".join((words[0][0], words[1][0], words[2][0]))
            seen.add(title)
            key = f"{_slug(title)}-{len(out) + 1:04d}"
            out.append(_product(rng, line, key, words, favour=i % 2 == 0))
    return tuple(out)


def _product(
    rng: Random,
    line: _Line,
    key: str,
    words: tuple[tuple[str, str], tuple[str, str], tuple[str, str, str]],
    *,
    favour: bool,
) -> DemoProduct:
    first, second, noun = words
    options = _window(rng, line.skus.options, line.skus.option_pick)
    colours = _pick_colours(rng, line, len(options), favour=favour)
    base = _shop_price(rng, rng.randint(line.price[0] * 100, line.price[1] * 100))
    xl_costs_more = rng.random() < 0.3
    skus = tuple(
        DemoSku(
            colour,
            size,
            base + line.skus.step * i + (1000 if size == "XL" and xl_costs_more else 0),
            _stock(rng),
        )
        for colour in colours
        for i, size in enumerate(options)
    )
    top = max(s.price for s in skus)
    # Most listings show a struck-through "was" price; some are sold at list.
    list_price = top if rng.random() < 0.2 else _round_up_to_9(int(top * rng.uniform(1.15, 1.8)))
    about_en, about_zh = rng.choice(line.about)
    fill = {"M": first[0], "m": first[0].lower(), "mz": first[1]}
    return DemoProduct(
        key=key,
        store_key=_pick_store(rng, line.stores),
        category_key=line.category,
        title_en=" ".join((first[0], second[0], noun[0])),
        title_zh=_join_zh(first[1], second[1], noun[1]),
        description_en=" ".join(
            (about_en.format(**fill), line.care[0], _choices_en(line, colours, options))
        ),
        description_zh=about_zh.format(**fill) + line.care[1] + _choices_zh(line, colours, options),
        list_price=list_price,
        shape=noun[2],
        skus=skus,
        # Heavily skewed like real shops: a few best sellers, a long tail of slow movers.
        sales=int(20000 * rng.random() ** 4),
        age_days=rng.randint(0, 365),
    )


def _window(
    rng: Random, options: tuple[str | None, ...], pick: tuple[int, int]
) -> tuple[str | None, ...]:
    """A consecutive run of options (sizes M-XL, 256GB-512GB), as shops usually stock."""
    n = rng.randint(pick[0], min(pick[1], len(options)))
    start = rng.randint(0, len(options) - n)
    return options[start : start + n]


def _pick_colours(rng: Random, line: _Line, n_options: int, *, favour: bool) -> list[str]:
    most = min(line.skus.colour_pick[1], len(line.colours), 12 // n_options)
    # Every product needs at least two SKUs, so a single-option product needs two colours.
    least = min(max(line.skus.colour_pick[0], 2 if n_options == 1 else 1), most)
    colours = rng.sample(line.colours, rng.randint(least, most))
    if favour and line.favour:
        # First, so the card picture (drawn in the first SKU's colour) shows it too.
        rest = [c for c in colours if c != line.favour]
        colours = [line.favour, *rest[: len(colours) - 1]]
    return colours


def _pick_store(rng: Random, stores: tuple[str, ...]) -> str:
    if len(stores) == 1 or rng.random() < 0.6:
        return stores[0]
    return rng.choice(stores[1:])


def _shop_price(rng: Random, fen: int) -> int:
    """Snap a raw amount to how shops price things: ¥9.90, ¥39, ¥459, ¥1,299, ¥199.90."""
    yuan = fen // 100
    unit = 100 if yuan >= 1000 else 10
    yuan = max(9, round(yuan / unit) * unit - 1)
    cents = 90 if yuan < 1000 and rng.random() < 0.3 else 0
    return yuan * 100 + cents


def _round_up_to_9(fen: int) -> int:
    """The smallest whole-yuan amount ending in 9 that is at least ``fen``."""
    yuan = -(-fen // 100)
    return (yuan + (9 - yuan % 10) % 10) * 100


def _stock(rng: Random) -> int:
    roll = rng.random()
    if roll < 0.05:
        return 0  # a few sold-out SKUs so the "out of stock" state shows up in the demo
    if roll < 0.12:
        return rng.randint(1, 19)
    if roll < 0.95:
        return rng.randint(20, 300)
    return rng.randint(301, 500)


def _join_zh(*parts: str) -> str:
    """Chinese titles run words together, except where two Latin/digit runs would merge."""
    out = parts[0]
    for part in parts[1:]:
        gap = _ASCII_EDGE.match(out[-1]) and _ASCII_EDGE.match(part[0])
        out += (" " if gap else "") + part
    return out


def _choices_en(line: _Line, colours: list[str], options: tuple[str | None, ...]) -> str:
    text = "Colours: " + ", ".join(images.COLOURS[c].name_en for c in colours) + "."
    sizes = [o for o in options if o is not None]
    if sizes:
        text += f" {line.skus.option_label[0]}: {', '.join(sizes)}."
    return text


def _choices_zh(line: _Line, colours: list[str], options: tuple[str | None, ...]) -> str:
    text = "颜色：" + "、".join(images.COLOURS[c].name_zh for c in colours) + "。"
    sizes = [o for o in options if o is not None]
    if sizes:
        text += f"{line.skus.option_label[1]}：{'、'.join(sizes)}。"
    return text


def _slug(text: str, limit: int = 44) -> str:
    slug = _NOT_SLUG.sub("-", text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug
