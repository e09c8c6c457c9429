"""Dialogs of the register and case views."""
