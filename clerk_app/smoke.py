"""``clerk-app --smoke-test``: prove an installation (or a frozen bundle) works end to end.

Builds the schema in a temporary folder, opens the main window offscreen,
renders a one-page PDF with Polish text and parses an XML document with lxml.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

POLISH_SAMPLE = "Zażółć gęślą jaźń – ŁÓDŹ, Świętokrzyskie, źdźbło"


def render_smoke_pdf(path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from clerk_app.documents.fonts import FONT_REGULAR, register_fonts

    register_fonts()
    canvas = Canvas(str(path), pagesize=A4)
    canvas.setTitle("Kancelaria smoke test")
    canvas.setFont(FONT_REGULAR, 14)
    canvas.drawString(72, 760, POLISH_SAMPLE)
    canvas.showPage()
    canvas.save()


def parse_smoke_xml() -> str:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    doc = etree.fromstring(
        b"<Dokument xmlns='http://crd.gov.pl/wzor/2008/05/09/1/'><Tytul>Wniosek o wypis"
        b"</Tytul></Dokument>",
        parser,
    )
    return str(doc[0].text)


def run_smoke_test() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    steps: list[str] = []
    with tempfile.TemporaryDirectory(prefix="kancelaria-smoke-") as tmp:
        from clerk_app.config import load_settings
        from clerk_app.services.app_context import open_context
        from clerk_app.services.users import UserService

        settings = load_settings(data_dir=tmp, env={})
        ctx = open_context(settings)
        user = UserService(ctx.db).os_account_user()
        steps.append(f"schema: {ctx.db.describe()}")

        from PySide6.QtWidgets import QApplication

        from clerk_app.ui.app import window_settings
        from clerk_app.ui.hub import Hub
        from clerk_app.ui.main_window import MainWindow

        app = QApplication.instance() or QApplication([sys.argv[0]])
        window = MainWindow(
            hub=Hub(),
            window_settings=window_settings(settings),
            user_name=user.full_name,
            database=ctx.db.describe(),
            language="pl",
            data_dir=tmp,
            log_file=str(settings.log_dir),
        )
        window.show()
        app.processEvents()
        steps.append(f"main window: {window.nav.count()} pages")
        window.close()
        ctx.close()

        pdf = Path(tmp) / "smoke.pdf"
        render_smoke_pdf(pdf)
        if not pdf.read_bytes().startswith(b"%PDF"):
            print("smoke test: PDF was not written", file=sys.stderr)
            return 1
        steps.append(f"pdf: {pdf.stat().st_size} bytes")
        # PDFium is a native library loaded by ctypes: the frozen bundle must carry it.
        from clerk_app.ui.pdf_preview import PdfPages

        page = PdfPages.from_file(pdf).render(0, 72)
        steps.append(f"pdfium: {page.width()}x{page.height()} px")
        steps.append(f"xml: {parse_smoke_xml()}")
        # The ePUAP receive path decodes letters with pybase64's native extension; a bundle
        # missing it would silently fall back to its slow pure-Python decoder.
        import pybase64

        if "C extension active" not in pybase64.get_version():
            print(f"smoke test: pybase64 without its C extension ({pybase64.get_version()})")
            return 1
        steps.append(f"base64: {pybase64.get_version()}")
    print("smoke test passed: " + "; ".join(steps))
    return 0
