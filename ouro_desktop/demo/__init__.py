"""The embedded Ouro-compatible demo backend (ASGI app, SQLite store, demo route services).

No Qt here: the same backend serves the offline demo in the app and every test.
"""
