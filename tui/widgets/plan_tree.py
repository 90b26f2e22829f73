"""The tree of region → addressee → recommendation → action, filled lazily one level at a time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
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
from tui.widgets.repaint import relabel


class PlanTree(Tree[NodeKey]):
    """The plans as a tree. Attributes come down (fill, relabel); messages go up."""

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

    # -- what the screen calls -------------------------------------------------------------
    def rebuild(self, children: Children, expanded: set[NodeKey] | None, cursor: NodeKey | None) -> None:
        """Replace the whole tree with `children` (by parent key); expand `expanded` (None: all loaded)."""
        self.clear()
        self.items.clear()
        self.nodes_by_key = {ROOT: self.root}
        self.loaded = set()
        self._fill(self.root, children, expanded)
        self.root.expand()
        target = self.nodes_by_key.get(cursor) if cursor else None
        if target is None:
            target = next(iter(self.root.children), None)
        if target is not None:
            self.call_after_refresh(self._go_to, target)

    def _go_to(self, node: TreeNode[NodeKey]) -> None:
        self.move_cursor(node)
        self.scroll_to_node(node, animate=False)
        if node.data is not None:
            self.post_message(self.NodeChosen(node.data, self.items.get(node.data)))

    def _fill(self, node: TreeNode[NodeKey], children: Children, expanded: set[NodeKey] | None) -> None:
        key = node.data or ROOT
        items = children.get(key)
        if items is None:
            return
        self.loaded.add(key)
        node.remove_children()
        colours = self.app.theme_variables
        for item in items:
            child_key = NodeKey.of(item)
            self.items[child_key] = item
            if isinstance(item, ActionRow):
                child = node.add_leaf(action_label(item, colours), data=child_key)
            else:
                child = node.add(self._label(item, colours), data=child_key)
            self.nodes_by_key[child_key] = child
            if child_key in children:
                self._fill(child, children, expanded)
                if expanded is None or child_key in expanded:
                    child.expand()

    def fill(self, key: NodeKey, items: list[Item]) -> None:
        """Load the children of one branch (after BranchExpanded)."""
        node = self.nodes_by_key.get(key)
        if node is not None:
            self._fill(node, {key: items}, set())

    def update_item(self, item: Item) -> None:
        """Show new data for one loaded node (a status change, new progress)."""
        key = NodeKey.of(item)
        node = self.nodes_by_key.get(key)
        if node is None:
            return
        self.items[key] = item
        relabel(self, node, self._label(item, self.app.theme_variables))  # its own line only, not the lines below

    def update_progress(self, key: NodeKey, progress: Progress) -> None:
        """New counts for a region, addressee or recommendation."""
        item = self.items.get(key)
        if item is not None and not isinstance(item, ActionRow):
            self.update_item(replace(item, progress=progress))

    def relabel(self) -> None:
        """Build every label again (after a theme change)."""
        colours = self.app.theme_variables
        for key, item in self.items.items():
            node = self.nodes_by_key.get(key)
            if node is not None:
                node.set_label(self._label(item, colours))

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

    # -- labels ----------------------------------------------------------------------------
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
        if key is not None:
            self.post_message(self.NodeChosen(key, self.items.get(key)))

    def on_tree_node_selected(self, event: Tree.NodeSelected[NodeKey]) -> None:
        """Enter opens or closes a branch, and shows an action in full."""
        event.stop()
        key = event.node.data
        if key is None:
            return
        if key.kind == "action":
            self.post_message(self.ActionOpened(key))
        else:
            event.node.toggle()

    def action_expand_or_enter(self) -> None:
        """Right arrow: open the branch, or step into it if open."""
        node = self.cursor_node
        if node is None or not node.allow_expand:
            return
        if not node.is_expanded:
            node.expand()
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
