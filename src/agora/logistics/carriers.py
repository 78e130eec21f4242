"""Carriers behind one interface, and the sandbox carriers that ship with Agora.

A carrier quotes a parcel (price by weight and zone, an ETA), issues a waybill when a label is
bought, and reports the parcel's scans: pushed to ``POST /api/v1/carriers/{name}/webhook``,
signed, or answered when asked (:meth:`Carrier.track`, which the poll job calls). A real carrier
plugs in as another :class:`Carrier`.

The three sandboxes behave like the real thing, deterministically: the platform's own fleet
(fast and dear, for self-operated stores and stores that opt in) and two express companies. Each
plans a parcel's scans from its waybill and ETA and pushes them through the outbox at the times
they happen — one scan twice, and one late, after the scan that follows it, as real carriers do —
signed at the moment of sending.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from agora.config import get_settings
from agora.core.errors import N_, Forbidden, InvalidInput, NotFound

# A parcel's way, in order; a scan never moves a parcel to an earlier stage.
LABEL_CREATED = "label_created"
PICKED_UP = "picked_up"
IN_TRANSIT = "in_transit"
ARRIVED = "arrived"
OUT_FOR_DELIVERY = "out_for_delivery"
DELIVERED = "delivered"
STAGES = (LABEL_CREATED, PICKED_UP, IN_TRANSIT, ARRIVED, OUT_FOR_DELIVERY, DELIVERED)
STAGE = {status: position for position, status in enumerate(STAGES)}

SIGNATURE_HEADER = "X-Carrier-Signature"
SIGNATURE_TOLERANCE = 300
"""Seconds a signature's timestamp may be from our clock: a captured push cannot be replayed
later (the event ids make a replay inside the window harmless)."""

# Zones, from the store's region to the shopper's: the same province, the same part of China,
# another part, the remote west, abroad.
SAME_REGION, SAME_AREA, OTHER_AREA, REMOTE, ABROAD = range(5)

# Each area's provinces as (English, Chinese, Chinese long form) names.
_AREAS: dict[str, tuple[tuple[str, ...], ...]] = {
    "east": (("shanghai", "上海"), ("jiangsu", "江苏"), ("zhejiang", "浙江"), ("anhui", "安徽")),
    "north": (
        ("beijing", "北京"), ("tianjin", "天津"), ("hebei", "河北"), ("shanxi", "山西"),
        ("inner mongolia", "内蒙古"), ("shandong", "山东"),
    ),
    "northeast": (("liaoning", "辽宁"), ("jilin", "吉林"), ("heilongjiang", "黑龙江")),
    "central": (("henan", "河南"), ("hubei", "湖北"), ("hunan", "湖南"), ("jiangxi", "江西")),
    "south": (
        ("guangdong", "广东"), ("guangxi", "广西", "广西壮族"), ("hainan", "海南"),
        ("fujian", "福建"),
    ),
    "southwest": (
        ("sichuan", "四川"), ("chongqing", "重庆"), ("guizhou", "贵州"), ("yunnan", "云南"),
    ),
    "northwest": (("shaanxi", "陕西"), ("gansu", "甘肃"), ("ningxia", "宁夏", "宁夏回族")),
    "remote": (
        ("xinjiang", "新疆", "新疆维吾尔"), ("tibet", "西藏", "xizang"), ("qinghai", "青海"),
    ),
}  # fmt: skip
# Any name of a province → (its English name, its area).
_PROVINCE = {
    name: (names[0], area)
    for area, provinces in _AREAS.items()
    for names in provinces
    for name in names
}
_SUFFIXES = (" province", " municipality", " autonomous region", "省", "市", "自治区")


def _province(region: str) -> tuple[str, str] | None:
    """(English name, area) of a province written in English or Chinese, long or short."""
    name = region.strip().lower()
    for suffix in _SUFFIXES:
        name = name.removesuffix(suffix)
    return _PROVINCE.get(name.strip())


def area_of(region: str) -> str | None:
    """The part of China a region (province) is in, from its English or Chinese name."""
    found = _province(region)
    return found[1] if found else None


def zone_of(origin_region: str, country: str, region: str) -> int:
    """How far a parcel goes, as carriers price it."""
    if country != "CN":
        return ABROAD
    here, there = _province(origin_region), _province(region)
    if (here and here[1] == "remote") or (there and there[1] == "remote"):
        return REMOTE
    if here is None or there is None or here[1] != there[1]:
        return OTHER_AREA
    return SAME_REGION if here[0] == there[0] else SAME_AREA


@dataclass(frozen=True, slots=True)
class Rates:
    """A carrier's tariff: per zone (index), the first kilogram, each further kilogram begun,
    and the days it takes; ``None`` where it does not go."""

    first_kg: tuple[int | None, ...]
    extra_kg: tuple[int, ...]
    days: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Quote:
    carrier: str
    name: str
    price: int
    eta_days: int
    zone: int


@dataclass(frozen=True, slots=True)
class Scan:
    """One tracking event as a carrier reports it."""

    event_id: str
    waybill: str
    status: str
    occurred_at: datetime
    location: str
    description: str

    def as_dict(self) -> dict[str, str]:
        return {
            "id": self.event_id,
            "waybill": self.waybill,
            "status": self.status,
            "occurred_at": self.occurred_at.isoformat(),
            "location": self.location,
            "description": self.description,
        }


@dataclass(frozen=True, slots=True)
class Parcel:
    """What a carrier knows of a parcel it carries (enough for the sandbox to plan its way)."""

    waybill: str
    created_at: datetime
    eta_at: datetime
    origin_region: str
    destination_region: str
    destination_city: str


class UnknownCarrier(NotFound):
    code = "carrier_not_found"
    title = N_("There is no such carrier.")


class CarrierUnavailable(InvalidInput):
    code = "carrier_unavailable"
    title = N_("This carrier does not take this parcel.")


class BadCarrierSignature(Forbidden):
    code = "bad_carrier_signature"
    title = N_("The carrier's signature does not match.")


class MalformedTracking(InvalidInput):
    code = "malformed_tracking"
    title = N_("The carrier's message is not one we understand.")


class Carrier:
    """A sandbox carrier: quotes from its tariff, waybills from the shipment's id, and a plan of
    scans it pushes and answers polls with."""

    def __init__(
        self, name: str, display: str, prefix: str, rates: Rates, *, fleet: bool = False
    ) -> None:
        self.name = name
        self.display = display
        self.prefix = prefix
        self.rates = rates
        self.fleet = fleet
        """The platform's own fleet: only for self-operated stores and those that opted in."""

    def quote(self, zone: int, weight_grams: int) -> Quote | None:
        """The price and ETA of a parcel, or ``None`` where this carrier does not go."""
        first = self.rates.first_kg[zone]
        if first is None:
            return None
        extra_kg = max(0, math.ceil((weight_grams - 1000) / 1000))
        price = first + extra_kg * self.rates.extra_kg[zone]
        return Quote(self.name, self.display, price, self.rates.days[zone], zone)

    def waybill_for(self, shipment_id: uuid.UUID) -> str:
        """The number the carrier prints on the label (stable for a shipment)."""
        digits = shipment_id.int % 10**12
        return f"{self.prefix}{digits:012d}"

    # --- signing -------------------------------------------------------------------------------

    def key(self) -> bytes:
        """A key derived from the app's secret, one per carrier; never configured by hand."""
        secret = get_settings().secret_key.encode()
        return hmac.new(secret, f"agora:carrier:{self.name}".encode(), hashlib.sha256).digest()

    def sign(self, body: bytes, *, at: int | None = None) -> str:
        """The signature header of ``body`` sent at ``at`` (Unix seconds; now by default)."""
        stamp = int(time.time()) if at is None else at
        mac = hmac.new(self.key(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
        return f"t={stamp},v1={mac}"

    def push_body(self, scans: list[Scan]) -> bytes:
        return json.dumps(
            {"carrier": self.name, "events": [scan.as_dict() for scan in scans]},
            separators=(",", ":"),
        ).encode()

    def read_push(self, body: bytes, signature: str) -> list[Scan]:
        """Verify and parse a push. Raises BadCarrierSignature or MalformedTracking."""
        if not self._signature_ok(body, signature):
            raise BadCarrierSignature()
        try:
            message: Any = json.loads(body)
        except ValueError as exc:
            raise MalformedTracking() from exc
        if not isinstance(message, dict) or message.get("carrier") != self.name:
            raise MalformedTracking()
        events = message.get("events")
        if not isinstance(events, list) or not 1 <= len(events) <= 100:
            raise MalformedTracking()
        return [_scan(event) for event in events]

    def _signature_ok(self, body: bytes, signature: str) -> bool:
        parts = dict(part.split("=", 1) for part in signature.split(",") if "=" in part)
        stamp, mac = parts.get("t", ""), parts.get("v1", "")
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > SIGNATURE_TOLERANCE:
            return False
        expected = hmac.new(self.key(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, mac)

    # --- the sandbox's parcels -----------------------------------------------------------------

    def plan(self, parcel: Parcel) -> list[Scan]:
        """Every scan of the parcel's way, at the times they happen (deterministic)."""
        start, eta = parcel.created_at, parcel.eta_at
        origin, destination = parcel.origin_region, parcel.destination_region
        city = parcel.destination_city or destination
        steps = [
            (PICKED_UP, start + timedelta(hours=1), origin, f"Picked up by {self.display}"),
            (
                IN_TRANSIT,
                start + timedelta(hours=4),
                f"{origin} sorting centre",
                f"Departed the {origin} sorting centre",
            ),
            (
                ARRIVED,
                eta - timedelta(hours=10),
                f"{destination} sorting centre",
                f"Arrived at the {destination} sorting centre",
            ),
            (OUT_FOR_DELIVERY, eta - timedelta(hours=3), city, "Out for delivery with the courier"),
            (DELIVERED, eta, city, "Delivered: signed for by the recipient"),
        ]
        return [
            Scan(f"{parcel.waybill}-{position}", parcel.waybill, status, at, where, text)
            for position, (status, at, where, text) in enumerate(steps, start=1)
        ]

    def pushes(self, parcel: Parcel) -> list[tuple[datetime, Scan]]:
        """When each planned scan is pushed: at its time, except that the departure is pushed
        only after the arrival that follows it (late and out of order) and the arrival twice."""
        scans = self.plan(parcel)
        by_status = {scan.status: scan for scan in scans}
        arrived = by_status[ARRIVED].occurred_at
        sent: list[tuple[datetime, Scan]] = []
        for scan in scans:
            if scan.status == IN_TRANSIT:
                sent.append((arrived + timedelta(minutes=5), scan))
            else:
                sent.append((scan.occurred_at, scan))
            if scan.status == ARRIVED:
                sent.append((arrived + timedelta(minutes=2), scan))
        return sent

    def track(self, parcel: Parcel, now: datetime) -> list[Scan]:
        """What a poll of the carrier answers: every scan that has happened."""
        return [scan for scan in self.plan(parcel) if scan.occurred_at <= now]


def _scan(event: Any) -> Scan:
    if not isinstance(event, dict):
        raise MalformedTracking()
    try:
        scan = Scan(
            event_id=_text(event["id"], 64),
            waybill=_text(event["waybill"], 32),
            status=_text(event["status"], 20),
            occurred_at=datetime.fromisoformat(str(event["occurred_at"])),
            location=_text(event.get("location", ""), 80, required=False),
            description=_text(event.get("description", ""), 200, required=False),
        )
    except (KeyError, ValueError) as exc:
        raise MalformedTracking() from exc
    if scan.status not in STAGE or scan.occurred_at.tzinfo is None:
        raise MalformedTracking()
    return scan


def _text(value: Any, longest: int, *, required: bool = True) -> str:
    if not isinstance(value, str) or len(value) > longest or (required and not value):
        raise ValueError("not a short text")
    return value


_NO = None
CARRIERS: dict[str, Carrier] = {
    carrier.name: carrier
    for carrier in (
        Carrier(
            "fleet",
            "Agora Fleet",
            "AF",
            # Next day in the east; dearer; no remote provinces, nothing abroad.
            Rates(
                first_kg=(1500, 1800, 2400, _NO, _NO),
                extra_kg=(300, 400, 600, 0, 0),
                days=(1, 1, 2, 0, 0),
            ),
            fleet=True,
        ),
        Carrier(
            "swift",
            "Swift Express",
            "SW",
            Rates(
                first_kg=(1200, 1400, 1800, 2300, 9000),
                extra_kg=(200, 400, 600, 1000, 6000),
                days=(1, 2, 3, 4, 7),
            ),
        ),
        Carrier(
            "pine",
            "Pine Express",
            "PN",
            Rates(
                first_kg=(500, 600, 800, 1200, _NO),
                extra_kg=(100, 200, 300, 600, 0),
                days=(2, 3, 4, 6, 0),
            ),
        ),
    )
}


def get_carrier(name: str) -> Carrier:
    carrier = CARRIERS.get(name)
    if carrier is None:
        raise UnknownCarrier()
    return carrier
