"""The carriers themselves: zones, tariffs, rate shopping, signatures and the sandbox's plan."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from agora.logistics import carriers, shipments
from agora.logistics.carriers import (
    ABROAD,
    OTHER_AREA,
    REMOTE,
    SAME_AREA,
    SAME_REGION,
    Parcel,
    Quote,
)
from agora.logistics.shipments import Offer


@pytest.mark.parametrize(
    ("origin", "country", "region", "zone"),
    [
        ("Shanghai", "CN", "shanghai", SAME_REGION),
        ("Shanghai", "CN", "Zhejiang Province", SAME_AREA),
        ("上海", "CN", "浙江省", SAME_AREA),
        ("Shanghai", "CN", "上海市", SAME_REGION),
        ("Guangxi", "CN", "广西壮族自治区", SAME_REGION),
        ("Shanghai", "CN", "Guangdong", OTHER_AREA),
        ("Shanghai", "CN", "Atlantis", OTHER_AREA),
        ("Shanghai", "CN", "新疆维吾尔自治区", REMOTE),
        ("Beijing", "CN", "内蒙古自治区", SAME_AREA),
        ("Shanghai", "CN", "Xinjiang", REMOTE),
        ("Shanghai", "SG", "Singapore", ABROAD),
    ],
)
def test_zones_from_the_stores_region_to_the_shoppers(
    origin: str, country: str, region: str, zone: int
) -> None:
    assert carriers.zone_of(origin, country, region) == zone


def test_tariffs_by_weight_and_zone() -> None:
    swift, pine, fleet = (carriers.get_carrier(name) for name in ("swift", "pine", "fleet"))
    assert swift.quote(SAME_AREA, 500) == Quote("swift", "Swift Express", 1400, 2, SAME_AREA)
    assert swift.quote(SAME_AREA, 1000) == swift.quote(SAME_AREA, 1)  # the first kilogram
    assert swift.quote(SAME_AREA, 1001) == Quote("swift", "Swift Express", 1800, 2, SAME_AREA)
    assert pine.quote(OTHER_AREA, 3500) == Quote("pine", "Pine Express", 800 + 3 * 300, 4, 2)
    assert pine.quote(ABROAD, 500) is None and fleet.quote(REMOTE, 500) is None
    assert fleet.quote(SAME_REGION, 500) == Quote("fleet", "Agora Fleet", 1500, 1, SAME_REGION)


def _offers(promise_days: int, *, fleet: bool = False) -> list[Offer]:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    found = []
    for name in ("fleet", "swift", "pine"):
        carrier = carriers.get_carrier(name)
        quote = carrier.quote(SAME_AREA, 500)
        if quote is None or (carrier.fleet and not fleet):
            continue
        eta = now + timedelta(days=quote.eta_days)
        found.append(Offer(quote, eta, eta <= now + timedelta(days=promise_days)))
    return sorted(found, key=lambda o: (o.quote.price, o.quote.eta_days))


@pytest.mark.parametrize(
    ("promise_days", "fleet", "policy", "carrier"),
    [
        (4, False, shipments.CHEAPEST, "pine"),  # ¥6.00, 3 days
        (4, False, shipments.ON_TIME, "pine"),  # the cheapest that arrives in time
        (2, False, shipments.ON_TIME, "swift"),  # pine's 3 days break a 2-day promise
        (1, False, shipments.ON_TIME, "swift"),  # nobody keeps it: the fastest
        (1, True, shipments.ON_TIME, "fleet"),  # the fleet's next day keeps it
        (4, False, shipments.FASTEST, "swift"),
        (4, True, shipments.FASTEST, "fleet"),
        (4, True, shipments.CHEAPEST, "pine"),
    ],
)
def test_rate_shopping_picks_the_expected_carrier(
    promise_days: int, fleet: bool, policy: str, carrier: str
) -> None:
    assert shipments.choose(_offers(promise_days, fleet=fleet), policy).quote.carrier == carrier


def test_rate_shopping_refuses_nothing_offered_and_unknown_policies() -> None:
    with pytest.raises(shipments.NoCarrier):
        shipments.choose([], shipments.CHEAPEST)
    with pytest.raises(carriers.InvalidInput):
        shipments.choose(_offers(4), "slowest")


def test_a_push_is_read_only_with_its_own_fresh_signature() -> None:
    swift, pine = carriers.get_carrier("swift"), carriers.get_carrier("pine")
    scan = carriers.Scan("SW1-1", "SW1", carriers.PICKED_UP, datetime.now(UTC), "Shanghai", "ok")
    body = swift.push_body([scan])
    assert swift.read_push(body, swift.sign(body)) == [scan]
    with pytest.raises(carriers.BadCarrierSignature):
        swift.read_push(body, pine.sign(body))  # another carrier's key
    with pytest.raises(carriers.BadCarrierSignature):
        swift.read_push(body + b" ", swift.sign(body))  # the body changed
    stale = int(time.time()) - carriers.SIGNATURE_TOLERANCE - 5
    with pytest.raises(carriers.BadCarrierSignature):
        swift.read_push(body, swift.sign(body, at=stale))  # a captured push replayed later
    for bad in ("", "v1=00", "t=abc,v1=00"):
        with pytest.raises(carriers.BadCarrierSignature):
            swift.read_push(body, bad)


@pytest.mark.parametrize(
    "message",
    [
        b"not json",
        b"[]",
        json.dumps({"carrier": "pine", "events": []}).encode(),
        json.dumps({"carrier": "swift", "events": []}).encode(),
        json.dumps({"carrier": "swift", "events": [{"id": "x"}]}).encode(),
        json.dumps(
            {
                "carrier": "swift",
                "events": [
                    {
                        "id": "x",
                        "waybill": "w",
                        "status": "teleported",
                        "occurred_at": "2026-12-01T00:00:00+00:00",
                    }
                ],
            }
        ).encode(),
        json.dumps(
            {
                "carrier": "swift",
                "events": [
                    {
                        "id": "x",
                        "waybill": "w",
                        "status": "delivered",
                        "occurred_at": "2026-12-01T00:00:00",
                    }
                ],
            }
        ).encode(),
    ],
)
def test_a_signed_push_we_do_not_understand_is_refused(message: bytes) -> None:
    swift = carriers.get_carrier("swift")
    with pytest.raises(carriers.MalformedTracking):
        swift.read_push(message, swift.sign(message))


def test_the_sandbox_plans_a_parcels_way_and_pushes_it_late_twice_and_out_of_order() -> None:
    start = datetime(2026, 12, 1, 8, tzinfo=UTC)
    parcel = Parcel(
        "PN000000000001", start, start + timedelta(days=3), "Shanghai", "Zhejiang", "Hangzhou"
    )
    pine = carriers.get_carrier("pine")
    plan = pine.plan(parcel)
    assert [s.status for s in plan] == list(carriers.STAGES[1:])
    assert [s.occurred_at for s in plan] == sorted(s.occurred_at for s in plan)
    assert plan[-1].occurred_at == parcel.eta_at and plan[-1].location == "Hangzhou"
    pushes = pine.pushes(parcel)
    order = [scan.status for _, scan in sorted(pushes, key=lambda p: p[0])]
    assert order.count(carriers.ARRIVED) == 2  # once more, a little later
    assert order.index(carriers.IN_TRANSIT) > order.index(carriers.ARRIVED)  # late
    assert pine.track(parcel, start + timedelta(hours=5)) == plan[:2]
    assert pine.waybill_for(uuid.UUID(int=42)) == "PN000000000042"
