"""A readable, self-contained HTML view of a parsed letter or receipt.

Our own template, every value escaped; no scripts, no external resources (a Content-Security-
Policy forbids them too), so showing a letter never contacts crd.gov.pl or the sender.
"""

from __future__ import annotations

from html import escape

from clerk_app.integrations.epuap.document import (
    Letter,
    Party,
    Receipt,
    SignatureCheck,
    SignatureInfo,
)
from clerk_app.integrations.epuap.payload import size_of

_HEAD = (
    '<!DOCTYPE html><html lang="pl"><head><meta charset="utf-8">'
    '<meta http-equiv="Content-Security-Policy" '
    "content=\"default-src 'none'; style-src 'unsafe-inline'\">"
    "<title>{title}</title><style>"
    "body{{font-family:sans-serif;max-width:50em;margin:1em auto;line-height:1.4}}"
    "h1{{font-size:1.3em}}dt{{font-weight:bold}}.warn{{color:#a00}}.ok{{color:#060}}"
    "</style></head><body>"
)

_CHECK_LABELS = {
    SignatureCheck.VERIFIED: ("ok", "podpis zweryfikowany"),
    SignatureCheck.INVALID: ("warn", "PODPIS NIEWAŻNY"),
    SignatureCheck.NOT_VERIFIED: ("warn", "podpisu nie zweryfikowano"),
}


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _party(party: Party) -> str:
    parts = [f"<strong>{_e(party.name)}</strong>"]
    if party.address is not None and party.address.one_line():
        parts.append(_e(party.address.one_line()))
    return "<li>" + "<br>".join(parts) + "</li>"


def _signature(info: SignatureInfo) -> str:
    css, label = _CHECK_LABELS[info.check]
    who = info.signer_name or "(nieznany podpisujący)"
    lines = [f"<strong>{_e(who)}</strong>"]
    if info.trusted_profile_name:
        pesel = f", PESEL {_e(info.trusted_profile_pesel)}" if info.trusted_profile_pesel else ""
        lines.append(f"Profil Zaufany: {_e(info.trusted_profile_name)}{pesel}")
    if info.signing_time:
        lines.append(f"Czas podpisu: {_e(info.signing_time)}")
    lines.append(f'<span class="{css}">{_e(label)}: {_e(info.check_detail)}</span>')
    return "<li>" + "<br>".join(lines) + "</li>"


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def render_letter_html(letter: Letter) -> str:
    title = letter.title or letter.document_name or "Pismo z ePUAP"
    out = [_HEAD.format(title=_e(title)), f"<h1>{_e(title)}</h1>"]
    if letter.document_name and letter.document_name != title:
        out.append(f"<p>{_e(letter.document_name)}</p>")
    meta = []
    if letter.place or letter.date:
        when = ", ".join(
            p for p in (letter.place, letter.date.isoformat() if letter.date else None) if p
        )
        meta.append(f"<dt>Miejscowość i data</dt><dd>{_e(when)}</dd>")
    if letter.senders:
        meta.append(
            "<dt>Nadawca</dt><dd><ul>" + "".join(_party(p) for p in letter.senders) + "</ul></dd>"
        )
    if letter.addressees:
        meta.append(
            "<dt>Adresat</dt><dd><ul>"
            + "".join(_party(p) for p in letter.addressees)
            + "</ul></dd>"
        )
    out.append("<dl>" + "".join(meta) + "</dl>")
    out.extend(f"<p>{_e(p)}</p>" for p in letter.paragraphs)
    if letter.attachments:
        items = []
        for attachment in letter.attachments:
            if attachment.error:
                detail = f'<span class="warn">{_e(attachment.error)}</span>'
            elif attachment.content is not None:
                detail = _e(_size(size_of(attachment.content)))
            else:
                detail = "do pobrania z ePUAP"
            items.append(f"<li>{_e(attachment.file_name)} — {detail}</li>")
        out.append("<h2>Załączniki</h2><ul>" + "".join(items) + "</ul>")
    out.append("<h2>Podpisy</h2>")
    if letter.signatures:
        out.append("<ul>" + "".join(_signature(s) for s in letter.signatures) + "</ul>")
    else:
        out.append('<p class="warn">Dokument nie jest podpisany.</p>')
    out.append("</body></html>")
    return "".join(out)


def render_receipt_html(receipt: Receipt) -> str:
    heading = (
        "Urzędowe poświadczenie przedłożenia (UPP)"
        if receipt.kind == "UPP"
        else "Urzędowe poświadczenie doręczenia (UPD)"
    )
    rows = [
        ("Identyfikator poświadczenia", receipt.receipt_id),
        ("Dotyczy dokumentu", receipt.certified_document_id),
        ("Sprawa", receipt.case_id),
        ("Data zdarzenia", receipt.event_time),
        ("Data wytworzenia", receipt.created_time),
        ("Adresat", receipt.addressee_name),
        ("Nadawca", receipt.sender_name),
    ]
    out = [_HEAD.format(title=_e(heading)), f"<h1>{_e(heading)}</h1><dl>"]
    out.extend(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows if v)
    out.append("</dl><h2>Podpisy</h2>")
    if receipt.signatures:
        out.append("<ul>" + "".join(_signature(s) for s in receipt.signatures) + "</ul>")
    else:
        out.append('<p class="warn">Poświadczenie nie jest podpisane.</p>')
    out.append("</body></html>")
    return "".join(out)
