"""What each asset input of a route needs, and whether a chosen Ouro asset fits it (no Qt).

An input declaration (ouro-protocol.md §4.3) names an asset type (file, dataset, post), and
for files a kind filter (``image``, ``atomic structure``, ...) and extensions. The picker
uses :func:`input_needs` to search the right assets (:attr:`InputNeed.search`), to say what
an input takes, and to know whether a local file can be dropped on it (a CSV or TSV for a
dataset input). :func:`asset_fits` decides, before any run, whether a picked asset fits,
with the reason in plain words when it does not: an image input refuses a ``.cif`` even
when its MIME type was stored as ``application/octet-stream``. For datasets and posts only
the type has to match (§13.2), as on Ouro.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ouro_desktop.api.asset_models import AnyAsset, AssetSummary, DatasetAsset, PostAsset
from ouro_desktop.api.files import content_type_for
from ouro_desktop.api.models import FileAsset, InputDeclaration, Route
from ouro_desktop.api.schema_normalize import field_title

from .file_checks import FILTER_EXTENSIONS, FILTER_MIME, accepted_types_text, display_name
from .route_fields import asset_input_required, asset_input_schema

__all__ = [
    "TABLE_EXTENSIONS",
    "Fit",
    "InputNeed",
    "asset_fits",
    "file_kind_text",
    "input_needs",
    "required_inputs",
]

TABLE_EXTENSIONS = ("csv", "tsv", "txt")
_FILTER_WORDS = {
    "image": "an image",
    "audio": "audio",
    "video": "a video",
    "pdf": "a PDF",
    "3d model": "a 3D model",
    "atomic structure": "a crystal structure",
}
_TYPE_WORDS = {"file": "a file", "dataset": "a dataset", "post": "a post"}


@dataclass(frozen=True)
class Fit:
    ok: bool
    reason: str = ""  # why not, in words for the user ("" when it fits)


@dataclass(frozen=True)
class InputNeed:
    """One asset input as the window offers it."""

    key: str
    title: str  # the schema's label for it, else the key made readable
    description: str
    asset_type: str  # file, dataset or post (or another Ouro type)
    required: bool
    extensions: tuple[str, ...]  # for files: accepted extensions (from the filter if none)
    kind_filter: str | None  # for files: image, audio, atomic structure, ...
    declaration: InputDeclaration

    @property
    def accepts_text(self) -> str:
        """What the input takes, for its drop zone: ``.png, .jpg — image``, ``a table
        (CSV or TSV) or one of your Ouro datasets``, ``one of your Ouro posts, or a text``."""
        if self.asset_type == "dataset":
            return "a table (CSV or TSV file) or one of your Ouro datasets"
        if self.asset_type == "post":
            return "one of your Ouro posts, or a short text that becomes a post"
        if self.asset_type == "file":
            return accepted_types_text(self.declaration)
        return f"an Ouro {self.asset_type}"

    @property
    def drop_extensions(self) -> tuple[str, ...]:
        """Extensions of local files that can be dropped here (none for posts)."""
        if self.asset_type == "dataset":
            return TABLE_EXTENSIONS
        if self.asset_type == "file":
            return self.extensions
        return ()

    @property
    def search(self) -> dict[str, Any]:
        """Keyword arguments for ``OuroClient.search_assets`` that list what fits."""
        found: dict[str, Any] = {"asset_type": self.asset_type}
        if self.asset_type == "file":
            if self.declaration.file_extensions:
                found["extensions"] = list(self.declaration.file_extensions)
            elif self.kind_filter in ("image", "audio", "video"):
                found["file_type"] = self.kind_filter
        return found


def input_needs(route: Route) -> list[InputNeed]:
    """The route's asset inputs, primary first, each with what it takes."""
    needs = []
    for key, decl in route.input_assets.items():
        schema = asset_input_schema(route, key)
        props = _raw_property(route, key)
        extensions = decl.file_extensions or FILTER_EXTENSIONS.get(decl.input_filter or "", ())
        needs.append(
            InputNeed(
                key=key,
                title=field_title(key, props) or _humanize(key),
                description=str(schema.get("description") or ""),
                asset_type=decl.asset_type,
                required=asset_input_required(route, key),
                extensions=extensions if decl.asset_type == "file" else (),
                kind_filter=decl.input_filter if decl.asset_type == "file" else None,
                declaration=decl,
            )
        )
    needs.sort(key=lambda n: not n.declaration.primary)
    return needs


def _raw_property(route: Route, key: str) -> dict[str, Any]:
    schema = route.request_schema or {}
    props = schema.get("properties")
    sub = props.get(key) if isinstance(props, dict) else None
    return sub if isinstance(sub, dict) else {}


def _humanize(key: str) -> str:
    words = key.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else key


def file_kind_text(asset: FileAsset) -> str:
    """What a file is, in words: ``a crystal structure (.cif)``, ``an image (.png)``."""
    ext = (asset.extension or "").lower().lstrip(".")
    mime = _mime_of(asset)
    group = next((g for g, mimes in FILTER_MIME.items() if mime in mimes), None)
    words = _FILTER_WORDS.get(group or mime.split("/")[0], "a file")
    return f"{words} (.{ext})" if ext else words


def _mime_of(asset: FileAsset) -> str:
    """The stored MIME type, or the one its name implies when storage did not know it
    (ouro-py sends ``application/octet-stream`` for ``.cif``, §8.1)."""
    mime = (asset.mime or "").lower()
    if mime and mime != "application/octet-stream":
        return mime
    name = asset.name if "." in asset.name else f"x.{asset.extension or ''}"
    return content_type_for(name)


def asset_fits(need: InputNeed, asset: AnyAsset) -> Fit:
    """Whether ``asset`` can be used for ``need``; if not, why, naming both."""
    kind = _asset_type(asset)
    name = f"“{display_name(_asset_name(asset))}”"
    where = f"“{display_name(need.title)}”"
    allowed = need.declaration.raw.get("asset_types")
    types = [t for t in allowed if isinstance(t, str)] if isinstance(allowed, list) else []
    if kind != need.asset_type and kind not in types:
        return Fit(
            False,
            f"{name} is {_TYPE_WORDS.get(kind, 'an Ouro ' + kind)}, but {where} takes "
            f"{_TYPE_WORDS.get(need.asset_type, 'an Ouro ' + need.asset_type)}.",
        )
    if not isinstance(asset, FileAsset):
        return Fit(True)
    decl = need.declaration
    ext = (asset.extension or _extension(asset.name)).lower().lstrip(".")
    if decl.file_extensions and ext not in decl.file_extensions:
        return Fit(
            False,
            f"{name} is {file_kind_text(asset)}, but {where} takes {accepted_types_text(decl)}.",
        )
    if decl.input_filter and not decl.file_extensions:
        mime = _mime_of(asset)
        group = FILTER_MIME.get(decl.input_filter)
        ok = mime in group if group else mime.split("/")[0] == decl.input_filter
        if not ok:
            wanted = _FILTER_WORDS.get(decl.input_filter, decl.input_filter)
            return Fit(False, f"{name} is {file_kind_text(asset)}, but {where} takes {wanted}.")
    return Fit(True)


def _asset_type(asset: AnyAsset) -> str:
    if isinstance(asset, FileAsset):
        return "file"
    if isinstance(asset, DatasetAsset):
        return "dataset"
    if isinstance(asset, PostAsset):
        return "post"
    assert isinstance(asset, AssetSummary)
    return asset.asset_type


def _asset_name(asset: AnyAsset) -> str:
    return asset.name or asset.id


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1] if "." in name else ""


def required_inputs(route: Route) -> list[str]:
    """Keys of the asset inputs a run cannot go without (required in the body schema):
    each such drop zone says "required"."""
    return [k for k in route.input_assets if asset_input_required(route, k)]
