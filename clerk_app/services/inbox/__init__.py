"""Electronic inboxes (ePUAP, e-Doręczenia): the port, the exactly-once sync core, the ledger."""
