"""Settings, read from the environment with the prefix ``AGORA_`` (and an optional ``.env``)."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AGORA_", env_file=".env", extra="ignore")

    database_url: str = Field(default="sqlite:///./var/agora.db")
    redis_url: str | None = None
    secret_key: str = "dev-only-change-me-agora-secret"
    # Embedded mode runs the outbox relay and the scheduler inside `agora serve`.
    embedded_workers: bool = True
    base_url: str = "http://127.0.0.1:8000"
    default_currency: str = "CNY"
    default_locale: str = "en"
    session_days: int = 30
    api_token_days: int = 90
    # Sign-in throttle (identity.throttle): an account locks after this many failures in the
    # window; an address over its own limit is slowed to one attempt per interval, not locked,
    # so people behind one address can still sign in with the right password.
    signin_max_failures: int = 5
    signin_window_seconds: int = 900
    signin_address_max_failures: int = 50
    signin_address_interval_seconds: int = 5
    relay_interval_seconds: float = 0.5
    # Most commands the writer (core/writer.py) applies in one transaction; 1 turns batching off.
    writer_max_batch: int = Field(default=64, ge=1, le=1024)
    # Ready a long-running server at start-up: every route's context built ahead, what start-up
    # allocated frozen, cycles collected less often (app.py, core/collector.py). Off in tests.
    serve_tuning: bool = True
    scheduler_interval_seconds: float = 1.0
    page_size_default: int = 24
    page_size_max: int = 100
    cookie_secure: bool = False
    # The largest request body taken (http/input_guard.py), except on the image upload paths.
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # Product images (agora.media): stored on local disk under media_dir (default: a "media"
    # folder beside the SQLite file, else var/media) and served at /media/u/..., or in an
    # S3-compatible bucket when media_backend is "s3" (install the "s3" extra). One image file
    # may be at most media_max_image_bytes and media_max_image_pixels (a decompression bomb is
    # small on the wire); an upload request's whole body at most media_max_upload_bytes.
    media_backend: Literal["local", "s3"] = "local"
    media_dir: Path | None = None
    media_max_image_bytes: int = Field(default=8 * 1_048_576, ge=1024)
    media_max_image_pixels: int = Field(default=40_000_000, ge=10_000)
    media_max_upload_bytes: int = Field(default=40 * 1_048_576, ge=1024)
    media_images_per_product: int = Field(default=12, ge=1, le=100)
    s3_endpoint_url: str | None = None
    s3_bucket: str = ""
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    # Where the bucket's objects are read by browsers (a CDN or the bucket's public address).
    s3_public_base_url: str = ""
    log_level: str = "INFO"
    # The platform's cut of each completed order, rounded half up to a fen (ordering.domain).
    commission_rate: Decimal = Field(default=Decimal("0.05"), ge=0, le=1)
    payment_min_amount: int = 1  # fen, per top-up or withdrawal
    payment_max_amount: int = 5_000_000  # fen (¥50,000), per top-up or withdrawal
    payment_charge_minutes: int = 15  # a bank charge with no answer by then expires
    # Share attribution windows: a sign-up is credited to the first share visit this recent, a
    # paid order to the last one (sharing.attribution).
    share_signup_window_days: int = Field(default=30, ge=1)
    share_order_window_days: int = Field(default=7, ge=1)
    # Chat (agora.chat): per-user send limit, counted in the database across processes.
    chat_send_limit: int = 20
    chat_send_window_seconds: int = 10
    chat_recall_seconds: int = 120
    chat_group_max_members: int = 500
    chat_ws_queue: int = 1000  # frames queued for one WebSocket before it is closed as too slow
    # What one socket may send (agora.chat.gateway): a frame of at most this many characters
    # (chat text is at most 2,000, so this is ample), and frames at a steady rate with a burst
    # on top for a reconnect (sync, reads, retried sends).
    chat_ws_max_frame_chars: int = Field(default=65_536, ge=4_096)
    chat_ws_frame_burst: int = Field(default=60, ge=1)
    chat_ws_frames_per_second: float = Field(default=20.0, gt=0)
    # Points (agora.points): earned per CNY paid with money, redeemed 100 to the CNY, at most
    # this share of an order, expiring this many calendar months after they became active.
    points_per_cny: int = Field(default=1, ge=0)
    points_per_cny_redeemed: int = Field(default=100, ge=1)
    points_max_redeem_share: Decimal = Field(default=Decimal("0.5"), ge=0, le=1)
    points_expiry_months: int = Field(default=12, ge=1)
    # Referral rewards (agora.referrals): points to the sharer after the referee's first
    # completed order; withheld when this many sign-ups share one browser or address.
    referral_reward_points: int = Field(default=500, ge=0)
    referral_cluster_signups: int = Field(default=3, ge=2)
    # Group deals and bargains: how long a team or a bargain stays open.
    group_team_hours: int = Field(default=24, ge=1)
    bargain_hours: int = Field(default=24, ge=1)
    # The platform's business day (treasure cut-offs, credit statements) is kept in this zone.
    business_timezone: str = "Asia/Shanghai"
    # Red envelopes (agora.red_envelopes): per-share cap in fen, shares per envelope, and how
    # long unclaimed shares wait before going back to the sender.
    red_envelope_max_share: int = Field(default=20_000, ge=1)
    red_envelope_max_shares: int = Field(default=100, ge=1)
    red_envelope_hours: int = Field(default=24, ge=1)
    # Balance treasure (agora.treasure): money in before this local hour is confirmed the next
    # day, later money a day after; instant redemption to the wallet is capped per local day.
    treasure_cutoff_hour: int = Field(default=15, ge=0, le=23)
    treasure_daily_redeem_cap: int = Field(default=1_000_000, ge=0)  # fen (¥10,000)
    # Credit (agora.credit): statement on this day of the month, due on that day; a minimum
    # repayment share; a daily late fee on what is overdue; frozen after this many days late.
    credit_statement_day: int = Field(default=1, ge=1, le=28)
    credit_due_day: int = Field(default=10, ge=1, le=28)
    credit_min_repay_share: Decimal = Field(default=Decimal("0.10"), gt=0, le=1)
    credit_late_fee_rate: Decimal = Field(default=Decimal("0.0005"), ge=0, lt=1)
    credit_freeze_days: int = Field(default=7, ge=1)
    # Returns and disputes (agora.ordering): a store that neither accepts nor rejects a return
    # within this many hours has accepted it; a rejected return may be escalated to an operator
    # within these days of the rejection, a complaint opened within these days of delivery.
    return_answer_hours: int = Field(default=48, ge=1)
    dispute_escalation_days: int = Field(default=7, ge=1)
    dispute_complaint_days: int = Field(default=15, ge=1)
    # Behaviour events (agora.recommendations): kept this many days; the buffer is written every
    # this many seconds (0: only when flushed explicitly, as tests do); a taste fades by half in
    # this many days in the shopper profile.
    behaviour_retention_days: int = Field(default=180, ge=1)
    behaviour_flush_seconds: float = Field(default=0.5, ge=0)
    behaviour_half_life_days: float = Field(default=30.0, gt=0)
    # Recommendation feeds (agora.recommendations): one trained model file (default recs/model.npz
    # beside the SQLite file, else var/recs/model.npz), retrained this often by the scheduler of
    # a serving or worker process; each process re-reads it at most this often once it changed.
    recs_model_path: Path | None = None
    recs_retrain_hours: float = Field(default=6.0, gt=0)
    recs_reload_seconds: float = Field(default=5.0, ge=0)
    recs_top_n: int = Field(default=100, ge=10, le=1000)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def media_folder(self) -> Path:
        if self.media_dir is not None:
            return self.media_dir
        database = self.sqlite_path()
        return database.parent / "media" if database is not None else Path("var/media")

    def recs_model_file(self) -> Path:
        if self.recs_model_path is not None:
            return self.recs_model_path
        database = self.sqlite_path()
        folder = database.parent if database is not None else Path("var")
        return folder / "recs" / "model.npz"

    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        raw = self.database_url.split("///", 1)[1] if "///" in self.database_url else ""
        return None if raw in ("", ":memory:") else Path(raw)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
