"""The file inputs of one route's form: a :class:`~.drop_zone.DropZone` per declared input.

:class:`FileInputs` holds the zones in declaration order (primary input first) and
re-emits their signals with the input's key, so the run controller connects once. It
answers what Run needs (the asset ids of finished uploads, the required inputs still
missing), what the form memory keeps (:meth:`FileInputs.remembered`), and lets a file
dropped on the window that fits several inputs be placed in context
(:meth:`FileInputs.offer_choice`: a "Use … here" button in each candidate zone).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ouro_desktop.api.models import InputDeclaration
from ouro_desktop.core.file_checks import CheckedFile
from ouro_desktop.core.form_memory import RememberedFile
from ouro_desktop.ui.run.form.drop_zone import Chooser, DropZone, ZoneState

__all__ = ["FileInputs"]


class FileInputs(QWidget):
    """The drop zones of one route, in declaration order (primary input first)."""

    files_dropped = Signal(str, list)  # key, raw items (dropped or picked with Browse…)
    batch_dropped = Signal(str, list)  # key, a folder or several files: run on each
    choose_remote_requested = Signal(str)
    cancel_requested = Signal(str)
    retry_requested = Signal(str)
    removed = Signal(str)
    remove_clicked = Signal(str)  # Remove pressed on a zone, before it lets go
    changed = Signal(str)  # key: a zone took, lost or finished a file

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._zones: dict[str, DropZone] = {}
        self._chooser: Chooser | None = None  # Browse…'s dialog (a stand-in in tests)
        self.start_folder = ""  # where Browse… opens: the folder of the last file chosen
        # Makes the zone for a declaration (the run panel hands in one that also makes
        # dataset and post zones, see asset_zones.make_zone).
        self.zone_factory: Callable[..., DropZone] = DropZone
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(8)
        self._layout.addStretch(1)
        self.setVisible(False)

    def set_declarations(
        self,
        decls: Mapping[str, InputDeclaration],
        required: Iterable[str] = (),
        labels: Mapping[str, tuple[str, str]] | None = None,
    ) -> None:
        """Replace the zones: one per declaration; none (and hidden) for an empty mapping.
        ``labels`` gives each input's (title, description) from the route's schema."""
        for zone in self._zones.values():
            self._layout.removeWidget(zone)
            zone.hide()
            zone.deleteLater()
        self._zones = {}
        needed = set(required)
        ordered = sorted(decls.values(), key=lambda d: not d.primary)  # stable: primary first
        for decl in ordered:
            title, description = (labels or {}).get(decl.key, ("", ""))
            zone = self.zone_factory(
                decl,
                required=decl.key in needed,
                title=title,
                description=description,
                chooser=self._chooser,
                parent=self,
            )
            zone.start_folder = self.start_folder
            zone.files_dropped.connect(self.files_dropped)
            zone.batch_dropped.connect(self.batch_dropped)
            zone.batch_enabled = True
            zone.state_changed.connect(self.changed)
            zone.choose_remote_requested.connect(self.choose_remote_requested)
            zone.cancel_requested.connect(self.cancel_requested)
            zone.retry_requested.connect(self.retry_requested)
            zone.removed.connect(self.removed)
            zone.remove_clicked.connect(self.remove_clicked)
            zone.files_dropped.connect(self._on_zone_files_dropped)
            self._layout.insertWidget(self._layout.count() - 1, zone)
            self._zones[decl.key] = zone
        self.setVisible(bool(self._zones))

    @property
    def chooser(self) -> Chooser | None:
        return self._chooser

    @chooser.setter
    def chooser(self, chooser: Chooser | None) -> None:
        """How Browse… picks a file (None: the file dialog); a stand-in in tests."""
        self._chooser = chooser
        for zone in self._zones.values():
            zone.chooser = chooser

    def zone(self, key: str) -> DropZone:
        return self._zones[key]

    def remembered(self) -> dict[str, RememberedFile]:
        """What each input holds, to keep for the next visit: the asset id of a finished
        upload, and the local file it came from (a file not uploaded yet: its path only)."""
        out: dict[str, RememberedFile] = {}
        for key, zone in self._zones.items():
            checked = zone.checked_file
            path = str(checked.path) if checked is not None else None
            if zone.asset_id is not None:
                out[key] = RememberedFile(zone.uploaded_name or key, zone.asset_id, path)
            elif checked is not None and zone.holds_file:
                out[key] = RememberedFile(checked.name, None, path)
        return out

    def zones(self) -> dict[str, DropZone]:
        return dict(self._zones)

    def keys(self) -> list[str]:
        return list(self._zones)

    def asset_ids(self) -> dict[str, str]:
        """``{key: asset_id}`` for the inputs whose upload finished (or was reused)."""
        return {k: z.asset_id for k, z in self._zones.items() if z.asset_id is not None}

    def filled_keys(self) -> list[str]:
        """Inputs holding a file (in any state but empty/rejected): ``check_many(taken=…)``."""
        free = (ZoneState.EMPTY, ZoneState.REJECTED)
        return [k for k, z in self._zones.items() if z.state not in free]

    def missing_required(self, required_keys: Iterable[str]) -> list[str]:
        """Required inputs with no uploaded asset yet, in the order given."""
        ids = self.asset_ids()
        return [k for k in required_keys if k in self._zones and k not in ids]

    def busy(self) -> bool:
        """Whether a file is still being checked or uploaded (Run waits for it)."""
        return any(
            z.state in (ZoneState.CHECKING, ZoneState.UPLOADING) for z in self._zones.values()
        )

    def offer_choice(self, checked: CheckedFile, keys: Iterable[str]) -> None:
        """Let the user place a file that fits several inputs: a button in each of them."""
        for key in keys:
            if key in self._zones:
                self._zones[key].offer(checked)

    def _on_zone_files_dropped(self, key: str, items: list[str]) -> None:
        if len(items) == 1 and not items[0].startswith(("http:", "https:")):
            self.start_folder = str(Path(items[0]).parent)
            for zone in self._zones.values():
                zone.start_folder = self.start_folder
        # Whatever was dropped on this zone settles any pending offers it held, and a
        # file placed through an offer is no longer offered elsewhere.
        self._zones[key].withdraw_offer()
        for item in items:
            for zone in self._zones.values():
                zone.withdraw_offer(item)
