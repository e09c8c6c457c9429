"""Attachment names and ZIP attachments from strangers never write outside the target folder."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from clerk_app.integrations.epuap.safe_names import safe_attachment_name, safe_file_name
from clerk_app.integrations.epuap.safe_zip import (
    UnsafeZipError,
    ZipLimits,
    extract_zip,
    list_zip,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\win.ini", "win.ini"),
        ("/etc/shadow", "shadow"),
        ("C:\\Users\\Public\\x.pdf", "x.pdf"),
        ("C:plik.txt", "plik.txt"),
        ("CON", "_CON"),
        ("con.txt", "_con.txt"),
        ("COM1.tar.gz", "_COM1.tar.gz"),
        ("LPT9", "_LPT9"),
        ("nul .pdf", "_nul .pdf"),
        ("raport.pdf. . ", "raport.pdf"),
        ("a\x00b\x1fc.txt", "a_b_c.txt"),
        ("faktura\u202egpj.exe", "faktura_gpj.exe"),
        ('zły:"znak"?.txt', "zły__znak__.txt"),
        ("..", "zalacznik"),
        ("", "zalacznik"),
        ("   ", "zalacznik"),
        ("Decyzja – Łódź.pdf", "Decyzja – Łódź.pdf"),
    ],
)
def test_safe_file_name(name: str, expected: str) -> None:
    assert safe_file_name(name) == expected


def test_overlong_name_is_cut_keeping_extension() -> None:
    result = safe_file_name("ż" * 300 + ".pdf")
    assert result.endswith(".pdf")
    assert len(result.encode("utf-8")) <= 200


def test_name_without_extension_gets_one_from_mime_type() -> None:
    assert safe_attachment_name("pismo", "application/pdf") == "pismo.pdf"
    assert safe_attachment_name("pismo.odt", "application/pdf") == "pismo.odt"
    assert safe_attachment_name("pismo", None) == "pismo"


def _zip(members: list[tuple[str, bytes, bool]]) -> bytes:
    """Members as (raw name, data, utf8 flag); raw names are written byte-exact."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data, _utf8 in members:
            archive.writestr(name, data)
    raw = buffer.getvalue()
    for name, _data, utf8 in members:
        if not utf8:
            # zipfile always flags non-ASCII names as UTF-8; rewrite to CP852 with no flag,
            # as Polish Windows archivers do. Same byte length is needed for a clean patch.
            encoded_utf8, encoded_cp852 = name.encode("utf-8"), name.encode("cp852")
            padded = encoded_cp852 + b"_" * (len(encoded_utf8) - len(encoded_cp852))
            raw = raw.replace(encoded_utf8, padded)
    data = bytearray(raw)
    if all(utf8 for _name, _data, utf8 in members):
        return bytes(data)
    # Clear the UTF-8 flag of every entry: flagless UTF-8 names must still decode as UTF-8.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (index := data.find(signature, start)) >= 0:
            flags = int.from_bytes(data[index + offset : index + offset + 2], "little")
            data[index + offset : index + offset + 2] = (flags & ~0x800).to_bytes(2, "little")
            start = index + 4
    return bytes(data)


def test_zip_slip_and_absolute_members_are_skipped(tmp_path: Path) -> None:
    archive = _zip(
        [
            ("../../evil.sh", b"rm -rf /", True),
            ("/etc/cron.d/evil", b"x", True),
            ("docs/ok.txt", b"dobry plik", True),
            ("docs\\..\\..\\win.ini", b"x", True),
        ]
    )
    target = tmp_path / "out"
    result = extract_zip(archive, target)
    written = sorted(p.relative_to(target).as_posix() for p in result.written)
    assert written == ["docs/ok.txt"]
    assert {m.original_name for m in result.skipped} == {
        "../../evil.sh",
        "/etc/cron.d/evil",
        "docs\\..\\..\\win.ini",
    }
    assert all(m.problem for m in result.skipped)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["ok.txt"]


def test_cp852_names_without_utf8_flag_are_decoded(tmp_path: Path) -> None:
    archive = _zip([("Zażółć.txt", b"a", False), ("Łódź.txt", b"b", True)])
    names = [m.original_name for m in list_zip(archive)]
    assert "Łódź.txt" in names
    assert any(n.startswith("Zażółć") for n in names), names


def test_windows_reserved_names_inside_zip_are_renamed(tmp_path: Path) -> None:
    result = extract_zip(_zip([("AUX.txt", b"x", True), ("dir/PRN", b"y", True)]), tmp_path)
    assert sorted(p.name for p in result.written) == ["_AUX.txt", "_PRN"]


def test_zip_bomb_ratio_member_is_skipped(tmp_path: Path) -> None:
    archive = _zip([("bomba.bin", b"\0" * (8 * 1024 * 1024), True), ("ok.txt", b"ok", True)])
    result = extract_zip(archive, tmp_path)
    assert [p.name for p in result.written] == ["ok.txt"]
    assert "bomba" in result.skipped[0].problem


def test_declared_total_size_over_limit_refuses_archive() -> None:
    archive = _zip([("a.txt", b"a" * 5000, True), ("b.txt", b"b" * 5000, True)])
    with pytest.raises(UnsafeZipError, match="zajęłoby"):
        list_zip(archive, ZipLimits(max_total_bytes=8000))


def test_not_a_zip_is_refused() -> None:
    with pytest.raises(UnsafeZipError, match="nie jest poprawnym archiwum"):
        list_zip(b"PK\x03\x04 uszkodzone")


def test_existing_files_are_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("oryginał")
    result = extract_zip(_zip([("a.txt", b"nowy", True)]), tmp_path)
    assert (tmp_path / "a.txt").read_text() == "oryginał"
    assert result.written == [] and result.skipped
