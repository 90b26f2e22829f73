"""The tree of region → addressee → recommendation → action, filled lazily one level at a time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from store.rows import (
    ActionRow,
    AddresseeNode,
    Progress,
    RecommendationNode,
    RegionNode,
)
from tui.labels import action_label, addressee_label, recommendation_label, region_label
from tui.nodes import ROOT, Children, Item, NodeKey
from tui.widgets.repaint import (
    FramedLines,
    LinePainter,
    PaintedLines,
    follow_virtual_size,
    lay_out,
    new_node,
    relabel,
    set_children,
    set_expanded,
    set_label,
    steady_scrollbar,
    steady_virtual_size,
)

LABELS_KEPT = 5000  # labels kept for rows shown lately (a view switched back shows them again)


class PlanTree(Tree[NodeKey]):
    """The plans as a tree. Attributes come down (fill, relabel); messages go up."""

    # its lines changing in number repaint it alone: the screen is laid out only when its scrollbar shows or hides
    virtual_size = steady_virtual_size()

    BINDINGS = [
        Binding("right", "expand_or_enter", "Expand", show=False),
        Binding("left", "collapse_or_leave", "Collapse", show=False),
    ]

    @dataclass
    class BranchExpanded(Message):
        """A branch was opened whose children are not loaded yet."""

        key: NodeKey

    @dataclass
    class ActionOpened(Message):
        """Enter on an action: show it in full."""

        key: NodeKey

    @dataclass
    class NodeChosen(Message):
        """The cursor moved to a node."""

        key: NodeKey
        item: Item | None

    def __init__(self, **kwargs: object) -> None:
        super().__init__(Text("Plans"), data=ROOT, **kwargs)  # type: ignore[arg-type]
        self.show_root = False
        self.guide_depth = 3
        self.auto_expand = False
        self.items: dict[NodeKey, Item] = {}
        self.nodes_by_key: dict[NodeKey, TreeNode[NodeKey]] = {}
        self.loaded: set[NodeKey] = set()
        self._chosen: NodeKey | None = None  # the node last reported chosen (NodeChosen)
        # labels of rows shown lately, in the theme's colours: a filter switched off again shows the same rows
        self._labels: dict[Item, Text] = {}
        self._painter: LinePainter | None = None  # what every line of the repaint under way shares: its style, guides
        self._painted = PaintedLines()
        self._styles_cache = FramedLines()  # its lines framed with the border's sides worked out once per repaint
        self._opening: set[NodeKey] = set()  # branches asked open whose children are being read

    # -- what the screen calls -------------------------------------------------------------
    def rebuild(self, children: Children, expanded: set[NodeKey] | None, cursor: NodeKey | None) -> None:
        """Show `children` (by parent key) as the whole tree; expand `expanded` (None: all loaded). Nodes
        whose row is unchanged are kept as they are (a label is built only for a new or changed row), and the
        lines are laid out once. The cursor goes to `cursor` if it is shown, else to the first row."""
        old, rows = self.nodes_by_key, self.items
        self.items, self.nodes_by_key, self.loaded = {}, {ROOT: self.root}, set()
        changed = self._sync(self.root, children, expanded, old, rows)
        changed = set_expanded(self.root, True) or changed
        target = self.nodes_by_key.get(cursor) if cursor else None
        if target is None:
            target = next(iter(self.root.children), None)
        if not changed and target is self.cursor_node:
            return  # the same rows in the same places: nothing to repaint
        lay_out(self, target)
        if target is not None:
            if self.size.height:  # laid out: the cursor's line is shown with the rest, in one repaint
                self._shown(target)
            else:
                self.call_after_refresh(self._go_to, target)

    def _go_to(self, node: TreeNode[NodeKey]) -> None:
        self.move_cursor(node)
        self._shown(node)

    def _shown(self, node: TreeNode[NodeKey]) -> None:
        """Scroll to the cursor's node and say it is chosen (unless it was already)."""
        self.scroll_to_node(node, animate=False)
        if node.data is not None and node.data != self._chosen:
            self._chosen = node.data
            self.post_message(self.NodeChosen(node.data, self.items.get(node.data)))

    def _sync(self, node: TreeNode[NodeKey], children: Children, expanded: set[NodeKey] | None,
              old: Mapping[NodeKey, TreeNode[NodeKey]], rows: Mapping[NodeKey, Item]) -> bool:
        """Give `node` the children listed for it (none if its branch is not loaded), reusing its own child
        nodes (`old`, showing `rows`) where the key is the same, relabelled only where the row changed. False
        if nothing under `node` changed."""
        key = node.data or ROOT
        items = children.get(key)
        if items is None:
            return set_children(node, [])
        self.loaded.add(key)
        colours = self.app.theme_variables
        changed = False
        kids: list[TreeNode[NodeKey]] = []
        for item in items:
            child_key = NodeKey.of(item)
            child = old.get(child_key)
            if child is not None and child.parent is node and child_key not in self.nodes_by_key:
                if rows.get(child_key) != item:
                    set_label(self, child, self._cached_label(item, colours))
                    changed = True
            else:
                child = new_node(self, node, self._cached_label(item, colours), child_key,
                                 leaf=isinstance(item, ActionRow))
            self.items[child_key] = item
            self.nodes_by_key[child_key] = child
            kids.append(child)
            if not isinstance(item, ActionRow):
                changed = self._sync(child, children, expanded, old, rows) or changed
                opened = child_key in children and (expanded is None or child_key in expanded)
                changed = set_expanded(child, opened) or changed
        return set_children(node, kids) or changed

    def fill(self, key: NodeKey, items: list[Item]) -> None:
        """Load the children of one branch (after BranchExpanded); a branch asked open (`open_branch`) opens
        with them, in the same layout."""
        node = self.nodes_by_key.get(key)
        opening = key in self._opening
        self._opening.discard(key)
        if node is not None:
            changed = self._sync(node, {key: items}, set(), {}, {})
            if (set_expanded(node, True) if opening else False) or changed:
                lay_out(self, self.cursor_node)

    def open_branch(self, node: TreeNode[NodeKey]) -> None:
        """Open a branch. One whose children are not loaded opens when they come (`fill`): the tree is laid out
        and painted once, with them, rather than once open and empty and once more with them."""
        key = node.data
        if key is None or key.kind == "action" or key in self.loaded:
            node.expand()
        elif key not in self._opening:
            self._opening.add(key)
            self.post_message(self.BranchExpanded(key))

    def update_item(self, item: Item) -> None:
        """Show new data for one loaded node (a status change, new progress)."""
        key = NodeKey.of(item)
        node = self.nodes_by_key.get(key)
        if node is None:
            return
        self.items[key] = item
        relabel(self, node, self._cached_label(item, self.app.theme_variables))  # its own line only

    def update_progress(self, key: NodeKey, progress: Progress) -> None:
        """New counts for a region, addressee or recommendation."""
        item = self.items.get(key)
        if item is not None and not isinstance(item, ActionRow):
            self.update_item(replace(item, progress=progress))

    def relabel(self) -> None:
        """Build every label again (after a theme change), the lines laid out once."""
        self._labels.clear()
        colours = self.app.theme_variables
        for key, item in self.items.items():
            node = self.nodes_by_key.get(key)
            if node is not None:
                set_label(self, node, self._cached_label(item, colours))
        lay_out(self, self.cursor_node)

    def shown(self) -> dict[NodeKey, list[Item]]:
        """The children of every loaded branch, as `rebuild` takes them."""
        return {key: [self.items[child.data] for child in self.nodes_by_key[key].children if child.data is not None]
                for key in self.loaded if key in self.nodes_by_key}

    @property
    def fully_loaded(self) -> bool:
        """Whether every branch in the tree has its children loaded (the whole view is at hand)."""
        return all(key in self.loaded for key in self.items if key.kind != "action")

    def expanded_keys(self) -> set[NodeKey]:
        """The keys of the branches open now."""
        return {k for k, node in self.nodes_by_key.items() if node.is_expanded and k != ROOT}

    def reveal(self, keys: Iterable[NodeKey]) -> bool:
        """Open the branches along `keys` and put the cursor on the last; False if it is not shown."""
        node: TreeNode[NodeKey] | None = None
        for key in keys:
            node = self.nodes_by_key.get(key)
            if node is None:
                return False
            if node.allow_expand:
                node.expand()
        if node is None:
            return False
        self.call_after_refresh(self._go_to, node)
        return True

    @property
    def cursor_key(self) -> NodeKey | None:
        """The key under the cursor."""
        node = self.cursor_node
        return node.data if node is not None else None

    # -- painting --------------------------------------------------------------------------
    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """Its scrollbar keeps its place, blank while nothing scrolls (with the stylesheet's `overflow-y: scroll`)."""
        return steady_scrollbar(self)

    def watch_virtual_size(self, size: Size) -> None:
        follow_virtual_size(self, size)

    def render_lines(self, crop: Region) -> list[Strip]:
        self._painter = LinePainter(self, self.rich_style)  # the style is the same for every line of one repaint
        try:
            return super().render_lines(crop)
        finally:
            self._painter = None

    def render_line(self, y: int) -> Strip:
        painter = self._painter
        return self._painted.line(self, y, self.rich_style if painter is None else painter.base_style)

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        """Line `y` as Textual's Tree paints it (`LinePainter`: the same segments, in less time)."""
        painter = self._painter
        if painter is None or painter.base_style != base_style:
            painter = LinePainter(self, base_style)  # a line asked for outside a repaint
        return painter.paint(y).crop(x1, x2)

    def notify_style_update(self) -> None:
        """The tree's colours changed (a theme): its lines were painted in the old ones."""
        super().notify_style_update()
        self._painted.clear()

    # -- labels ----------------------------------------------------------------------------
    def process_label(self, label: str | Text) -> Text:
        """A label as the tree shows it: ours are one line of `Text` already (never markup)."""
        if isinstance(label, Text) and "\n" not in label.plain:
            return label
        return super().process_label(label)

    def _cached_label(self, item: Item, colours: Mapping[str, str]) -> Text:
        """The label of a row, built once while the theme stays (a few thousand rows at most are kept)."""
        label = self._labels.get(item)
        if label is None:
            if len(self._labels) >= LABELS_KEPT:
                self._labels.clear()
            label = self._labels[item] = self._label(item, colours)
        return label

    def get_label_width(self, node: TreeNode[NodeKey]) -> int:
        """The label's width with its expand icon, counted without rendering it (Textual's default renders
        every label in view to measure it, at every change of the tree)."""
        icon = (self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE) if node.allow_expand else ""
        return cell_len(icon) + node.label.cell_len  # type: ignore[union-attr]

    @staticmethod
    def _label(item: Item, colours: Mapping[str, str]) -> Text:
        if isinstance(item, RegionNode):
            return region_label(item, colours)
        if isinstance(item, AddresseeNode):
            return addressee_label(item, colours)
        if isinstance(item, RecommendationNode):
            return recommendation_label(item, colours)
        return action_label(item, colours)

    # -- events ----------------------------------------------------------------------------
    def on_tree_node_expanded(self, event: Tree.NodeExpanded[NodeKey]) -> None:
        event.stop()
        key = event.node.data
        if key is not None and key not in self.loaded and key.kind != "action":
            self.post_message(self.BranchExpanded(key))

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[NodeKey]) -> None:
        event.stop()
        key = event.node.data
        if key is not None and key != self._chosen:  # not when a reload moved the same node to another line
            self._chosen = key
            self.post_message(self.NodeChosen(key, self.items.get(key)))

    def on_tree_node_selected(self, event: Tree.NodeSelected[NodeKey]) -> None:
        """Enter opens or closes a branch, and shows an action in full."""
        event.stop()
        key = event.node.data
        if key is None:
            return
        if key.kind == "action":
            self.post_message(self.ActionOpened(key))
        elif event.node.is_expanded:
            event.node.collapse()
        else:
            self.open_branch(event.node)

    def action_expand_or_enter(self) -> None:
        """Right arrow: open the branch, or step into it if open."""
        node = self.cursor_node
        if node is None or not node.allow_expand:
            return
        if not node.is_expanded:
            self.open_branch(node)
        elif node.children:
            self.move_cursor(node.children[0])

    def action_collapse_or_leave(self) -> None:
        """Left arrow: close the branch, or go up to its parent if closed (or a leaf)."""
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and node.is_expanded:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)
