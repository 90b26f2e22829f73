"""Drafting a plan file from a published action plan (.docx, or the text extracted from its PDF).

`draft_plan(path)` reads the document, lines up its table's paragraphs with their owners and
target dates, and returns a `Draft` whose uncertain readings carry `note = "check: ..."`.
"""

from store.drafting.model import Draft, DraftError
from store.drafting.reading import draft_plan

__all__ = ["Draft", "DraftError", "draft_plan"]
