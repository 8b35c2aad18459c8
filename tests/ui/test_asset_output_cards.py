"""A dataset's output card pages through one shared board; a post's card shows its text.

No backend: the board's requests are recorded and answered as the controller would, so
what the cards do while a page is on its way, when it comes and when it fails is checked
on both cards of one output (the result view's and the Outputs tab's).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from ouro_desktop.core.asset_outputs import PostContent, RowsPage
from ouro_desktop.ui.results.outputs_view import OutputBoard, OutputCard, OutputItem
from ouro_desktop.ui.results.post_text import PostText
from ouro_desktop.ui.results.rows_table import PagedRows

COLUMNS = (("volume_a3", "number"), ("residual_mev", "number"))


def _item(asset_type: str, name: str, suggested: str) -> OutputItem:
    return OutputItem(
        key="out",
        asset_id=f"{asset_type}-1",
        asset_type=asset_type,
        name=name,
        extension="",
        mime="",
        size=None,
        suggested_name=suggested,
    )


def _page(offset: int, count: int, total: int = 120) -> RowsPage:
    rows = tuple((40.0 + i, 0.1 * i) for i in range(offset, offset + count))
    return RowsPage(COLUMNS, rows, offset, total, offset + count < total)


def test_dataset_cards_page_together_and_keep_their_page_on_a_failure(qtbot: Any) -> None:
    board = OutputBoard()
    item = _item("dataset", "Cu residuals", "Cu residuals.csv")
    board.reset([item])
    asked: list[tuple[str, str]] = []
    pages: list[tuple[str, str, int]] = []
    board.preview_requested.connect(lambda a, f: asked.append((a, f)))
    board.page_requested.connect(lambda a, f, o: pages.append((a, f, o)))
    first, second = OutputCard(item, board), OutputCard(item, board)
    for card in (first, second):
        qtbot.addWidget(card)
    assert asked == [("dataset-1", "dataset")]  # the first page asked once for both cards
    assert first.save_button.text() == "Save as CSV…" and first.save_button.isVisibleTo(first)
    assert not first.open_button.isVisibleTo(first)
    assert first.status_label.text() == "Preparing the preview…"

    board.set_preview(item.asset_id, _page(0, 50))
    rows = first.preview
    assert isinstance(rows, PagedRows) and isinstance(second.preview, PagedRows)
    assert rows.range_label.text() == "Rows 1–50 of 120" == second.preview.range_label.text()
    assert first.status_label.isHidden()

    rows.next_button.click()
    assert pages == [("dataset-1", "dataset", 50)]
    for card in (first, second):  # the page on show stays, its buttons wait
        assert isinstance(card.preview, PagedRows)
        assert card.preview.range_label.text() == "Reading rows…" and card.preview.reading
        assert card.preview.next_button.isEnabled()  # Next keeps the keyboard focus
        assert card.status_label.isHidden()  # not "Preparing the preview…" again
    rows.next_button.click()  # a second click while the page is on its way asks nothing
    assert len(pages) == 1

    board.set_preview(item.asset_id, _page(50, 50))
    assert second.preview.range_label.text() == "Rows 51–100 of 120"
    # A run's dataset reads like its answer: titles with units, rounded numbers (no key
    # of the route's schema here: the stored names humanised), exact values on hover.
    model = second.preview.table.rows_model
    assert model.column_headers() == ["Volume (Å³)", "Residual (meV)"]
    assert model.cell(0, 0) == "90" and model.cell(1, 1) == "5.1"
    assert model.cell(3, 1) == "5.3"  # 0.1 × 53 is 5.300000000000001: binary noise
    assert model.index(3, 1).data(Qt.ItemDataRole.ToolTipRole) == "5.300000000000001"
    assert model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == (
        "volume_a3 · numbers"
    )

    rows.next_button.click()
    board.set_preview_failed(item.asset_id, "Those rows could not be read: the server is down.")
    assert rows.range_label.text() == "Rows 51–100 of 120"  # the last page shown, usable
    assert rows.next_button.isEnabled() and rows.previous_button.isEnabled()
    assert not rows.reading
    assert first.note_label.text() == "⚠ Those rows could not be read: the server is down."

    rows.previous_button.click()
    assert pages[-1] == ("dataset-1", "dataset", 0)
    board.set_preview(item.asset_id, _page(0, 50))
    assert first.note_label.isHidden() and rows.range_label.text() == "Rows 1–50 of 120"

    # A save's progress leaves the page as it is (no reset of the table per chunk).
    resets: list[int] = []
    rows.table.rows_model.modelReset.connect(lambda: resets.append(1))
    board.set_progress(item.asset_id, 10, 100)
    board.set_saved(item.asset_id, "/tmp/Cu residuals.csv")
    assert resets == [] and first.status_label.text() == "Saved to /tmp/Cu residuals.csv"


def test_post_card_shows_the_text_rendered_and_saves_as_text(qtbot: Any) -> None:
    board = OutputBoard()
    item = _item("post", "NaCl report", "NaCl report.md")
    board.reset([item])
    saves: list[tuple[str, str]] = []
    board.save_requested.connect(lambda a, n: saves.append((a, n)))
    card = OutputCard(item, board)
    qtbot.addWidget(card)
    assert card.details_label.text() == "post (text)"
    board.set_preview(item.asset_id, PostContent("NaCl report", "# NaCl\n\n<b>rock</b> salt"))
    assert isinstance(card.preview, PostText)
    shown = card.preview.toPlainText()
    assert "NaCl" in shown and "#" not in shown and "<b>rock</b>" in shown  # no HTML read
    assert card.save_button.text() == "Save as text…"
    card.save_button.click()
    assert saves == [("post-1", "NaCl report.md")]


def test_the_last_page_reached_from_the_keyboard_leaves_the_focus_on_previous(
    qtbot: Any,
) -> None:
    board = OutputBoard()
    item = _item("dataset", "Cu residuals", "Cu residuals.csv")
    board.reset([item])
    card = OutputCard(item, board)
    qtbot.addWidget(card)
    card.show()
    qtbot.waitExposed(card)
    board.set_preview(item.asset_id, _page(50, 50))
    rows = card.preview
    assert isinstance(rows, PagedRows)
    card.activateWindow()
    rows.next_button.setFocus()
    qtbot.waitUntil(rows.next_button.hasFocus)
    board.want_page(item, 100)
    board.set_preview(item.asset_id, _page(100, 20))
    assert not rows.next_button.isEnabled()
    assert rows.previous_button.hasFocus()


def test_a_long_post_is_read_from_its_start(qtbot: Any) -> None:
    board = OutputBoard()
    item = _item("post", "Report", "Report.md")
    board.reset([item])
    card = OutputCard(item, board)
    qtbot.addWidget(card)
    board.set_preview(
        item.asset_id,
        PostContent("Report", "# Report\n\n" + "\n\n".join(f"Paragraph {i}." for i in range(60))),
    )
    card.resize(400, 300)
    card.show()
    qtbot.waitExposed(card)
    text = card.preview
    assert isinstance(text, PostText)
    bar = text.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
