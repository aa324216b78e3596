"""Users, roles and argon2 password hashes."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from shadowfleet.registry.models import UserPublic
from shadowfleet.registry.tables import User, utcnow
from shadowfleet.registry.validation import RegistryError, RegistryValidationError

ROLES = ("contributor", "editor", "admin")
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
MIN_PASSWORD_CHARS = 10
_hasher = PasswordHasher()


class AuthenticationError(RegistryError):
    """Unknown user, wrong password, or a disabled account (deliberately not told apart)."""


class PermissionDenied(RegistryError):
    pass


def require_role(user: UserPublic, role: str) -> None:
    if ROLE_RANK[user.role] < ROLE_RANK[role]:
        raise PermissionDenied(f"{user.username} is a {user.role}; this needs an {role} or above")


def public(user: User) -> UserPublic:
    return UserPublic(id=user.id, username=user.username, role=user.role)  # type: ignore[arg-type]


def create_user(session: Session, username: str, password: str, role: str) -> UserPublic:
    username = username.strip()
    if (
        not username
        or len(username) > 64
        or not username.replace("_", "").replace("-", "").replace(".", "").isalnum()
    ):
        raise RegistryValidationError("username", "1-64 letters, digits, '.', '-' or '_'")
    if role not in ROLES:
        raise RegistryValidationError("role", f"{role!r} is not one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_CHARS:
        raise RegistryValidationError("password", f"at least {MIN_PASSWORD_CHARS} characters")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise RegistryValidationError("username", f"{username!r} already exists")
    user = User(
        username=username, password_hash=_hasher.hash(password), role=role, active=True, created_at=utcnow()
    )
    session.add(user)
    session.flush()
    return public(user)


def authenticate(session: Session, username: str, password: str) -> UserPublic:
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        _hasher.hash(password)  # same cost whether or not the user exists
        raise AuthenticationError("unknown user or wrong password")
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise AuthenticationError("unknown user or wrong password") from None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return public(user)


def list_users(session: Session) -> list[dict[str, object]]:
    """Every account: name, role, whether it can log in, when it was made (never a password hash)."""
    return [
        {"username": u.username, "role": u.role, "active": bool(u.active), "created_at": u.created_at}
        for u in session.scalars(select(User).order_by(User.username))
    ]


def set_active(session: Session, username: str, active: bool) -> UserPublic:
    """Enable or disable an account; a disabled one cannot log in, its past edits stay attributed."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise RegistryValidationError("username", f"no user {username!r}")
    user.active = active
    session.flush()
    return public(user)
