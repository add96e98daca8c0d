"""Password hashing with Argon2id (argon2-cffi)."""

import os
from collections.abc import Mapping
from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

# Set by the test suite only (tests/__init__.py): argon2-cffi's CHEAPEST profile, which it
# provides for tests. A sign-in then costs 0.2 ms instead of 0.17 s; create_app refuses it
# under ProductionConfig.
CHEAP_HASHING_FOR_TESTS = "CARFLOW_TEST_CHEAP_PASSWORD_HASHING"


def make_hasher(environ: Mapping[str, str]) -> PasswordHasher:
    """argon2-cffi's defaults (RFC 9106's low-memory profile: 64 MiB, 3 passes), or its
    CHEAPEST profile when the test suite asks for it."""
    if environ.get(CHEAP_HASHING_FOR_TESTS) == "1":
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher()


_hasher = make_hasher(os.environ)


def cheap_hashing_for_tests() -> bool:
    """True when passwords are hashed with the test suite's cheap parameters."""
    return _hasher.memory_cost < PasswordHasher().memory_cost


@cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so both paths cost the same time; made
    at the first such sign-in (a hash takes about 0.2 s), not when a process starts."""
    return _hasher.hash("carflow-dummy-password")


def hash_password(password: str) -> str:
    """An Argon2id hash of `password`."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; never raises on a bad or missing hash."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
