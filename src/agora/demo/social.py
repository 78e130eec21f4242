"""The demo's social life: the four demo shoppers are friends (mostly), a friend request or two
wait for an answer (one from a fifth shopper, Liu Yang, to Lin Mei), moments with product cards
carry likes and comments, and stores have followers.

Everything goes through the public use cases of ``agora.social``, acting as the demo shoppers.
Each step runs once, recorded like an API request with an ``Idempotency-Key`` under the acting
user's scope (``agora-demo:social:<step>``) in the step's own transaction, as demo/trading.py
does: a re-run adds nothing, and a run after a crash does only what is missing. A step that the
people themselves made moot (two of them became friends by hand first) is recorded as
skipped rather than failing the seeding.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from agora import catalog, social
from agora.core.errors import AgoraError
from agora.core.uow import UnitOfWork
from agora.demo.steps import run_once
from agora.identity import Client, Principal, User, register
from agora.social.models import Moment

SHOPPER = "shopper@agora.demo"  # Lin Mei
WANG, CHEN, ZHAO = "wang.lei@agora.demo", "chen.jing@agora.demo", "zhao.yu@agora.demo"
# Someone Lin Mei does not know yet: the sharing demo makes her friends with the other three, so
# her waiting request comes from a fifth shopper, created here.
LIU, LIU_NAME = "liu.yang@agora.demo", "Liu Yang 刘洋"
STEP_PREFIX = "agora-demo:social:"

FRIENDS = ((SHOPPER, WANG), (SHOPPER, CHEN), (WANG, CHEN))
# (from, to, message): left pending, one for Lin Mei to answer and one she is not part of.
PENDING = (
    (LIU, SHOPPER, "We met at the flash sale — add me!"),
    (CHEN, ZHAO, ""),
)
FOLLOWS = ((SHOPPER, 0), (SHOPPER, 1), (WANG, 0), (CHEN, 2), (ZHAO, 1))  # (who, store index)


# (step, author, text, (store index, product rank) cards, hours ago)
MOMENTS: tuple[tuple[str, str, str, tuple[tuple[int, int], ...], int], ...] = (
    (
        "moment-wang-finds",
        WANG,
        "Two finds this week. The second one is even cheaper than last month 👀",
        ((0, 0), (1, 0)),
        30,
    ),
    ("moment-chen-text", CHEN, "Anyone tried the new tea from the self-operated store? 🍵", (), 20),
    (
        "moment-lin-coat",
        SHOPPER,
        "Arrived today, really happy with it. 到货了，很满意！",
        ((0, 1),),
        3,
    ),
)
# (step, who likes, moment step)
LIKES = (
    ("like-lin-wang", SHOPPER, "moment-wang-finds"),
    ("like-chen-wang", CHEN, "moment-wang-finds"),
    ("like-wang-lin", WANG, "moment-lin-coat"),
    ("like-chen-lin", CHEN, "moment-lin-coat"),
)
# (step, who comments, moment step, text)
COMMENTS = (
    ("comment-lin-wang", SHOPPER, "moment-wang-finds", "Ordered the first one too!"),
    ("comment-wang-wang", WANG, "moment-wang-finds", "Nice, tell me how it fits 😄"),
    ("comment-wang-chen", WANG, "moment-chen-text", "Yes — the oolong is great."),
    ("comment-chen-lin", CHEN, "moment-lin-coat", "Looks great on you!"),
)


def principal(user: User) -> Principal:
    return Principal(user_id=user.id, display_name=user.display_name)


def _step(
    uow: UnitOfWork, actor: Principal, step: str, action: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """Run ``action`` once per (actor, step) (:func:`steps.run_once`); the recorded result, with
    ``ran`` telling whether this run did it. A step the people made moot by hand (already
    friends, say) is recorded as skipped."""

    def guarded() -> dict[str, Any]:
        try:
            return action()
        except AgoraError as error:
            return {"skipped": error.code}

    ran, result = run_once(uow, actor, f"{STEP_PREFIX}{step}", guarded)
    body: dict[str, Any] = result if isinstance(result, dict) else {}
    # "ran": this run did the step (not replayed, not skipped).
    return body | {"ran": ran and "skipped" not in body}


def _ensure_user(uow: UnitOfWork, email: str, name: str, password: str) -> User:
    with uow.read() as session:
        user = session.scalar(select(User).where(User.email == email))
    if user is not None:
        return user
    client = Client(ip="127.0.0.1", user_agent="agora demo")
    return register(uow, identifier=email, password=password, display_name=name, client=client)


def _popular_products(uow: UnitOfWork, store: catalog.Store) -> list[catalog.Product]:
    with uow.read() as session:
        return list(
            session.scalars(
                select(catalog.Product)
                .where(catalog.Product.store_id == store.id, catalog.Product.status == "active")
                .order_by(catalog.Product.sales_count.desc(), catalog.Product.id)
                .limit(3)
            )
        )


def seed_social(
    uow: UnitOfWork,
    *,
    users: Mapping[str, User],
    stores: Mapping[str, catalog.Store],
    password: str,
) -> dict[str, int]:
    """Friendships, pending requests, store follows, moments, likes and comments; counts of what
    this run added. ``password`` is the demo accounts' (for the one shopper created here)."""
    people = {email: principal(users[email]) for email in (SHOPPER, WANG, CHEN, ZHAO)}
    people[LIU] = principal(_ensure_user(uow, LIU, LIU_NAME, password))
    store_list = list(stores.values())
    added = {"friendships": 0, "friend_requests": 0, "store_follows": 0, "moments": 0}

    for one, other in FRIENDS:

        def befriend(one: str = one, other: str = other) -> dict[str, Any]:
            sent = social.send_request(uow, actor=people[one], to_user_id=people[other].user_id)
            social.accept_request(uow, actor=people[other], request_id=sent.id)
            return {"request_id": str(sent.id)}

        if _step(uow, people[one], f"friend-{other}", befriend)["ran"]:
            added["friendships"] += 1

    for sender, receiver, message in PENDING:

        def ask(
            sender: str = sender, receiver: str = receiver, message: str = message
        ) -> dict[str, Any]:
            sent = social.send_request(
                uow, actor=people[sender], to_user_id=people[receiver].user_id, message=message
            )
            return {"request_id": str(sent.id)}

        if _step(uow, people[sender], f"request-{receiver}", ask)["ran"]:
            added["friend_requests"] += 1

    for who, index in FOLLOWS:
        if index >= len(store_list):
            continue
        store_id = store_list[index].id

        def follow(who: str = who, store_id: Any = store_id) -> dict[str, Any]:
            social.follow_store(uow, actor=people[who], store_id=store_id)
            return {"store_id": str(store_id)}

        if _step(uow, people[who], f"follow-{store_id}", follow)["ran"]:
            added["store_follows"] += 1

    posted: dict[str, str] = {}
    for step, author, text, cards, hours_ago in MOMENTS:
        product_ids = []
        for store_index, rank in cards:
            if store_index < len(store_list):
                products = _popular_products(uow, store_list[store_index])
                if rank < len(products):
                    product_ids.append(products[rank].id)

        def post(
            author: str = author,
            text: str = text,
            ids: list[Any] = product_ids,
            ago: int = hours_ago,
        ) -> dict[str, Any]:
            view = social.post_moment(uow, actor=people[author], text=text, product_ids=ids)
            # A feed where everything was posted this second looks staged: spread them out.
            row = uow.session.get(Moment, view.id)
            assert row is not None
            row.created_at = view.created_at - timedelta(hours=ago)
            return {"moment_id": str(view.id)}

        result = _step(uow, people[author], step, post)
        if "moment_id" in result:
            posted[step] = result["moment_id"]
        if result["ran"]:
            added["moments"] += 1

    for step, who, moment_step in LIKES:
        if moment_step not in posted:
            continue
        moment_id = uuid.UUID(posted[moment_step])

        def like(who: str = who, moment_id: Any = moment_id) -> dict[str, Any]:
            social.like_moment(uow, actor=people[who], moment_id=moment_id)
            return {}

        _step(uow, people[who], step, like)

    for step, who, moment_step, text in COMMENTS:
        if moment_step not in posted:
            continue
        moment_id = uuid.UUID(posted[moment_step])

        def comment(who: str = who, moment_id: Any = moment_id, text: str = text) -> dict[str, Any]:
            done = social.comment_on(uow, actor=people[who], moment_id=moment_id, text=text)
            return {"comment_id": str(done.id)}

        _step(uow, people[who], step, comment)
    return {f"social_{key}": value for key, value in added.items()}
