"""Address book endpoints: a shopper's own delivery addresses."""

from __future__ import annotations

import uuid

from fastapi import Response, status

from agora import logistics
from agora.http.deps import Actor, Uow
from agora.http.routing import Router
from agora.logistics.schemas import AddressIn, AddressOut

router = Router(prefix="/api/v1", tags=["addresses"])


def address_out(address: logistics.Address) -> AddressOut:
    return AddressOut.model_validate(address, from_attributes=True)


@router.get("/addresses", response_model=list[AddressOut])
def addresses(actor: Actor, uow: Uow) -> list[AddressOut]:
    """Your addresses, the default first."""
    return [address_out(a) for a in logistics.list_addresses(uow, actor=actor)]


@router.post("/addresses", status_code=status.HTTP_201_CREATED, response_model=AddressOut)
def add_address(body: AddressIn, actor: Actor, uow: Uow) -> AddressOut:
    """Add an address; your first one becomes the default. 422 ``invalid_input`` names each
    wrong field; 409 ``address_book_full`` past 20."""
    values = body.model_dump(exclude={"make_default"})
    return address_out(
        logistics.add_address(uow, actor=actor, values=values, make_default=body.make_default)
    )


@router.get("/addresses/{address_id}", response_model=AddressOut)
def address(address_id: uuid.UUID, actor: Actor, uow: Uow) -> AddressOut:
    return address_out(logistics.get_address(uow, actor=actor, address_id=address_id))


@router.put("/addresses/{address_id}", response_model=AddressOut)
def replace_address(address_id: uuid.UUID, body: AddressIn, actor: Actor, uow: Uow) -> AddressOut:
    """Rewrite an address. Orders already placed keep the address they were placed with."""
    values = body.model_dump(exclude={"make_default"})
    return address_out(
        logistics.update_address(
            uow,
            actor=actor,
            address_id=address_id,
            values=values,
            make_default=body.make_default,
        )
    )


@router.post("/addresses/{address_id}/default", response_model=AddressOut)
def make_default(address_id: uuid.UUID, actor: Actor, uow: Uow) -> AddressOut:
    return address_out(logistics.set_default_address(uow, actor=actor, address_id=address_id))


@router.delete("/addresses/{address_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_address(address_id: uuid.UUID, actor: Actor, uow: Uow) -> Response:
    """Remove an address; if it was the default, your newest remaining one becomes it."""
    logistics.remove_address(uow, actor=actor, address_id=address_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
