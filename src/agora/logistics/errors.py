"""Logistics errors, each with a stable code. Another shopper's address is "not found", so ids
reveal nothing."""

from __future__ import annotations

from agora.core.errors import N_, Conflict, NotFound


class AddressNotFound(NotFound):
    code = "address_not_found"
    title = N_("This address does not exist.")


class AddressBookFull(Conflict):
    code = "address_book_full"
    title = N_("Your address book is full: remove an address first.")
