"""Lay out an official letter (pismo) as an A4 PDF with reportlab platypus.

Order on the page follows office practice (docs/LETTERS.md): letterhead with the
place and date on the right, our case sign and the addressee's reference, the
addressee block on the right, subject, justified body, legal basis, instruction
(pouczenie), signature block, "Otrzymują:" (ending with "a/a"), "Do
wiadomości:" and "Sprawę prowadzi:". "Strona X z N" appears only when the
letter runs to more than one page.

Text is set in the embedded DejaVu Sans subset so every Polish letter stays
selectable and searchable. Words are never hyphenated (an inserted hyphen would
break searching and copying); instead a few no-break spaces keep single-letter
words ("w", "z", "i"…), "art. 10", "1 234,50 zł" and "2026 r." on one line, as
Polish typesetting requires.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import unicodedata
from functools import cache, partial
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from clerk_app.documents.fonts import FONT_BOLD, FONT_REGULAR, register_fonts
from clerk_app.documents.letter_model import Addressee, Letter
from clerk_app.documents.parcel_map import MapExtractFlowable
from clerk_app.documents.polish_format import format_date_words, format_place_date

PAGE_SIZE = A4
LEFT_MARGIN = 25 * mm
RIGHT_MARGIN = 20 * mm
TOP_MARGIN = 20 * mm
BOTTOM_MARGIN = 22 * mm
CONTENT_WIDTH = PAGE_SIZE[0] - LEFT_MARGIN - RIGHT_MARGIN
# The addressee and signature blocks start at the middle of the text column.
RIGHT_BLOCK_INDENT = CONTENT_WIDTH * 0.5

LOGO_MAX_HEIGHT = 22 * mm
LOGO_MAX_WIDTH = 30 * mm
LOGO_MAX_BYTES = 5 * 1024 * 1024

PDF_CREATOR = "Kancelaria"


class LetterRenderError(Exception):
    """The letter could not be produced or saved; the message says why, in Polish."""


# --- text preparation -------------------------------------------------------

NBSP = "\u00a0"
_SINGLE_LETTER_WORD = re.compile(r"(?<!\S)([aiouwzAIOUWZ]) ")
_ABBREVIATION = re.compile(
    r"(?<!\S)(art\.|ust\.|pkt|lit\.|§|nr|poz\.|ul\.|al\.|pl\.|tel\.|Dz\. ?U\.|dz\.|k\.)( )",
    re.IGNORECASE,
)
_DIGIT_GROUP = re.compile(r"(?<=\d) (?=\d{3}(?!\d))")
_UNIT_AFTER_NUMBER = re.compile(r"(?<=\d) (?=(?:zł|gr|r\.|m²|m2|ha|%|dni|tys\.)(?!\w))")


def keep_words_together(text: str) -> str:
    """Put no-break spaces where Polish typesetting forbids a line break."""
    text = _SINGLE_LETTER_WORD.sub(rf"\1{NBSP}", text)
    text = _ABBREVIATION.sub(rf"\1{NBSP}", text)
    text = _DIGIT_GROUP.sub(NBSP, text)
    return _UNIT_AFTER_NUMBER.sub(NBSP, text)


# C0/C1 control characters break reportlab's parser or print as boxes; tabs become
# spaces and CR/CRLF become newlines.
_CONTROL_CHARS: dict[int, str | None] = {
    code: None for code in range(0x110) if unicodedata.category(chr(code)) == "Cc"
}
_CONTROL_CHARS.update({ord("\t"): " ", ord("\n"): "\n", ord("\r"): "\n"})


def _drop_control_chars(text: str) -> str:
    return text.replace("\r\n", "\n").translate(_CONTROL_CHARS)


def paragraph_markup(text: str) -> str:
    """Turn plain text into safe reportlab Paragraph markup.

    ``&``, ``<`` and ``>`` are escaped so text from templates or clerks can never
    inject reportlab tags; a newline becomes a line break.
    """
    text = keep_words_together(_drop_control_chars(text).strip())
    return escape(text).replace("\n", "<br/>")


# --- styles -----------------------------------------------------------------


@cache
def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    # hyphenationLang="" keeps words whole even if pyphen gets installed.
    base = ParagraphStyle(
        "letter-base",
        fontName=FONT_REGULAR,
        fontSize=10.5,
        leading=14,
        hyphenationLang="",
        embeddedHyphenation=0,
    )
    small = ParagraphStyle("letter-small", base, fontSize=9, leading=11.5)
    right_block = ParagraphStyle("letter-right", base, leftIndent=RIGHT_BLOCK_INDENT)
    return {
        "office_name": ParagraphStyle("office-name", base, fontName=FONT_BOLD, fontSize=12),
        "office_line": ParagraphStyle("office-line", small),
        "dateline": ParagraphStyle("dateline", base, alignment=TA_RIGHT),
        "sign": ParagraphStyle("sign", base),
        "addressee_name": ParagraphStyle("addressee-name", right_block, fontName=FONT_BOLD),
        "addressee_line": right_block,
        "subject": ParagraphStyle(
            "subject", base, fontName=FONT_BOLD, spaceBefore=10 * mm, spaceAfter=5 * mm
        ),
        "body": ParagraphStyle(
            "body", base, alignment=TA_JUSTIFY, firstLineIndent=10 * mm, spaceAfter=4
        ),
        "legal_basis": ParagraphStyle(
            "legal-basis", base, alignment=TA_JUSTIFY, spaceBefore=4, spaceAfter=4
        ),
        "instruction_heading": ParagraphStyle(
            "instruction-heading", small, fontName=FONT_BOLD, spaceBefore=8, spaceAfter=2
        ),
        "instruction": ParagraphStyle("instruction", small, alignment=TA_JUSTIFY, spaceAfter=3),
        "signature": ParagraphStyle("signature", right_block, alignment=TA_CENTER),
        "signature_name": ParagraphStyle(
            "signature-name", right_block, alignment=TA_CENTER, fontName=FONT_BOLD
        ),
        "signature_note": ParagraphStyle(
            "signature-note", right_block, alignment=TA_CENTER, fontSize=8.5, leading=11
        ),
        "list_heading": ParagraphStyle(
            "list-heading", small, fontName=FONT_BOLD, spaceBefore=6, alignment=TA_LEFT
        ),
        # Hanging indent so wrapped recipients line up after "1. ".
        "list_item": ParagraphStyle("list-item", small, leftIndent=5 * mm, firstLineIndent=-5 * mm),
        "handled_by": ParagraphStyle("handled-by", base, fontSize=8, leading=10, spaceBefore=8),
        "annex_heading": ParagraphStyle(
            "annex-heading", base, fontName=FONT_BOLD, alignment=TA_CENTER, spaceAfter=4 * mm
        ),
        "map_caption": ParagraphStyle(
            "map-caption", base, fontName=FONT_BOLD, spaceBefore=5 * mm, spaceAfter=2 * mm
        ),
    }


# --- flowables --------------------------------------------------------------


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(paragraph_markup(text), style)


def _logo(path: Path) -> Image:
    try:
        size = path.stat().st_size
        if size > LOGO_MAX_BYTES:
            raise LetterRenderError(
                f"Plik logo „{path.name}” jest za duży ({size // 1024} KiB, "
                f"dopuszczalne {LOGO_MAX_BYTES // 1024} KiB)."
            )
        width, height = ImageReader(str(path)).getSize()
    except LetterRenderError:
        raise
    except (OSError, ValueError) as exc:
        raise LetterRenderError(
            f"Nie można odczytać logo urzędu z pliku „{path}”: plik nie istnieje "
            "albo nie jest obrazem PNG lub JPEG."
        ) from exc
    if width <= 0 or height <= 0:
        raise LetterRenderError(f"Logo urzędu w pliku „{path}” ma zerowy rozmiar.")
    scale = min(LOGO_MAX_WIDTH / width, LOGO_MAX_HEIGHT / height)
    return Image(str(path), width=width * scale, height=height * scale)


def _letterhead(letter: Letter, styles: dict[str, ParagraphStyle]) -> Flowable:
    office = letter.office
    text: list[Flowable] = [_para(office.name, styles["office_name"])]
    text += [_para(line, styles["office_line"]) for line in office.address.lines()]
    text += [_para(line, styles["office_line"]) for line in office.contact_lines()]
    dateline = _para(format_place_date(office.place, letter.issued_on), styles["dateline"])

    date_width = 60 * mm
    if office.logo_path is not None:
        logo = _logo(office.logo_path)
        logo_width = LOGO_MAX_WIDTH + 4 * mm
        row = [logo, text, dateline]
        widths = [logo_width, CONTENT_WIDTH - logo_width - date_width, date_width]
    else:
        row = [text, dateline]
        widths = [CONTENT_WIDTH - date_width, date_width]
    table = Table([row], colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                # Cells default to Helvetica, which would add an unembedded font.
                ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _signs(letter: Letter, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    flowables: list[Flowable] = [
        Spacer(1, 6 * mm),
        Paragraph(f"Znak sprawy: {paragraph_markup(letter.case_sign)}", styles["sign"]),
    ]
    reference = letter.reference
    if reference is not None:
        text = f"Wasz znak: {reference.sign}"
        if reference.dated is not None:
            text += f" z dnia {format_date_words(reference.dated)}"
        flowables.append(_para(text, styles["sign"]))
    return flowables


def _addressee_block(addressee: Addressee, styles: dict[str, ParagraphStyle]) -> Flowable:
    lines = [_para(addressee.name, styles["addressee_name"])]
    lines += [_para(line, styles["addressee_line"]) for line in addressee.lines()]
    return KeepTogether([Spacer(1, 5 * mm), *lines])


def _numbered(
    heading: str, items: tuple[str, ...], styles: dict[str, ParagraphStyle]
) -> list[Flowable]:
    if not items:
        return []
    entries = [
        _para(f"{number}. {item}", styles["list_item"]) for number, item in enumerate(items, 1)
    ]
    # Keep the heading with its first entry so "Otrzymują:" never ends a page alone.
    return [KeepTogether([_para(heading, styles["list_heading"]), entries[0]]), *entries[1:]]


def _signature(letter: Letter, styles: dict[str, ParagraphStyle]) -> Flowable:
    signature = letter.signature
    parts: list[Flowable] = [Spacer(1, 10 * mm)]
    if signature.authority_note:
        parts.append(_para(signature.authority_note, styles["signature"]))
    parts.append(_para(signature.name, styles["signature_name"]))
    parts.append(_para(signature.position, styles["signature"]))
    if signature.signed_electronically:
        parts.append(_para("/podpisano elektronicznie/", styles["signature_note"]))
    return KeepTogether(parts)


def letter_story(letter: Letter) -> list[Flowable]:
    """The platypus flowables of a letter (for combined mail-merge documents)."""
    letter.check()
    styles = _styles()
    story: list[Flowable] = [_letterhead(letter, styles), *_signs(letter, styles)]
    story += [_addressee_block(addressee, styles) for addressee in letter.addressees]
    story.append(_para(letter.subject, styles["subject"]))
    story += [_para(text, styles["body"]) for text in letter.body if text.strip()]
    if letter.legal_basis.strip():
        story.append(
            Paragraph(
                f'<font name="{FONT_BOLD}">Podstawa prawna:</font> '
                f"{paragraph_markup(letter.legal_basis)}",
                styles["legal_basis"],
            )
        )
    instruction = [text for text in letter.instruction if text.strip()]
    if instruction:
        story.append(
            KeepTogether(
                [
                    _para("Pouczenie", styles["instruction_heading"]),
                    _para(instruction[0], styles["instruction"]),
                ]
            )
        )
        story += [_para(text, styles["instruction"]) for text in instruction[1:]]
    story.append(_signature(letter, styles))
    story += _numbered("Otrzymują:", letter.recipient_lines(), styles)
    story += _numbered("Do wiadomości:", letter.for_information, styles)
    if letter.handled_by is not None and letter.handled_by.name.strip():
        story.append(_para(f"Sprawę prowadzi: {letter.handled_by.line()}", styles["handled_by"]))
    if letter.map_extracts:
        story += _map_annex(letter, styles)
    return story


# The wyrys frame: the text column's width, at most half the page's height.
MAP_MAX_HEIGHT = 130 * mm


def _map_annex(letter: Letter, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    """The map extract (wyrys) on a page of its own, one map with legend per parcel."""
    story: list[Flowable] = [
        PageBreak(),
        _para(
            "WYRYS z rysunku miejscowego planu zagospodarowania przestrzennego",
            styles["annex_heading"],
        ),
        _para(
            f"Załącznik graficzny do wypisu, znak sprawy: {letter.case_sign}",
            styles["sign"],
        ),
    ]
    for extract in letter.map_extracts:
        story.append(
            KeepTogether(
                [
                    _para(extract.caption, styles["map_caption"]),
                    MapExtractFlowable(extract, CONTENT_WIDTH, MAP_MAX_HEIGHT),
                ]
            )
        )
    story.append(
        _para(
            "Wyrys sporządzono z danych ewidencji gruntów i rysunku planu w lokalnej bazie "
            "urzędu, układ współrzędnych PL-1992 (EPSG:2180). Podana skala dotyczy wydruku "
            "w rozmiarze 100 %.",
            styles["handled_by"],
        )
    )
    return story


# --- page numbers -----------------------------------------------------------


class _PageCountingCanvas(Canvas):
    """Holds pages back until the total is known, then stamps "Strona X z N".

    A one-page letter gets no number at all, as offices expect.
    """

    def __init__(self, *args: Any, page_font: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._page_font = page_font
        self._held_pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # reportlab API name
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held_pages)
        for state in self._held_pages:
            self.__dict__.update(state)
            if total > 1:
                self.setFont(self._page_font, 8)
                self.drawCentredString(
                    PAGE_SIZE[0] / 2, BOTTOM_MARGIN / 2, f"Strona {self._pageNumber} z {total}"
                )
            super().showPage()
        super().save()


# --- output -----------------------------------------------------------------


def render_letter_pdf(letter: Letter) -> bytes:
    """Return the letter as PDF bytes; ``LetterDataError`` if a mandatory part is missing."""
    story = letter_story(letter)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=PAGE_SIZE,
        leftMargin=LEFT_MARGIN,
        rightMargin=RIGHT_MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=letter.title.strip() or letter.subject.strip(),
        author=letter.office.name.strip(),
        subject=letter.case_sign.strip(),
        keywords=", ".join(word.strip() for word in letter.keywords if word.strip()),
        creator=PDF_CREATOR,
        lang="pl-PL",
        displayDocTitle=1,
        initialFontName=FONT_REGULAR,  # no unembedded Helvetica in the file
    )
    document.build(story, canvasmaker=partial(_PageCountingCanvas, page_font=FONT_REGULAR))
    return buffer.getvalue()


def write_letter_pdf(letter: Letter, target: Path) -> Path:
    """Render the letter and save it to ``target`` atomically.

    The PDF is rendered in memory first, then written to a temporary file in the
    target folder and renamed over ``target``; on any error nothing is left
    behind and an existing file at ``target`` stays as it was.
    """
    data = render_letter_pdf(letter)
    target = Path(target)
    try:
        write_file_atomically(target, data)
    except OSError as exc:
        raise LetterRenderError(
            f"Nie można zapisać pisma do pliku „{target}”: {exc.strerror or exc}. "
            "Sprawdź, czy folder istnieje, czy masz do niego prawo zapisu "
            "i czy plik nie jest otwarty w innym programie."
        ) from exc
    return target


def write_file_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` via a temporary file and rename.

    The temporary file is created private to the user (mkstemp), which suits
    letters with personal data.
    """
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    temp_path = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_path, target)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise
