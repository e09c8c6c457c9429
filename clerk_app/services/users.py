"""Who is working: the OS account on the embedded default, signed-in users on PostgreSQL.

Office users sign in with passwords hashed by Argon2id (argon2-cffi) in the
``app_user`` table; the database connection itself uses one office role set up
by the administrator. This keeps user management inside the program (units,
roles, stand-ins) and lets a user be disabled without touching the server.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select

from clerk_app.errors import AuthenticationFailed, ValidationError
from clerk_app.models import Role, User, UserRole
from clerk_app.services.database import Database

_hasher = PasswordHasher()

ALL_ROLES = frozenset(Role)
MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class CurrentUser:
    id: int
    login: str
    full_name: str
    roles: frozenset[Role]

    def has(self, role: Role) -> bool:
        return role in self.roles


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _current(user: User) -> CurrentUser:
    return CurrentUser(user.id, user.login, user.full_name, user.role_set)


def os_login() -> str:
    return getpass.getuser()


class UserService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def os_account_user(
        self, login: str | None = None, full_name: str | None = None
    ) -> CurrentUser:
        """The embedded default's clerk: the OS account, created with every role on first use."""
        login = login or os_login()
        with self.db.session(write=True) as session:
            user = session.scalar(select(User).where(User.login == login))
            if user is None:
                user = User(login=login, full_name=full_name or login)
                user.roles = [UserRole(role=r) for r in sorted(ALL_ROLES)]
                session.add(user)
                session.flush()
            elif not user.active:
                raise AuthenticationFailed(f"Konto „{login}” jest wyłączone.")
            return _current(user)

    def sign_in(self, login: str, password: str) -> CurrentUser:
        failure = AuthenticationFailed("Nieprawidłowy login lub hasło.")
        with self.db.session(write=True) as session:
            user = session.scalar(select(User).where(User.login == login.strip()))
            if user is None or user.password_hash is None:
                # Spend the same time as a real check so logins cannot be probed.
                _hasher.hash(password)
                raise failure
            try:
                _hasher.verify(user.password_hash, password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                raise failure from None
            if not user.active:
                raise AuthenticationFailed(f"Konto „{user.login}” jest wyłączone.")
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            return _current(user)

    def create_user(
        self,
        login: str,
        full_name: str,
        roles: Iterable[Role],
        password: str | None = None,
        position: str = "",
    ) -> CurrentUser:
        login = login.strip()
        if not login:
            raise ValidationError("Login nie może być pusty.")
        if password is not None and len(password) < MIN_PASSWORD_LENGTH:
            raise ValidationError(f"Hasło musi mieć co najmniej {MIN_PASSWORD_LENGTH} znaków.")
        with self.db.session(write=True) as session:
            if session.scalar(select(User.id).where(User.login == login)) is not None:
                raise ValidationError(f"Użytkownik „{login}” już istnieje.")
            user = User(
                login=login,
                full_name=full_name.strip() or login,
                position=position,
                password_hash=_hasher.hash(password) if password is not None else None,
            )
            user.roles = [UserRole(role=r) for r in sorted(set(roles))]
            session.add(user)
            session.flush()
            return _current(user)

    def set_password(self, login: str, password: str) -> None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValidationError(f"Hasło musi mieć co najmniej {MIN_PASSWORD_LENGTH} znaków.")
        with self.db.session(write=True) as session:
            user = session.scalar(select(User).where(User.login == login))
            if user is None:
                raise ValidationError(f"Nie ma użytkownika „{login}”.")
            user.password_hash = _hasher.hash(password)

    def list_users(self) -> list[CurrentUser]:
        with self.db.session() as session:
            return [_current(u) for u in session.scalars(select(User).order_by(User.login))]
