"""Drafting a plan file from a published action plan (.docx, or the text extracted from its PDF).

`draft_plan(path)` reads the document, lines up its table's paragraphs with their owners and
target dates, and returns a `Draft` whose uncertain readings carry `note = "check: ..."`.
"""

from store.drafting.reading import DraftError, draft_plan
from store.drafting.model import Draft

__all__ = ["Draft", "DraftError", "draft_plan"]
