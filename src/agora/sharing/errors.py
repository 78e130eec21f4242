"""Sharing errors, each with a stable code."""

from __future__ import annotations

from agora.core.errors import N_, NotFound


class ShareNotFound(NotFound):
    code = "share_not_found"
    title = N_("This share link does not exist.")


class TargetNotFound(NotFound):
    code = "share_target_not_found"
    title = N_("What you are sharing does not exist.")
