"""ePUAP protocol layer: SOAP envelopes, WS-Security, CRD documents, a pull client and a simulator.

Nothing here touches the database or Qt; results are plain dataclasses.
"""
