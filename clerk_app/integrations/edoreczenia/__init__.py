"""e-Doręczenia (REST, User Agent API 3.0.8): receiving client and a local fake server."""
