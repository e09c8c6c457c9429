"""Kancelaria: desktop workstation for Polish municipal and county offices."""

__version__ = "0.1.0"
