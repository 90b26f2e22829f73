"""Repainting less than Textual's public calls do: the one module that reaches into Textual's internals.

A key that changes one action should repaint what changed and nothing else (one layout pass at most).
Two public calls do more than that in Textual 8.2:

- `TreeNode.set_label` repaints the node's line and every visible line under it, each built again:
  relabelling a region's counts rebuilt the whole tree. `relabel` repaints the node's own line only.
- `Footer` builds all its keys again (~30 ms) whenever its screen's bindings may have changed: each time
  another screen covers it or uncovers it. `SteadyFooter` builds them again only when what it shows changes.
- Setting `Widget.virtual_size` always asks for a layout of the screen, even when the scrollbars stay
  as they are. `resize_virtual` lays out only when they change; `steady_virtual_size` does the same for a
  widget that sets its own virtual size (an OptionList whose options change in number).

Both use private attributes; `tests/test_repaint.py` checks them against the installed Textual and
fails on an upgrade that moves them. An upstream fix (a label-only refresh in Tree) is the better end.
"""

from __future__ import annotations

from typing import Any, TypeVar

from rich.text import Text
from textual.geometry import Size
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Tree
from textual.widgets.tree import TreeNode

T = TypeVar("T")

# The Textual versions these internals were read in (the test fails on any other, to be read again).
CHECKED_WITH = ("8.2.8",)


def relabel(tree: Tree[T], node: TreeNode[T], label: Text) -> None:
    """Give `node` a new label and repaint its own line only (its children's lines do not change)."""
    node._label = tree.process_label(label)
    node._updates += 1  # part of the line cache's key: the node's line is built again when painted
    if tree._tree_lines_cached is None:
        return  # the tree is being rebuilt: every line will be painted anyway
    line = node._line
    if line >= 0:
        tree._refresh_line(line)


def resize_virtual(widget: Widget, size: Size) -> None:
    """Set a scrolling widget's virtual size; the screen is laid out again only if a scrollbar shows or hides."""
    if widget.virtual_size == size:
        return
    widget.set_reactive(Widget.virtual_size, size)
    widget._scroll_update(size)  # updates the scrollbars; showing or hiding one asks for a layout itself


def steady_virtual_size() -> Reactive[Size]:
    """A widget's `virtual_size`, declared in its class (`virtual_size = steady_virtual_size()`), whose changes
    ask for a repaint and not for a layout of the screen, however they are made (an OptionList sets its own);
    the scrollbars' update still lays out when one shows or hides."""
    return Reactive(Size(0, 0), layout=False)


class SteadyFooter(Footer):
    """Textual's Footer, whose keys are built again only when the keys it shows change (which, their key, words,
    whether they apply), not each time its screen's bindings are announced as perhaps changed."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._shown: object = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        shown = (screen.app.app_focus, [(binding.key, self.app.get_key_display(binding), binding.description,
                                         binding.action, binding.group, enabled, tooltip)
                                        for _, binding, enabled, tooltip in screen.active_bindings.values()
                                        if binding.show])
        if shown == self._shown and self._bindings_ready:
            return
        self._shown = shown
        super().bindings_changed(screen)
