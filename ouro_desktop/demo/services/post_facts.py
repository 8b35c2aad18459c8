"""Demo route ``read-post-facts``: the chemistry and the numbers in a post's text.

Input: an Ouro post (the service reads ``post.content.text``, as the real text-to-speech
wrapper does, ouro-protocol.md §13.7). It finds chemical formulas (each weighed with
standard atomic weights), quantities with a unit (Å, Å³, eV, GPa, K, g/cm³, ...), counts
words and sentences, and quotes the opening sentence as a summary.

A formula is a token that parses as one and either holds two or more element symbols, a
count (``Cu2O``) or brackets, or is a two-letter element symbol that is not also a common
English word (``Fe``, ``Cu``; not ``In``, ``As``, ``No``). Single capital letters are too
ambiguous (``I``, ``A``, ``V``) unless a count follows.
"""

from __future__ import annotations

import re
from typing import Any

from .base import ServiceCall, ServiceError
from .formula_properties import molar_mass, parse_formula
from .spec import document, post_operation
from .structure import hill_formula

ROUTE_NAME = "read-post-facts"
METHOD = "POST"
PATH = "/chemistry/post/facts"

MAX_TEXT = 200_000
MAX_ITEMS = 200
SUMMARY_CHARS = 280
_ENGLISH_SYMBOLS = {"As", "At", "Be", "He", "In", "No", "Am", "Hi", "Is", "It", "Ho", "So"}
# A formula-like token, hydrates included (CuSO4·5H2O); checked by parsing afterwards.
_FORMULA_TOKEN = re.compile(
    r"(?<![\w(\[])((?:[A-Z][a-z]?|[(\[])[A-Za-z0-9()\[\].]*"
    r"(?:[·•]\d*[A-Z(\[][A-Za-z0-9()\[\].]*)*)(?![\w])"
)
_UNITS = {
    "Å³": "Å³",
    "Å^3": "Å³",
    "A^3": "Å³",
    "Å": "Å",
    "nm": "nm",
    "pm": "pm",
    "meV": "meV",
    "eV": "eV",
    "GPa": "GPa",
    "MPa": "MPa",
    "kbar": "kbar",
    "°C": "°C",
    "K": "K",
    "g/cm³": "g/cm³",
    "g/cm^3": "g/cm³",
    "g/mol": "g/mol",
    "kJ/mol": "kJ/mol",
    "°": "°",
    "%": "%",
}
_NUMBER = r"[-−+]?\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?"
_QUANTITY = re.compile(
    rf"({_NUMBER})\s*("
    + "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
    + r")(?![A-Za-z0-9])"
)
# A sentence ends at . ! or ? before a space and a capital, digit or quote (not in "3.615").
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])")


def _plain(text: str) -> str:
    """Markdown marks that are not words taken out (headings, emphasis, table bars)."""
    text = re.sub(r"^\s*#{1,6}\s*", "", text, flags=re.M)
    text = re.sub(r"^\s*[-*+]\s+", "", text, flags=re.M)
    text = text.replace("**", "").replace("`", "")
    return re.sub(r"\|", " ", text)


def _is_formula(token: str, counts: dict[str, float]) -> bool:
    if len(counts) >= 2 or any(ch.isdigit() for ch in token) or "(" in token or "[" in token:
        return True
    return len(token) == 2 and token not in _ENGLISH_SYMBOLS


def find_formulas(text: str) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for match in _FORMULA_TOKEN.finditer(text):
        token = match.group(1).rstrip(".")
        try:
            counts = parse_formula(token)
        except ServiceError:
            continue
        if not _is_formula(token, counts):
            continue
        entry = found.get(token)
        if entry is None:
            if len(found) >= MAX_ITEMS:
                continue
            found[token] = {
                "formula": token,
                "hill_formula": hill_formula(counts, reduce=False),
                "molar_mass_g_mol": round(molar_mass(counts), 4),
                "mentions": 1,
            }
        else:
            entry["mentions"] += 1
    return list(found.values())


def _around(text: str, start: int, end: int) -> str:
    """The words around ``text[start:end]``: whole words only, "…" where the text goes on
    (a cut word, "r of 3.615 Å", reads as a typo)."""
    left = max(0, start - 40)
    right = min(len(text), end + 10)
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space != -1 else right
    shown = " ".join(text[left:right].split())
    return ("…" if left > 0 else "") + shown + ("…" if right < len(text) else "")


def find_quantities(text: str) -> list[dict[str, Any]]:
    out = []
    for match in _QUANTITY.finditer(text):
        raw = match.group(1).replace("−", "-").replace(",", ".")
        try:
            value = float(raw)
        except ValueError:
            continue
        context = _around(text, match.start(), match.end())
        out.append({"value": value, "unit": _UNITS[match.group(2)], "context": context})
        if len(out) >= MAX_ITEMS:
            break
    return out


def read_facts(name: str, text: str) -> dict[str, Any]:
    plain = _plain(text)[:MAX_TEXT]
    prose = " ".join(
        line.strip()
        for line in text[:MAX_TEXT].splitlines()
        if line.strip() and not line.lstrip().startswith(("#", "|", "```"))
    )
    sentences = [s.strip() for s in _SENTENCE_END.split(_plain(prose)) if s.strip()]
    summary = sentences[0] if sentences else ""
    if len(summary) > SUMMARY_CHARS:
        summary = summary[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return {
        "title": name,
        "words": len(re.findall(r"\w+", plain)),
        "sentences": len(sentences),
        "summary": summary,
        "formulas": find_formulas(plain),
        "quantities": find_quantities(plain),
    }


async def handle(call: ServiceCall) -> dict[str, Any]:
    post = call.body.get("post")
    content = post.get("content") if isinstance(post, dict) else None
    text = content.get("text") if isinstance(content, dict) else None
    if not isinstance(text, str):
        raise ServiceError(422, "Choose a post for the 'post' input: its text is what is read.")
    if not text.strip():
        raise ServiceError(422, "That post has no text to read.")
    facts = read_facts(str(post.get("name") or "Post"), text)  # type: ignore[union-attr]
    await call.log(
        f"Read {facts['words']} words: {len(facts['formulas'])} formulas, "
        f"{len(facts['quantities'])} quantities"
    )
    return facts


REQUEST_MODEL = "PostFactsRequest"
RESPONSE_MODEL = "PostFacts"

OPENAPI: dict[str, Any] = document(
    title="Facts from a post",
    description="Chemical formulas and quantities found in a post's text.",
    path=PATH,
    operation=post_operation(
        summary="Read the formulas and numbers in a post",
        description=(
            "Reads one of your Ouro posts and lists the chemical formulas it mentions (with "
            "molar masses), the quantities with units (Å, eV, GPa, K, ...), and its opening "
            "sentence."
        ),
        operation_id="facts_chemistry_post_facts_post",
        request_model=REQUEST_MODEL,
        extensions={
            "x-ouro-input-assets": {"post": {"asset_type": "post", "primary": True}},
            "x-ouro-execution-mode": "sync",
        },
    ),
    schemas={
        "Post": {
            "type": "object",
            "title": "Post",
            "description": "An Ouro post, resolved by Ouro to its content.",
            "properties": {
                "id": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Id"},
                "name": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Name"},
            },
            "additionalProperties": True,
        },
        REQUEST_MODEL: {
            "type": "object",
            "title": REQUEST_MODEL,
            "properties": {
                "post": {
                    "$ref": "#/components/schemas/Post",
                    "description": "The post to read.",
                }
            },
            "required": ["post"],
        },
        RESPONSE_MODEL: {
            "type": "object",
            "title": RESPONSE_MODEL,
            "properties": {
                "title": {"type": "string", "title": "Post title"},
                "words": {"type": "integer", "title": "Words"},
                "sentences": {"type": "integer", "title": "Sentences"},
                "summary": {"type": "string", "title": "Opening sentence"},
                "formulas": {
                    "type": "array",
                    "title": "Chemical formulas",
                    "items": {
                        "type": "object",
                        "properties": {
                            "formula": {"type": "string", "title": "Formula"},
                            "hill_formula": {"type": "string", "title": "Hill formula"},
                            "molar_mass_g_mol": {
                                "type": "number",
                                "title": "Molar mass",
                                "x-unit": "g/mol",
                            },
                            "mentions": {"type": "integer", "title": "Mentions"},
                        },
                    },
                },
                "quantities": {
                    "type": "array",
                    "title": "Quantities",
                    "items": {
                        "type": "object",
                        "properties": {
                            "value": {"type": "number", "title": "Value"},
                            "unit": {"type": "string", "title": "Unit"},
                            "context": {"type": "string", "title": "Where it appears"},
                        },
                    },
                },
            },
        },
    },
)
OPENAPI["paths"][PATH]["post"]["responses"]["200"]["content"]["application/json"]["schema"] = {
    "$ref": f"#/components/schemas/{RESPONSE_MODEL}"
}
