"""Table cells as the PDF extract prints them: `<p>` paragraphs and `<li>` bullets, or plain text."""

from __future__ import annotations

import html
import re

from store.drafting.model import Paragraph

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>")
_INLINE = re.compile(r"</?(b|i|u|em|strong|sup|sub|span|a|font)\b[^>]*>", re.IGNORECASE)
_BULLET_MARK = re.compile(r"^[•·▪◦●○■\-–]\s*")
_SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    """Entities decoded, tags and surplus spaces dropped."""
    text = _TAG.sub(" ", _INLINE.sub("", text))
    return _SPACES.sub(" ", html.unescape(text)).strip()


def strip_bullet(text: str) -> str:
    """A list item's text without the bullet character printed before it."""
    return _BULLET_MARK.sub("", text).strip()


def response_paragraphs(cell: str) -> list[Paragraph]:
    """A response cell as paragraphs, bullets kept with the paragraph they follow.

    The first paragraph is marked as going on from the row before when it starts in lower case
    or with a bare list: the page broke inside it."""
    paragraphs: list[Paragraph] = []
    mode = "bare"  # inside <p>, inside <li>, or bare text
    fresh = False  # a <p> opened and has no text yet

    def add(raw: str) -> None:
        nonlocal fresh
        text = clean(raw)
        if not text:
            return
        if mode == "li":
            if not paragraphs:
                paragraphs.append(Paragraph("", opens=False))
            paragraphs[-1].bullets.append(strip_bullet(text))
        elif mode == "p" and not fresh and paragraphs:
            paragraphs[-1].text = f"{paragraphs[-1].text} {text}".strip()
        else:
            paragraphs.append(Paragraph(text))
            fresh = False

    pos = 0
    source = _INLINE.sub("", cell)
    for match in _TAG.finditer(source):
        add(source[pos:match.start()])
        pos = match.end()
        closing, name = match.group(1) == "/", match.group(2).lower()
        if name == "p":
            mode, fresh = ("bare", False) if closing else ("p", True)
        elif name == "li":
            mode = "bare" if closing else "li"
        elif name in ("ul", "ol") and mode == "li":
            mode = "bare"
    add(source[pos:])
    if paragraphs and paragraphs[0].text[:1].islower():
        paragraphs[0].opens = False
    return paragraphs


def entries(cell: str) -> list[str]:
    """An owner or target cell as its printed entries: one per <p>, or per gap of two spaces."""
    if re.search(r"<p\b", cell, re.IGNORECASE):
        parts = re.split(r"</?p\b[^>]*>", cell, flags=re.IGNORECASE)
    else:
        parts = re.split(r"\s{2,}", cell.strip())
    return [text for text in (clean(part) for part in parts) if text]
