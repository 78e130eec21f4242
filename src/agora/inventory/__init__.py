"""Inventory: stock per SKU, changed only by guarded updates (PRODUCT.md parts B and C)."""

from agora.inventory.models import Stock
from agora.inventory.service import (
    STOCK_GATE,
    InsufficientStock,
    adjust_stock,
    set_stock,
    stock_levels,
)

__all__ = ["STOCK_GATE", "InsufficientStock", "Stock", "adjust_stock", "set_stock", "stock_levels"]
