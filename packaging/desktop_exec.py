"""Turn a menu entry's ``Exec`` line into the command a launcher runs, files included.

The Desktop Entry Specification's rules, as a file manager applies them when you choose
"Open with" on a file: the value's string escapes first (``\\s``, ``\\\\``, ...), then
the quoting (double quotes, inside which ``\\"``, ``\\``` ``, ``\\$`` and ``\\\\`` stand for the
character), then the field codes (``%f`` one file, ``%F`` several, ``%u``/``%U`` as
URLs, which plain paths also are; ``%i``, ``%c``, ``%k`` from the entry; ``%%`` a percent
sign). Used by the tests and by ``packaging/deb-check.sh`` (``python3 desktop_exec.py
ENTRY FILE...`` prints the command, one argument per line, NUL-separated with ``-0``).
"""

from __future__ import annotations

import sys
from pathlib import Path

_STRING_ESCAPES = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}


def split_exec(value: str) -> list[str]:
    """The arguments of an Exec value, field codes still in them."""
    unescaped, i = [], 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value) and value[i + 1] in _STRING_ESCAPES:
            unescaped.append(_STRING_ESCAPES[value[i + 1]])
            i += 2
        else:
            unescaped.append(value[i])
            i += 1
    text = "".join(unescaped)
    args: list[str] = []
    current: list[str] = []
    quoted = started = False
    i = 0
    while i < len(text):
        c = text[i]
        if quoted:
            if c == "\\" and i + 1 < len(text) and text[i + 1] in '"`$\\':
                current.append(text[i + 1])
                i += 2
                continue
            if c == '"':
                quoted = False
            else:
                current.append(c)
        elif c == '"':
            quoted = started = True
        elif c == " ":
            if started:
                args.append("".join(current))
            current, started = [], False
        else:
            current.append(c)
            started = True
        i += 1
    if quoted:
        raise ValueError(f"unterminated quote in Exec value: {value!r}")
    if started:
        args.append("".join(current))
    return args


def expand(args: list[str], files: list[str], entry: dict[str, str], entry_path: str) -> list[str]:
    """Replace the field codes in ``args`` as a launcher opening ``files`` would."""
    out: list[str] = []
    for arg in args:
        if arg in ("%F", "%U"):
            out.extend(files)
            continue
        if arg == "%i":
            if entry.get("Icon"):
                out += ["--icon", entry["Icon"]]
            continue
        text, i, dropped = [], 0, False
        while i < len(arg):
            if arg[i] == "%" and i + 1 < len(arg):
                code = arg[i + 1]
                if code in "fu":
                    if files:
                        text.append(files[0])
                    else:
                        dropped = True
                elif code == "c":
                    text.append(entry.get("Name", ""))
                elif code == "k":
                    text.append(entry_path)
                elif code == "%":
                    text.append("%")
                # deprecated codes (%d %D %n %N %v %m) are removed
                i += 2
            else:
                text.append(arg[i])
                i += 1
        if text or not dropped:
            out.append("".join(text))
    return out


def read_entry(path: Path) -> dict[str, str]:
    """The keys of the ``[Desktop Entry]`` group."""
    entry: dict[str, str] = {}
    group = None
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            group = line
        elif group == "[Desktop Entry]" and "=" in line:
            key, _, value = line.partition("=")
            entry.setdefault(key.strip(), value.strip())
    return entry


def command_for(path: Path, files: list[str]) -> list[str]:
    entry = read_entry(path)
    return expand(split_exec(entry["Exec"]), files, entry, str(path))


if __name__ == "__main__":
    argv = sys.argv[1:]
    nul = argv[:1] == ["-0"]
    if nul:
        argv = argv[1:]
    if not argv:
        sys.exit("usage: desktop_exec.py [-0] ENTRY.desktop [FILE...]")
    command = command_for(Path(argv[0]), argv[1:])
    sys.stdout.write("".join(a + ("\0" if nul else "\n") for a in command))
