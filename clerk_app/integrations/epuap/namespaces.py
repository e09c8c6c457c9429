"""XML namespaces used by ePUAP services and CRD documents."""

from typing import Final

SOAP_ENV: Final = "http://schemas.xmlsoap.org/soap/envelope/"
OBIEKTY: Final = "http://wsdl.epuap.gov.pl/obiekty/"
OBIEKTY_EXT: Final = "http://wsdl.epuap.gov.pl/obiekty/ext/"
PULL: Final = "http://ws.epuap.gov.pl/pull/"
SKRYTKA: Final = "http://ws.epuap.gov.pl/skrytka/"
DORECZYCIEL: Final = "http://ws.epuap.gov.pl/doreczyciel/"

WSSE: Final = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU: Final = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DS: Final = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N: Final = "http://www.w3.org/2001/10/xml-exc-c14n#"
X509_V3: Final = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
)
BASE64_BINARY: Final = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)

CRD_STRUKTURA: Final = "http://crd.gov.pl/xml/schematy/struktura/2009/11/16/"
CRD_META: Final = "http://crd.gov.pl/xml/schematy/meta/2009/11/16/"
CRD_ADRES: Final = "http://crd.gov.pl/xml/schematy/adres/2009/11/09/"
CRD_INSTYTUCJA: Final = "http://crd.gov.pl/xml/schematy/instytucja/2009/11/16/"
CRD_OSOBA: Final = "http://crd.gov.pl/xml/schematy/osoba/2009/11/16/"
CRD_UPO: Final = "http://crd.gov.pl/xml/schematy/UPO/2008/05/09/"
CRD_TEMPLATE_PREFIX: Final = "http://crd.gov.pl/wzor/"
XADES: Final = "http://uri.etsi.org/01903/v1.3.2#"
