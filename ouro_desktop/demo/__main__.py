"""``python -m ouro_desktop.demo``: the standalone demo server."""

from .server import main

raise SystemExit(main())
