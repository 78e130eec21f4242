"""Agora Pay (PRODUCT.md part D): wallets, bank gateways, funding-source switches."""

from agora.payments import handlers as _handlers
from agora.payments import jobs as _jobs
from agora.payments.accounts import (
    commission_of,
    escrow_of,
    gateway_clearing_of,
    store_settlement_of,
    wallet_of,
    withdrawals_of,
)
from agora.payments.domain import (
    CREDIT,
    GATEWAY_SANDBOX,
    SOURCES,
    TREASURE,
    WALLET,
    check_source,
)
from agora.payments.errors import (
    BadSignature,
    ChargeNotCaptured,
    ChargeNotFound,
    CreditOnlyForOrders,
    FundingSourceDisabled,
    RefundExceedsCharge,
    WithdrawalNotFound,
)
from agora.payments.gateways import GATEWAYS, BankGateway, SandboxGateway, get_gateway, sandbox
from agora.payments.service import (
    Charge,
    NotificationResult,
    access_charge,
    create_charge,
    expire_charge,
    on_charge_succeeded,
    receive_notification,
    refund_to_gateway,
    start_top_up,
    submit_sandbox_payment,
)
from agora.payments.switches import (
    Switch,
    enabled_sources,
    list_switches,
    require_enabled,
    set_switch,
)
from agora.payments.wallet import (
    Withdrawal,
    amount_limits,
    recent_withdrawals,
    request_store_payout,
    request_withdrawal,
    store_withdrawal,
    store_withdrawals,
    wallet_balance,
    wallet_statement,
)

__all__ = [
    "CREDIT",
    "GATEWAYS",
    "GATEWAY_SANDBOX",
    "SOURCES",
    "TREASURE",
    "WALLET",
    "BadSignature",
    "BankGateway",
    "Charge",
    "ChargeNotCaptured",
    "ChargeNotFound",
    "CreditOnlyForOrders",
    "FundingSourceDisabled",
    "NotificationResult",
    "RefundExceedsCharge",
    "SandboxGateway",
    "Switch",
    "Withdrawal",
    "WithdrawalNotFound",
    "access_charge",
    "amount_limits",
    "check_source",
    "commission_of",
    "create_charge",
    "enabled_sources",
    "escrow_of",
    "expire_charge",
    "gateway_clearing_of",
    "get_gateway",
    "list_switches",
    "on_charge_succeeded",
    "receive_notification",
    "recent_withdrawals",
    "refund_to_gateway",
    "request_store_payout",
    "request_withdrawal",
    "require_enabled",
    "sandbox",
    "set_switch",
    "start_top_up",
    "store_settlement_of",
    "store_withdrawal",
    "store_withdrawals",
    "submit_sandbox_payment",
    "wallet_balance",
    "wallet_of",
    "wallet_statement",
    "withdrawals_of",
]

del _handlers, _jobs
