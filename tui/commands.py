"""The command palette: every key of the main screen is also a command."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class ActionCommands(Provider):
    """Offers the main screen's and the app's key actions by their descriptions."""

    def _commands(self) -> list[tuple[str, str, object]]:
        from tui.screens.main import MainScreen

        found: list[tuple[str, str, object]] = []
        for screen in self.app.screen_stack:
            if isinstance(screen, MainScreen):
                for binding in screen.BINDINGS:
                    if getattr(binding, "show", True) and screen.check_action(binding.action.split("(")[0], ()):  # type: ignore[union-attr]
                        found.append((binding.description, binding.action, screen))  # type: ignore[union-attr]
        for binding in self.app.BINDINGS:
            found.append((binding.description, binding.action, self.app))  # type: ignore[union-attr]
        return found

    async def discover(self) -> Hits:
        for name, action, target in self._commands():
            yield DiscoveryHit(name, partial(target.run_action, action), help=f"action: {action}")  # type: ignore[attr-defined]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, target in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(target.run_action, action),  # type: ignore[attr-defined]
                          help=f"action: {action}")
