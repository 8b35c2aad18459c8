"""``python -m ouro_desktop``: start the app."""

import multiprocessing

from .app import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a no-op unless frozen (see packaging/launcher.py)
    raise SystemExit(main())
