"""Demo privacy: the operator has published version 1 of the privacy agreement and every demo
account one signs in as has accepted it (so signing in as any of them goes straight on); Lin Mei
has switched on the chat assistant and personalised recommendations; and her "download my data"
is ready on her privacy page.

Runs once every account and everything her export holds exists. Idempotent: a version is
published only when none is, an acceptance and a consent already given change nothing, and her
export is requested only when she has none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from agora import catalog, privacy
from agora.core.uow import UnitOfWork
from agora.demo.steps import principal, relay
from agora.identity import Client, Principal, User

SHOPPER = "shopper@agora.demo"  # Lin Mei
OPERATOR = "operator@agora.demo"
CLIENT = Client(ip="127.0.0.1", user_agent="agora demo")
# The accounts one signs in as (operator, shoppers, merchants, newcomers) — not the crowd of
# generated shoppers behind the recommendations, who never sign in.
DEMO_DOMAIN = "agora.demo"

TITLE_EN = "Agora privacy agreement"
TITLE_ZH = "Agora 隐私协议"
BODY_EN = """Agora keeps what you give it to run your account: your name, how to reach you, your \
addresses, your orders and payments, your chats and what you post.

Agora uses your chats and what you view and buy to suggest products only if you switch that on, \
each separately, on your privacy page; you can switch it off at any time, and what it allowed is \
then deleted.

You can download everything Agora holds about you, and delete your account: your personal data \
is then erased, while orders and payments are kept for the stores and the accounts, without \
your name."""
BODY_ZH = (
    "Agora 保存您提供的信息以运行您的账户：您的姓名、联系方式、收货地址、"
    "订单与付款、聊天以及您发布的内容。\n\n"
    "只有在您于隐私页面分别开启后，Agora 才会根据您的聊天以及浏览和购买记录"
    "为您推荐商品；您可随时关闭，关闭后相应数据即被删除。\n\n"
    "您可以下载 Agora 保存的关于您的全部数据，也可以注销账户：注销后您的个人数据"
    "将被清除，订单与付款记录会为商家和账务保留，但不再带有您的姓名。"
)


def seed_privacy(
    uow: UnitOfWork,
    *,
    shoppers: Mapping[str, User],
    stores: Mapping[str, catalog.Store],
    password: str,
) -> dict[str, Any]:
    """Publish, accept, switch on, export; returns the agreement's version and how many
    acceptances this run recorded (0 on a re-run)."""
    operator = shoppers[OPERATOR]
    ops = Principal(user_id=operator.id, display_name=operator.display_name, is_operator=True)
    with uow.read() as session:
        current = privacy.current_agreement(session)
    if current is None:
        current = privacy.publish_agreement(
            uow, actor=ops, title_en=TITLE_EN, title_zh=TITLE_ZH, body_en=BODY_EN, body_zh=BODY_ZH
        )
    version = current.version
    with uow.read() as session:
        everyone = session.scalars(
            select(User).where(User.status == "active", User.email.like(f"%@{DEMO_DOMAIN}"))
        ).all()
        waiting = [u for u in everyone if privacy.agreement_pending(session, u.id)]
    for user in waiting:
        privacy.accept_agreement(uow, actor=principal(user), version=version, client=CLIENT)

    lin = principal(shoppers[SHOPPER])
    for kind in (privacy.CHAT_ASSISTANT, privacy.PERSONALISED_RECOMMENDATIONS):
        privacy.set_consent(uow, actor=lin, kind=kind, granted=True)
    exports = 0
    if not privacy.my_exports(uow, actor=lin):
        requested = privacy.request_export(uow, actor=lin)
        with uow:
            privacy.build_export(uow, requested.id)
        exports = 1
    # The consent changes reach their handlers now, as a running server's relay would deliver them.
    relay(uow)
    return {
        "privacy_agreement_version": version,
        "privacy_acceptances": len(waiting),
        "privacy_exports": exports,
    }
