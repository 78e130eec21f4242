"""Download my data: queued, built by the job, holding the shopper's data and nobody else's,
downloadable by its owner only and only until it expires."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from agora import privacy
from agora.core.clock import clock
from agora.core.uow import UnitOfWork
from privacy.world import build_life, drain


def test_the_export_holds_the_shoppers_data_and_nobody_elses(uow: UnitOfWork) -> None:
    life = build_life(uow)
    yingtai, shanbo = life.yingtai, life.shanbo
    queued = privacy.request_export(uow, actor=yingtai.actor)
    assert (queued.status, queued.token) == (privacy.QUEUED, None)
    # A second click while it waits is the same request.
    assert privacy.request_export(uow, actor=yingtai.actor).id == queued.id

    drain(uow)

    ready = privacy.my_export(uow, actor=yingtai.actor, export_id=queued.id)
    assert ready.status == privacy.READY and ready.token is not None
    name, archive = privacy.download_export(uow, actor=yingtai.actor, token=ready.token)
    assert name.startswith("agora-my-data-") and name.endswith(".zip")
    files = privacy.read_archive(archive)
    text = json.dumps(files, ensure_ascii=False)

    assert [u["email"] for u in files["users"]] == [yingtai.values["email"]]
    assert "password_hash" not in files["users"][0]
    assert [o["id"] for o in files["orders"]] == [str(yingtai.order_id)]
    assert [a["street"] for a in files["addresses"]] == [yingtai.values["street"]]
    assert {(c["kind"], c["granted"]) for c in files["consents"]} == {
        (privacy.CHAT_ASSISTANT, True)
    }
    assert [c["kind"] for c in files["consent_log"]] == [privacy.CHAT_ASSISTANT]
    assert len(files["order_lines"]) == 1
    # The wallet's statement (top-up in, payment out) and the points the order earned.
    assert {e["amount"] for e in files["ledger_entries"]} == {29900, -29900, 299, -299}
    # Their own chat, both sides of it (they could read it); their moment and comment.
    said = [m["body"].get("text") for m in files["chat_messages"]]
    assert said == [yingtai.values["message"], shanbo.values["message"]]
    assert yingtai.values["moment"] in text and yingtai.values["comment"] in text
    assert yingtai.values["review"] in text
    # Nothing of the friend's own: order, address, consents, email, phone.
    for value in (shanbo.values["street"], shanbo.values["email"], shanbo.values["phone"]):
        assert value not in text
    assert str(shanbo.order_id) not in text
    assert privacy.PERSONALISED_RECOMMENDATIONS not in text
    assert "Shanbo's moment at the school" not in text


def test_another_user_cannot_see_or_download_an_export_and_it_expires(uow: UnitOfWork) -> None:
    life = build_life(uow)
    yingtai, shanbo = life.yingtai, life.shanbo
    export = privacy.request_export(uow, actor=yingtai.actor)
    drain(uow)
    token = privacy.my_export(uow, actor=yingtai.actor, export_id=export.id).token
    assert token is not None

    with pytest.raises(privacy.ExportNotFound):
        privacy.my_export(uow, actor=shanbo.actor, export_id=export.id)
    with pytest.raises(privacy.ExportNotFound):
        privacy.download_export(uow, actor=shanbo.actor, token=token)
    with pytest.raises(privacy.ExportNotFound):
        privacy.download_export(uow, actor=yingtai.actor, token=token[:-2] + "xx")
    assert privacy.my_exports(uow, actor=shanbo.actor) == []

    with clock.kept():
        clock.travel(timedelta(days=privacy.EXPORT_DAYS, seconds=1))
        [expired] = privacy.my_exports(uow, actor=yingtai.actor)
        assert (expired.status, expired.token) == (privacy.EXPIRED, None)
        with pytest.raises(privacy.ExportNotFound):
            privacy.download_export(uow, actor=yingtai.actor, token=token)
