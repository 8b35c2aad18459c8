"""The route browser widgets: debounced search, paging model, badges, open by name, bookmarks,
errors in place, and painting in light and dark palettes. No network: routes come from the
demo backend's store and are fed to the widgets the way the controller will."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QWidget,
)

from ouro_desktop.api.models import Route
from ouro_desktop.core.contrast import contrast_ratio
from ouro_desktop.core.settings import RouteBookmark
from ouro_desktop.ui.common.theme import rgb, selection_colour
from ouro_desktop.ui.routes import RouteBrowser, RouteListModel, parse_route_ref, route_badges
from ouro_desktop.ui.routes.browser import SEARCH_DEBOUNCE_MS
from ouro_desktop.ui.routes.refs import ROUTE_REF_HINT
from tests.ui.palettes import dark_palette


@pytest.fixture
def routes(demo_app: Any) -> dict[str, Route]:
    """The demo catalogue's routes, by slug."""
    rows = demo_app.state.backend.store.assets(asset_types=["route"])
    found = {r.slug: r for r in (Route.from_json(row) for row in rows)}
    assert {"free-electron-dos-curve", "structure-report", "build-supercell"} <= set(found)
    return found


@pytest.fixture
def browser(qtbot: Any) -> RouteBrowser:
    widget = RouteBrowser()
    qtbot.addWidget(widget)
    widget.resize(380, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def recorder(signal: Any) -> list[tuple[Any, ...]]:
    seen: list[tuple[Any, ...]] = []
    signal.connect(lambda *args: seen.append(args))
    return seen


# -- search ----------------------------------------------------------------------------------
def test_typing_is_debounced_into_one_search(qtbot: Any, browser: RouteBrowser) -> None:
    seen = recorder(browser.search_requested)
    qtbot.keyClicks(browser.search, "dos cu")
    assert seen == []  # nothing while typing
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=2000)
    qtbot.wait(SEARCH_DEBOUNCE_MS + 150)
    assert seen == [("dos cu", "relevant")]


def test_enter_searches_at_once_and_cancels_the_pending_search(
    qtbot: Any, browser: RouteBrowser
) -> None:
    seen = recorder(browser.search_requested)
    qtbot.keyClicks(browser.search, " cif ")
    qtbot.keyClick(browser.search, Qt.Key.Key_Return)
    assert seen == [("cif", "relevant")]
    qtbot.wait(SEARCH_DEBOUNCE_MS + 150)
    assert seen == [("cif", "relevant")]
    qtbot.keyClick(browser.search, Qt.Key.Key_Return)  # Enter again refreshes
    assert len(seen) == 2


def test_sort_change_searches_again(qtbot: Any, browser: RouteBrowser) -> None:
    seen = recorder(browser.search_requested)
    qtbot.keyClicks(browser.search, "dos")
    qtbot.keyClick(browser.search, Qt.Key.Key_Return)
    browser.sort.setCurrentIndex(browser.sort.findData("popular"))
    assert seen[-1] == ("dos", "popular")
    browser.sort.setCurrentIndex(browser.sort.findData("recent"))
    assert seen[-1] == ("dos", "recent")
    assert [browser.sort.itemText(i) for i in range(3)] == ["Relevant", "Recent", "Popular"]
    browser.set_sort("relevant")  # restoring from settings does not search
    assert len(seen) == 3 and browser.current_sort() == "relevant"


def test_ctrl_k_focuses_the_search_field(qtbot: Any, browser: RouteBrowser) -> None:
    assert browser.search.placeholderText() == "Search routes"
    assert "Ctrl+K" in browser.search.toolTip()
    assert browser.search.isClearButtonEnabled()
    assert browser.search_shortcut is None  # the window owns Ctrl+K unless asked
    shortcut = browser.install_search_shortcut()
    assert browser.install_search_shortcut() is shortcut  # once only: no ambiguous twins
    assert shortcut.key().toString() == "Ctrl+K"
    assert shortcut.context() == Qt.ShortcutContext.WindowShortcut
    browser.activateWindow()
    qtbot.waitActive(browser)
    browser.open_field.setFocus()
    qtbot.keyClick(browser.open_field, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(browser.search.hasFocus, timeout=1000)


# -- model -----------------------------------------------------------------------------------
def test_model_pages_with_fetch_more(qtbot: Any, routes: dict[str, Route]) -> None:
    all_routes = list(routes.values())
    model = RouteListModel()
    seen = recorder(model.more_requested)
    model.set_results(all_routes[:3], has_more=True)
    assert model.rowCount() == 3 and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())  # still loading: not asked twice
    assert len(seen) == 1 and not model.canFetchMore(QModelIndex())
    with qtbot.waitSignal(model.rowsInserted, timeout=1000):
        model.append_results(all_routes[3:], has_more=False)
    assert model.rowCount() == len(all_routes)
    assert not model.canFetchMore(QModelIndex())
    assert [model.route_at(i) for i in range(model.rowCount())] == all_routes
    assert model.route_at(len(all_routes)) is None


def test_a_page_that_adds_nothing_ends_paging(routes: dict[str, Route]) -> None:
    all_routes = list(routes.values())
    model = RouteListModel()
    model.set_results(all_routes, has_more=True)
    model.fetchMore(QModelIndex())
    model.append_results(all_routes[:2], has_more=True)  # duplicates only
    assert model.rowCount() == len(all_routes)
    assert not model.canFetchMore(QModelIndex())


def test_the_view_asks_for_more_when_the_list_does_not_fill_it(
    qtbot: Any, browser: RouteBrowser, routes: dict[str, Route]
) -> None:
    with qtbot.waitSignal(browser.more_requested, timeout=2000):
        browser.show_results(list(routes.values())[:2], has_more=True)
    assert browser.model.loading
    browser.append_results(list(routes.values())[2:], has_more=False)
    assert browser.model.rowCount() == len(routes) and not browser.model.loading


def test_rows_fit_the_list_when_its_scroll_bar_comes_and_goes(
    qtbot: Any, browser: RouteBrowser, routes: dict[str, Route]
) -> None:
    """One result (no scroll bar), then the whole catalogue (a scroll bar takes some of
    the width): the rows narrow with the list, so no sideways scroll bar appears and the
    owner's name at the right of each row is not cut ("demc" for "demo" was seen)."""
    browser.resize(260, 500)
    view = browser.results_view
    one = list(routes.values())[:1]
    many = list(routes.values()) * 3
    for first, then in ((one, many), (many, one), (one, many)):
        browser.show_results(first, has_more=False)
        qtbot.wait(50)
        browser.show_results(then, has_more=False)
        qtbot.waitUntil(lambda then=then: view.model().rowCount() == len(then))
        qtbot.wait(50)
        assert view.horizontalScrollBar().maximum() == 0
        width = view.viewport().width()
        assert view.visualRect(view.model().index(0, 0)).width() == width


def test_roles_and_badges(routes: dict[str, Route]) -> None:
    dos, paid = routes["free-electron-dos-curve"], routes["structure-report"]
    assert route_badges(dos) == ["async", ".cif"]
    assert route_badges(paid) == ["paid $0.05/call", ".cif"]
    assert route_badges(routes["build-supercell"]) == [".cif"]
    assert route_badges(routes["formula-properties"]) == []

    model = RouteListModel()
    model.set_results([dos, paid], has_more=False)
    first = model.index(0, 0)
    assert first.data(Qt.ItemDataRole.DisplayRole) == dos.name
    assert first.data(RouteListModel.NameRole) == dos.name
    assert first.data(RouteListModel.OwnerRole) == "demo"
    assert first.data(RouteListModel.RouteRole) is dos
    assert first.data(RouteListModel.BadgesRole) == ["async", ".cif"]
    assert first.data(RouteListModel.DescriptionRole).startswith("Compute the Gaussian")
    tip = first.data(Qt.ItemDataRole.ToolTipRole)
    assert "demo/free-electron-dos-curve" in tip and "Gaussian-smeared" in tip
    assert model.index(1, 0).data(RouteListModel.BadgesRole)[0] == "paid $0.05/call"


def test_a_row_is_laid_out_once_and_a_repaint_only_draws(
    browser: RouteBrowser, routes: dict[str, Route], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scrolling and pages arriving repaint rows already drawn: their words are wrapped
    and measured once (for their texts, width and font), not at every repaint; a title
    that changes is laid out again. What a row shows is what ``data()`` says."""
    from ouro_desktop.ui.routes import delegate

    wrapped: list[str] = []
    real = delegate._wrapped  # noqa: SLF001

    def counting(text: str, *args: Any) -> list[str]:
        wrapped.append(text)
        return real(text, *args)

    monkeypatch.setattr(delegate, "_wrapped", counting)
    model = browser.model
    browser.show_results(list(routes.values()), has_more=False)
    view = browser.results_view
    view.viewport().repaint()
    assert wrapped  # the rows in view were laid out
    wrapped.clear()
    view.viewport().repaint()
    view.viewport().repaint()
    assert wrapped == []
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        assert model.row_texts(row) == (
            index.data(RouteListModel.NameRole),
            index.data(RouteListModel.OwnerRole),
            index.data(RouteListModel.DescriptionRole),
            index.data(RouteListModel.BadgesRole),
        )
    first = model.route_at(0)
    assert first is not None
    model.titler = lambda r: "A new title" if r is first else ""
    model.refresh_titles()
    view.viewport().repaint()
    assert "A new title" in wrapped


def test_badges_for_other_prices_and_inputs() -> None:
    sats = Route.from_json(
        {
            "id": "r1",
            "name": "sats",
            "user": {"username": "u"},
            "monetization": "pay-per-use",
            "price": 50,
            "price_currency": "btc",
        }
    )
    assert route_badges(sats) == ["paid 50 sats/call"]
    free_ppu = Route.from_json(
        {"id": "r2", "name": "f", "monetization": "pay-per-use", "price": 0}
    )  # pay-per-use at zero cost is not paid (ouro-protocol.md §4)
    assert route_badges(free_ppu) == []
    mixed = Route.from_json(
        {
            "id": "r3",
            "name": "m",
            "route": {
                "execution_mode": "async",
                "input_assets": {
                    "data": {"asset_type": "dataset"},
                    "a": {"asset_type": "file", "file_extensions": [".CIF", "pdb"]},
                    "b": {"asset_type": "file", "file_extensions": ["cif"]},
                },
            },
        }
    )
    assert route_badges(mixed) == ["async", "dataset", ".cif", ".pdb"]


# -- open by name ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "demo/free-electron-dos-curve",
        "  demo/free-electron-dos-curve  ",
        "https://ouro.foundation/routes/demo/free-electron-dos-curve",
        "https://ouro.foundation/routes/demo/free-electron-dos-curve/",
        "https://ouro.foundation/routes/demo/free-electron-dos-curve/docs",
        "https://ouro.foundation/routes/demo/free-electron-dos-curve?tab=runs#top",
        "http://www.ouro.foundation/routes/demo/free-electron-dos-curve/docs/",
        "ouro.foundation/routes/demo/free-electron-dos-curve",
    ],
)
def test_open_by_name_accepts_names_and_links(qtbot: Any, browser: RouteBrowser, text: str) -> None:
    assert parse_route_ref(text) == "demo/free-electron-dos-curve"
    seen = recorder(browser.open_requested)
    browser.open_field.setText(text)
    qtbot.mouseClick(browser.open_button, Qt.MouseButton.LeftButton)
    assert seen == [("demo/free-electron-dos-curve",)]
    assert not browser.open_error.isVisible()


@pytest.mark.parametrize(
    "text",
    [
        "foo",
        "a/b/c",
        "",
        "   ",
        "/demo",
        "demo/",
        "a b/c",
        "https://example.com/routes/demo/x",
        "https://ouro.foundation.example.com/routes/demo/x",
        "https://ouro.foundation/assets/demo/x",
        "https://ouro.foundation/routes/demo",
    ],
)
def test_open_by_name_rejects_other_text_with_a_message(
    qtbot: Any, browser: RouteBrowser, text: str
) -> None:
    assert parse_route_ref(text) is None
    seen = recorder(browser.open_requested)
    browser.open_field.setText(text)
    qtbot.keyClick(browser.open_field, Qt.Key.Key_Return)
    assert seen == []
    assert browser.open_error.isVisible()
    assert browser.open_error.text() == ROUTE_REF_HINT
    assert "user/route-name" in ROUTE_REF_HINT
    qtbot.keyClicks(browser.open_field, "x")  # editing clears the message
    assert not browser.open_error.isVisible()


# -- selection, bookmarks, star --------------------------------------------------------------
def test_selecting_a_result_emits_and_enter_reopens(
    qtbot: Any, browser: RouteBrowser, routes: dict[str, Route]
) -> None:
    dos = routes["free-electron-dos-curve"]
    browser.show_results([routes["structure-report"], dos], has_more=False)
    seen = recorder(browser.route_selected)
    rect = browser.results_view.visualRect(browser.model.index(1, 0))
    qtbot.mouseClick(browser.results_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert seen == [(dos.id,)]
    assert browser.selected_route() == RouteBookmark(dos.id, "demo/free-electron-dos-curve")
    qtbot.keyClick(browser.results_view, Qt.Key.Key_Return)
    assert seen == [(dos.id,), (dos.id,)]
    qtbot.keyClick(browser.results_view, Qt.Key.Key_Up)  # keyboard moves select too
    assert seen[-1] == (routes["structure-report"].id,)


def test_favourites_and_recent_show_bookmarks_and_select(
    qtbot: Any, browser: RouteBrowser, routes: dict[str, Route]
) -> None:
    dos, paid = routes["free-electron-dos-curve"], routes["structure-report"]
    assert browser.favourites.empty_label.isVisibleTo(browser.favourites)
    browser.set_favourites([RouteBookmark(dos.id, dos.full_name)])
    browser.set_recent(
        [RouteBookmark(paid.id, paid.full_name), RouteBookmark(dos.id, dos.full_name)]
    )
    assert [browser.favourites.list.item(i).text() for i in range(1)] == [dos.full_name]
    assert [browser.recent.list.item(i).text() for i in range(2)] == [
        "demo/structure-report",
        "demo/free-electron-dos-curve",
    ]
    assert not browser.favourites.empty_label.isVisibleTo(browser.favourites)
    selected = recorder(browser.route_selected)
    toggled = recorder(browser.favourite_toggled)

    browser.tabs.setCurrentWidget(browser.favourites)
    browser.favourites.list.setCurrentRow(0)
    assert selected == [(dos.id,)]
    assert browser.star_button.text() == "★ Favourite"
    assert browser.star_button.accessibleName() == "Remove from favourites"
    qtbot.mouseClick(browser.star_button, Qt.MouseButton.LeftButton)
    assert toggled == [(dos.id, dos.full_name)]
    browser.set_favourites([])  # the controller's answer updates list and star
    assert browser.star_button.text() == "☆ Favourite"

    browser.tabs.setCurrentWidget(browser.recent)
    browser.recent.list.setCurrentRow(0)
    assert selected[-1] == (paid.id,)
    assert browser.favourites.selected_route_id() is None
    assert browser.star_button.accessibleName() == "Add to favourites"
    qtbot.mouseClick(browser.star_button, Qt.MouseButton.LeftButton)
    assert toggled[-1] == (paid.id, paid.full_name)
    browser.set_favourites([RouteBookmark(paid.id, paid.full_name)])
    assert browser.star_button.text() == "★ Favourite"
    qtbot.keyClick(browser.recent.list, Qt.Key.Key_Return)  # Enter reopens
    assert selected[-1] == (paid.id,) and len(selected) == 3


def test_star_is_disabled_until_a_route_is_chosen(browser: RouteBrowser) -> None:
    assert not browser.star_button.isEnabled()
    browser.set_current_route("r-1", "alice/opened-by-name")
    assert browser.star_button.isEnabled()
    assert browser.selected_route() == RouteBookmark("r-1", "alice/opened-by-name")


# -- errors, loading, empty ------------------------------------------------------------------
def test_error_in_place_with_retry(qtbot: Any, browser: RouteBrowser) -> None:
    browser.show_loading(True)
    assert browser.loading_label.isVisible() and browser.loading_label.text() == "Loading…"
    browser.show_error("Ouro could not be reached. Check your connection.")
    assert browser.error_notice.isVisible() and not browser.loading_label.isVisible()
    assert browser.error_notice.text() == "Ouro could not be reached. Check your connection."
    with qtbot.waitSignal(browser.retry_requested, timeout=1000):
        qtbot.mouseClick(browser.retry_button, Qt.MouseButton.LeftButton)
    assert not browser.error_notice.isVisible()
    browser.show_error("again")
    browser.clear_error()
    assert not browser.error_notice.isVisible()


def test_empty_results_say_what_was_searched(
    qtbot: Any, browser: RouteBrowser, routes: dict[str, Route]
) -> None:
    qtbot.keyClicks(browser.search, "zzz")
    qtbot.keyClick(browser.search, Qt.Key.Key_Return)
    browser.show_results([], has_more=False)
    assert browser.empty_label.isVisible()
    assert browser.empty_label.text() == "No routes match “zzz”."
    browser.show_results(list(routes.values()), has_more=False)
    assert not browser.empty_label.isVisible() and browser.results_view.isVisible()


def test_every_control_has_an_accessible_name(browser: RouteBrowser) -> None:
    kinds = (QLineEdit, QComboBox, QPushButton, QAbstractItemView, QTabWidget)
    controls = [
        w for w in browser.findChildren(QWidget) if isinstance(w, kinds) and not _in_combo(w)
    ]
    assert len(controls) == 10
    unnamed = [type(w).__name__ for w in controls if not w.accessibleName()]
    assert unnamed == []


def _in_combo(widget: QWidget) -> bool:
    """The combo box's own popup list is Qt's, not one of our controls."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QComboBox):
            return True
        parent = parent.parentWidget()
    return False


# -- painting --------------------------------------------------------------------------------
def _paint(
    qtbot: Any, routes: dict[str, Route], palette: QPalette | None, out: Path
) -> tuple[QImage, RouteBrowser]:
    widget = RouteBrowser()
    qtbot.addWidget(widget)
    if palette is not None:
        widget.setPalette(palette)
    widget.resize(380, 760)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_query("dos")
    widget.show_results(list(routes.values()), has_more=False)
    widget.results_view.setCurrentIndex(widget.model.index(3, 0))
    dos = routes["free-electron-dos-curve"]
    widget.set_favourites([RouteBookmark(dos.id, dos.full_name)])
    qtbot.wait(20)
    assert not widget.grab().isNull()
    assert widget.grab().save(str(out))
    return widget.results_view.viewport().grab().toImage(), widget


def test_rows_paint_readably_in_light_and_dark(
    qtbot: Any, routes: dict[str, Route], tmp_path: Path
) -> None:
    # OURO_UI_SHOTS=/tmp keeps the screenshots (route_browser_light.png / _dark.png).
    shots = Path(os.environ.get("OURO_UI_SHOTS") or tmp_path)
    light, light_widget = _paint(qtbot, routes, None, shots / "route_browser_light.png")
    dark, dark_widget = _paint(qtbot, routes, dark_palette(), shots / "route_browser_dark.png")
    for image, widget in ((light, light_widget), (dark, dark_widget)):
        assert not image.isNull()
        pal = widget.results_view.palette()
        corner = QColor(image.pixel(QPoint(2, 2)))
        assert corner == pal.color(QPalette.ColorRole.Base)
        selected = widget.results_view.visualRect(widget.model.index(3, 0))
        pixel = QColor(image.pixel(QPoint(2, selected.center().y())))
        # The selection's colour, darkened (or lightened) until its text reads at 4.5:1.
        assert pixel == selection_colour(pal, QPalette.ColorGroup.Active)
        white = pal.color(QPalette.ColorRole.HighlightedText)
        assert contrast_ratio(rgb(white), rgb(pixel)) >= 4.5
        # Some pixel in the first row is close to the text colour: the text was drawn.
        text = pal.color(QPalette.ColorRole.Text)
        row = widget.results_view.visualRect(widget.model.index(0, 0))
        assert any(
            _close(QColor(image.pixel(QPoint(x, y))), text)
            for x in range(row.left(), min(row.right(), 200))
            for y in range(row.top(), row.top() + 24)
        )
    assert light.pixel(QPoint(2, 2)) != dark.pixel(QPoint(2, 2))


def _close(a: QColor, b: QColor, tolerance: int = 40) -> bool:
    return (
        abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) <= tolerance
    )


def test_down_in_the_search_box_goes_to_the_first_route_found(
    qtbot: Any, browser: RouteBrowser, routes: dict[str, Route]
) -> None:
    # Walk at 1366×768: "fermi", one route found, Down then Enter did nothing -- the keys
    # stayed in the search box.
    dos = routes["free-electron-dos-curve"]
    browser.activateWindow()
    qtbot.waitUntil(lambda: browser.isActiveWindow())
    browser.focus_search()
    browser.show_results([dos, routes["structure-report"]], has_more=False)
    seen = recorder(browser.route_selected)
    activated = recorder(browser.route_activated)
    qtbot.keyClick(browser.search, Qt.Key.Key_Down)
    assert browser.results_view.hasFocus()
    assert browser.results_view.currentIndex().row() == 0
    assert seen == [(dos.id,)]  # shown, as Ctrl+1 or moving in the list shows it
    qtbot.keyClick(browser.results_view, Qt.Key.Key_Return)  # and on to its form
    assert activated == [(dos.id,)]
