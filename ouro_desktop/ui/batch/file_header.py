"""The batch table's file names as its row headers, so they stay in view when it scrolls.

A route that answers many values makes a batch table wider than its window; scrolled to
the right, a plain File column went out of view and the rows could no longer be told
apart. Row headers do not scroll sideways: the file names are shown there
(:meth:`BatchTableModel.headerData` gives them for the vertical header), the File column
itself is hidden from the view (the model keeps it: export and tests read it), and the
table's top-left corner says "File" above them.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QHeaderView,
    QStyle,
    QStyleOptionHeader,
    QStylePainter,
    QTableView,
)

__all__ = ["FILE_HEADER_MAX", "FileRowHeaders"]

FILE_HEADER_MAX = 240  # pixels: a long file name is cut (whole on hover)


class FileRowHeaders(QObject):
    """Keeps ``table``'s column 0 (File) hidden and its names in the row headers."""

    def __init__(self, table: QTableView, title: str = "File") -> None:
        super().__init__(table)
        self.table = table
        self.title = title
        rows = table.verticalHeader()
        rows.setVisible(True)
        rows.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setMaximumWidth(FILE_HEADER_MAX)
        rows.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # "…-017.cif" keeps its end
        rows.setAccessibleName(title)
        self.corner = table.findChild(QAbstractButton)
        if self.corner is not None:
            self.corner.installEventFilter(self)
        model = table.model()
        model.modelReset.connect(self.hide_file_column)
        model.columnsInserted.connect(self.hide_file_column)
        self.hide_file_column()

    def hide_file_column(self) -> None:
        if self.table.model().columnCount() > 0:
            self.table.setColumnHidden(0, True)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        # The corner button paints an empty header section: paint one titled "File".
        if watched is self.corner and event.type() == QEvent.Type.Paint:
            painter = QStylePainter(self.corner)
            option = QStyleOptionHeader()
            option.initFrom(self.corner)
            option.rect = self.corner.rect()
            option.text = self.title
            option.textAlignment = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
            option.position = QStyleOptionHeader.SectionPosition.OnlyOneSection
            painter.drawControl(QStyle.ControlElement.CE_Header, option)
            return True
        return False
