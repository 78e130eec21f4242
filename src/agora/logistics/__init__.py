"""Logistics (PRODUCT.md Q): the shoppers' address books; carriers, shipments and tracking
build on them."""

from agora.logistics.addresses import (
    Address,
    add_address,
    address_snapshot,
    default_address,
    default_snapshot,
    get_address,
    list_addresses,
    remove_address,
    set_default_address,
    update_address,
)
from agora.logistics.domain import COUNTRIES, MAX_ADDRESSES, AddressFields
from agora.logistics.errors import AddressBookFull, AddressNotFound

__all__ = [
    "COUNTRIES",
    "MAX_ADDRESSES",
    "Address",
    "AddressBookFull",
    "AddressFields",
    "AddressNotFound",
    "add_address",
    "address_snapshot",
    "default_address",
    "default_snapshot",
    "get_address",
    "list_addresses",
    "remove_address",
    "set_default_address",
    "update_address",
]
