"""Users: the OS account on the embedded default, Argon2 passwords for the office server."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clerk_app.errors import AuthenticationFailed, ValidationError
from clerk_app.models import Role, User
from clerk_app.services.app_context import AppContext
from clerk_app.services.users import UserService


def test_os_account_becomes_the_clerk_with_every_role(ctx: AppContext) -> None:
    users = UserService(ctx.db)
    first = users.os_account_user("anna")
    again = users.os_account_user("anna")
    assert first.id == again.id
    assert first.roles == frozenset(Role)


def test_sign_in_with_argon2_password(ctx: AppContext) -> None:
    users = UserService(ctx.db)
    users.create_user("m.kowalski", "Marek Kowalski", [Role.PLANNER], "bardzo-tajne-1")
    with ctx.db.session() as session:
        stored = session.scalar(select(User.password_hash).where(User.login == "m.kowalski"))
    assert stored is not None and stored.startswith("$argon2id$")
    assert "bardzo-tajne-1" not in stored
    user = users.sign_in("m.kowalski", "bardzo-tajne-1")
    assert user.full_name == "Marek Kowalski"
    assert user.roles == frozenset({Role.PLANNER})


@pytest.mark.parametrize(("login", "password"), [("m.kowalski", "zle-haslo-123"), ("nikt", "x")])
def test_wrong_credentials_are_refused_alike(ctx: AppContext, login: str, password: str) -> None:
    users = UserService(ctx.db)
    users.create_user("m.kowalski", "Marek Kowalski", [Role.PLANNER], "bardzo-tajne-1")
    with pytest.raises(AuthenticationFailed, match="Nieprawidłowy login lub hasło"):
        users.sign_in(login, password)


def test_short_password_and_duplicate_login_are_named(ctx: AppContext) -> None:
    users = UserService(ctx.db)
    with pytest.raises(ValidationError, match="co najmniej 10"):
        users.create_user("x", "X", [Role.ADMIN], "krotkie")
    users.create_user("x", "X", [Role.ADMIN], "wystarczajaco-dlugie")
    with pytest.raises(ValidationError, match="już istnieje"):
        users.create_user("x", "Y", [Role.ADMIN], "wystarczajaco-dlugie")
