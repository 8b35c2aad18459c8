"""Entry script for the frozen app (PyInstaller needs a file, not an entry point)."""

import multiprocessing

from ouro_desktop.app import main

if __name__ == "__main__":
    # The big-CIF preview runs in a worker process started with "spawn": in the frozen
    # app that re-runs this executable, which must then be the worker, not the window.
    multiprocessing.freeze_support()
    raise SystemExit(main())
