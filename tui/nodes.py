"""What a node of the plan tree stands for, without any widget: the loader and the screen share it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TypeAlias

from store.rows import (
    ActionPath,
    ActionRow,
    AddresseeNode,
    RecommendationNode,
    RegionNode,
)

Kind = Literal["root", "region", "addressee", "recommendation", "action"]
Item: TypeAlias = RegionNode | AddresseeNode | RecommendationNode | ActionRow


@dataclass(frozen=True, slots=True)
class NodeKey:
    """What a tree node stands for: its level and the id (or region name) at that level."""

    kind: Kind
    id: str | int

    @staticmethod
    def of(item: Item) -> NodeKey:
        """The key of a loaded item."""
        if isinstance(item, RegionNode):
            return NodeKey("region", item.region)
        if isinstance(item, AddresseeNode):
            return NodeKey("addressee", item.id)
        if isinstance(item, RecommendationNode):
            return NodeKey("recommendation", item.id)
        return NodeKey("action", item.id)

    @staticmethod
    def above(path: ActionPath) -> list[NodeKey]:
        """The region, addressee and recommendation branches above an action, top down."""
        return [NodeKey("region", path.region), NodeKey("addressee", path.addressee_id),
                NodeKey("recommendation", path.recommendation_id)]


ROOT = NodeKey("root", "")
Children = Mapping[NodeKey, list[Item]]
