"""Entry script for the frozen app (PyInstaller needs a file, not an entry point)."""

from ouro_desktop.app import main

if __name__ == "__main__":
    raise SystemExit(main())
