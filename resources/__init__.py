"""Shipped resources: fonts, icons, templates, translations, JRWA, demo data."""
