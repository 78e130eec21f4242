"""The demo's address books: every demo shopper has somewhere to be delivered to, Lin Mei two
places (home, the default, and her office).

Each address is added once through ``agora.logistics``, recorded as a step under the shopper's
scope (``agora-demo:logistics:<n>``, demo/steps.py): a second ``agora demo`` adds nothing, and a
shopper who removed a demo address by hand does not get it back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agora import catalog, logistics
from agora.core.uow import UnitOfWork
from agora.demo.social import CHEN, SHOPPER, WANG, ZHAO
from agora.demo.steps import principal, run_once
from agora.identity import User

STEP_PREFIX = "agora-demo:logistics:"

# (shopper, address); the first of each shopper becomes their default.
ADDRESSES: tuple[tuple[str, dict[str, str]], ...] = (
    (
        SHOPPER,
        {
            "recipient": "林梅",
            "phone": "13800138000",
            "region": "上海市",
            "city": "上海市",
            "district": "徐汇区",
            "street": "漕溪北路 88 号 12 楼 1203 室",
            "postcode": "200030",
        },
    ),
    (
        SHOPPER,
        {
            "recipient": "Lin Mei",
            "phone": "021-64870000",
            "region": "Shanghai",
            "city": "Shanghai",
            "district": "Pudong",
            "street": "1000 Century Avenue, Floor 23 (office)",
            "postcode": "200120",
        },
    ),
    (
        WANG,
        {
            "recipient": "王磊",
            "phone": "13912345678",
            "region": "浙江省",
            "city": "杭州市",
            "district": "西湖区",
            "street": "文三路 18 号 702 室",
            "postcode": "310012",
        },
    ),
    (
        CHEN,
        {
            "recipient": "陈静",
            "phone": "13698765432",
            "region": "广东省",
            "city": "深圳市",
            "district": "南山区",
            "street": "科技园南区高新南一道 6 号",
            "postcode": "518057",
        },
    ),
    (
        ZHAO,
        {
            "recipient": "Zhao Yu",
            "phone": "13511112222",
            "region": "Beijing",
            "city": "Beijing",
            "district": "Haidian",
            "street": "5 Zhongguancun Street, Building 3",
            "postcode": "100080",
        },
    ),
)


def seed_addresses(
    uow: UnitOfWork,
    *,
    shoppers: Mapping[str, User],
    stores: Mapping[str, catalog.Store],
    password: str,
) -> dict[str, Any]:
    """The demo shoppers' addresses; how many this run added."""
    added = 0
    for n, (email, values) in enumerate(ADDRESSES):
        user = shoppers.get(email)
        if user is None:
            continue
        actor = principal(user)

        def add(actor: Any = actor, values: dict[str, str] = values) -> dict[str, str]:
            address = logistics.add_address(uow, actor=actor, values=values)
            return {"address_id": str(address.id)}

        ran, _ = run_once(uow, actor, f"{STEP_PREFIX}{n}", add)
        added += ran
    return {"addresses": added}


def give_address(uow: UnitOfWork, user: User, n: int) -> None:
    """A demo newcomer's first (default) address, in one of a few cities; in the caller's step."""
    region, city, district, postcode = _CITIES[n % len(_CITIES)]
    logistics.add_address(
        uow,
        actor=principal(user),
        values={
            "recipient": user.display_name[:40],
            "phone": f"139{n % 100_000_000:08d}",
            "region": region,
            "city": city,
            "district": district,
            "street": f"{n + 1} Harmony Road, Room {100 + n % 900}",
            "postcode": postcode,
        },
    )


_CITIES = (
    ("Shanghai", "Shanghai", "Jing'an", "200040"),
    ("Guangdong", "Guangzhou", "Tianhe", "510620"),
    ("Sichuan", "Chengdu", "Wuhou", "610041"),
    ("Jiangsu", "Nanjing", "Gulou", "210008"),
)
