"""e-Doręczenia plugs into the unchanged sync core: list → fetch → store → DELETE."""

from __future__ import annotations

from sqlalchemy import select

from clerk_app.integrations.edoreczenia.client import EDoreczeniaClient
from clerk_app.integrations.edoreczenia.fake_server import FakeEDoreczenia, FakeMessage
from clerk_app.models import Attachment, Channel, RegisterEntry
from clerk_app.services.app_context import AppContext
from clerk_app.services.inbox.edoreczenia import EDoreczeniaInbox
from clerk_app.services.inbox.ledger import DatabaseLedger
from clerk_app.services.inbox.sync import synchronise
from clerk_app.services.users import CurrentUser, UserService


def registry_clerk(ctx: AppContext) -> CurrentUser:
    """The clerk the sync registers as (the OS account of the embedded default)."""
    return UserService(ctx.db).os_account_user("kancelaria")


ADE = "AE:PL-28080-40239-TUSBF-26"


def _port(fake: FakeEDoreczenia, token: str = "token-testowy") -> EDoreczeniaInbox:
    return EDoreczeniaInbox(
        EDoreczeniaClient(fake.base_url, ADE, lambda: token, not_ready_delay=0.01)
    )


def test_messages_registered_once_and_deleted_last(ctx: AppContext) -> None:
    with FakeEDoreczenia() as fake:
        first = fake.add(
            ADE,
            FakeMessage(
                "Wezwanie do uzupełnienia wniosku — Łódź",
                "AE:PL-11111-22222-AAAAA-11",
                "Wojewódzki Sąd Administracyjny w Łodzi",
                text_body="Treść wezwania: zażółć gęślą jaźń.",
                attachments=[("wezwanie.pdf", b"%PDF-1.7 test", "application/pdf")],
                not_ready=1,
            ),
        )
        fake.add(ADE, FakeMessage("Informacja", "AE:PL-33333-44444-BBBBB-22", "Starostwo"))
        ledger = DatabaseLedger(ctx.db, ctx.blobs, registry_clerk(ctx))
        port = _port(fake)
        result = synchronise(port, ledger)
        port.close()

        assert result.ok and result.stored == 2 and result.confirmed == 2
        assert fake.boxes[ADE] == []
        assert fake.deleted[0] == first.message_id
        with ctx.db.session() as session:
            entries = list(session.scalars(select(RegisterEntry).order_by(RegisterEntry.id)))
            names = sorted(
                session.scalars(
                    select(Attachment.file_name).where(Attachment.entry_id == entries[0].id)
                )
            )
        assert [e.channel for e in entries] == [Channel.EDORECZENIA] * 2
        assert entries[0].title == "Wezwanie do uzupełnienia wniosku — Łódź"
        assert entries[0].external_id == f"ede:{first.message_id}"
        assert names == ["tresc_wiadomosci.txt", "wezwanie.pdf"]

        # A message stored but never deleted (crash) comes back: only deleted again.
        again = fake.add(ADE, FakeMessage("Informacja", "AE:PL-1", "Starostwo"))
        again.message_id = first.message_id
        port = _port(fake)
        second = synchronise(port, ledger)
        port.close()
        assert (second.duplicates, second.stored, second.confirmed) == (1, 0, 1)
        assert fake.boxes[ADE] == []


def test_unauthorised_token_is_reported_in_polish(ctx: AppContext) -> None:
    with FakeEDoreczenia() as fake:
        fake.add(ADE, FakeMessage("X", "AE:PL-1", "Y"))
        port = _port(fake, token="zly")
        result = synchronise(port, DatabaseLedger(ctx.db, ctx.blobs, registry_clerk(ctx)))
        port.close()
    assert not result.ok
    assert "brak uprawnień" in " ".join(result.errors)
