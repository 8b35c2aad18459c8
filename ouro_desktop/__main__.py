"""``python -m ouro_desktop``: start the app."""

from .app import main

raise SystemExit(main())
