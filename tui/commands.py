"""The command palette: every key of the main screen and of the app, and each theme, by a human name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

from themes import ORDER, title

REPORT_FORMATS = (("xlsx", "Excel (xlsx)"), ("csv", "CSV"), ("md", "Markdown"), ("html", "HTML"))


def _filters() -> list[tuple[str, str]]:
    """Each status and date filter in words, with the screen's action that sets it."""
    from store.queries import WHEN_WORDS
    from store.targets import Status
    from store.text import status_word

    return ([(status_word(status), f"filter({status.value!r}, '')") for status in Status]
            + [(words, f"filter('', {when!r})") for when, words in WHEN_WORDS.items()])


@dataclass(frozen=True, slots=True)
class Command:
    """One palette entry: its name, what it does, and how to run it."""

    name: str
    help: str
    run: Callable[[], object]


def what_it_does(target: DOMNode, binding: Binding) -> str:
    """What a key does: the first line of its action's docstring, else the binding's description."""
    method = getattr(target, f"action_{binding.action.split('(')[0]}", None)
    doc = (method.__doc__ or "").strip().splitlines() if method is not None else []
    return doc[0] if doc else binding.description


class ActionCommands(Provider):
    """Offers the main screen's and the app's keys by their descriptions, and the bundled themes."""

    def _commands(self) -> list[Command]:
        from tui.screens.main import MainScreen

        found: list[Command] = []
        targets: list[DOMNode] = [s for s in self.app.screen_stack if isinstance(s, MainScreen)]
        del targets[1:]
        targets.append(self.app)
        run = self.app.run_action
        for target in targets:
            for binding in target.BINDINGS:
                assert isinstance(binding, Binding)
                name = binding.action.split("(")[0]
                if name == "report":  # offered once per format below
                    continue
                if name not in getattr(target, "PANE_ACTIONS", ()) and target.check_action(name, ()):
                    found.append(Command(binding.description, what_it_does(target, binding),
                                         partial(run, binding.action, target)))
        for screen in targets[:-1]:  # the main screen, when it is there
            found += [Command("Plan: close", "Close the plan under the cursor once it is signed off, with a note",
                              partial(run, "close_plan", screen)),
                      Command("Plan: reopen", "Reopen the closed plan under the cursor (P shows closed plans)",
                              partial(run, "reopen_plan", screen))]
            found += [Command(f"Filter: {words}", f"Show only {words} actions (f and d step through; F clears)",
                              partial(run, action, screen)) for words, action in _filters()]
            found += [Command(f"Report: {name}", f"Write a progress report of what is shown, as {name}, to the "
                              "current folder", partial(run, f"report({fmt!r})", screen))
                      for fmt, name in REPORT_FORMATS]
        for theme in ORDER:
            found.append(Command(f"Theme: {title(theme)}", f"Show the {title(theme).lower()} theme; remembered",
                                 partial(run, f"use_theme({theme!r})")))
        return found

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(command.name, command.run, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.name)
            if score > 0:
                yield Hit(score, matcher.highlight(command.name), command.run, help=command.help)
