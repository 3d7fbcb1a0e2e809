"""The two kinds of failure the rest of the program must tell apart.

`ShopError` is something a person can understand and act on (bad input, a rule of the shop,
the environment: a busy database, a full disk). Its message is written for the cashier and is
safe to show. Anything else that escapes a use case is a bug: logged with its traceback, never
shown raw to a customer.
"""

from __future__ import annotations


class ShopError(Exception):
    """A failure with a message fit for the person at the counter."""

    code = "shop_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(ShopError):
    """The input was wrong; nothing was changed."""

    code = "invalid_input"


class NotFound(ShopError):
    code = "not_found"


class RuleViolation(ShopError):
    """The input was well-formed but a rule of the shop forbids the operation."""

    code = "rule_violation"


class PermissionDenied(ShopError):
    code = "permission_denied"


class AuthenticationFailed(ShopError):
    code = "authentication_failed"


class AccountLocked(ShopError):
    code = "account_locked"


class PaymentDeclined(ShopError):
    code = "payment_declined"


class PaymentUnknown(ShopError):
    """A card or wallet outcome is not known; the money must be resolved before anything else."""

    code = "payment_unknown"


class StoreUnavailable(ShopError):
    """The local database cannot be used: busy for too long, corrupt, or from a newer version."""

    code = "store_unavailable"


class ConfigError(ShopError):
    code = "config_error"
