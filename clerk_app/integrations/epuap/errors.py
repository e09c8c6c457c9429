"""Errors of the ePUAP layer a clerk (or the sync service) can act on; messages in Polish."""


class EpuapError(Exception):
    """Base of every error this package raises on purpose."""


class EpuapFault(EpuapError):
    """A SOAP fault returned by ePUAP (``soap:Fault`` with ``ob:Wyjatek{kod, komunikat}``)."""

    def __init__(
        self,
        code: int | None,
        message: str,
        *,
        fault_code: str = "",
        fault_string: str = "",
        http_status: int | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.fault_code = fault_code
        self.fault_string = fault_string
        self.http_status = http_status
        code_text = f" (kod {code})" if code is not None else ""
        super().__init__(f"ePUAP zgłosił błąd{code_text}: {message}")


class EpuapHttpError(EpuapError):
    """An HTTP error answer that is not a SOAP fault (401, 503 with an HTML page...)."""

    def __init__(self, status: int, detail: str) -> None:
        self.status = status
        self.detail = detail
        hint = {
            401: "brak uprawnień do skrytki lub nieprawidłowy certyfikat systemu",
            403: "dostęp zabroniony",
            404: "nieprawidłowy adres usługi",
            500: "błąd wewnętrzny serwera ePUAP",
            502: "serwer ePUAP jest niedostępny (bramka)",
            503: "usługa ePUAP jest chwilowo niedostępna",
            504: "serwer ePUAP nie odpowiedział na czas (bramka)",
        }.get(status, "nieoczekiwana odpowiedź serwera")
        text = f": {detail}" if detail else ""
        super().__init__(f"ePUAP odpowiedział HTTP {status} — {hint}{text}")


class EpuapTransportError(EpuapError):
    """The connection failed, timed out or was cut before a full answer arrived."""


class EpuapProtocolError(EpuapError):
    """The answer is not the SOAP message the operation defines."""


class EpuapStatusError(EpuapError):
    """The answer is well formed but its ``status.kod`` says the operation failed."""

    def __init__(self, operation: str, code: int, message: str | None) -> None:
        self.operation = operation
        self.code = code
        self.status_message = message
        super().__init__(
            f"Operacja {operation} nie powiodła się: kod {code}"
            + (f", komunikat: {message}" if message else "")
        )


class SignatureError(EpuapError):
    """A WS-Security signature is missing, malformed, untrusted or does not verify."""
