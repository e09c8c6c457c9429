"""Qt item models over the services' read side (no SQL here: pages come from services)."""
