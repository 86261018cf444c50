"""Identifier checks every layer shares (one rule, one error type)."""

from __future__ import annotations

from shopchat.errors import InputError

MAX_USER_ID = 128


def check_user_id(user_id: object) -> str:
    """``user_id`` stripped; refuses empty, over-long, unprintable ids and path separators
    (ids name per-user records, so ``a/b`` is refused everywhere, not just in one entry point)."""
    if not isinstance(user_id, str) or not user_id.strip():
        raise InputError("user_id must be a non-empty string")
    user_id = user_id.strip()
    if len(user_id) > MAX_USER_ID or not user_id.isprintable() or any(c in user_id for c in "/\\"):
        raise InputError(
            f"user_id must be at most {MAX_USER_ID} printable characters without "
            f"path separators, got {user_id[:40]!r}"
        )
    return user_id
