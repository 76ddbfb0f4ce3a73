"""What GitHub shows of a Markdown comment or job summary, rendered by cmark-gfm, GitHub's own renderer."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import cmarkgfm
from cmarkgfm.cmark import Options

# A comment or pull request body holds at most this many characters.
GITHUB_COMMENT_LIMIT = 65_536


def to_html(markdown: str) -> str:
    """The HTML GitHub makes of the Markdown (before it sanitises it: raw HTML is kept)."""
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


class _Images(HTMLParser):
    """Every <img> in rendered HTML, with its src."""

    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.sources.append(dict(attrs).get("src") or "")


def image_sources(html: str) -> list[str]:
    images = _Images()
    images.feed(html)
    return images.sources


def sections(html: str) -> dict[str, str]:
    """The HTML under each <h2> heading, by the heading's text."""
    parts = re.split(r"<h2>(.*?)</h2>", html)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def table_rows(html: str) -> dict[str, list[str]]:
    """The rows of the tables in the HTML, by their first cell: each row's cells' inner HTML."""
    rows = [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row) for row in re.findall(r"<tr>(.*?)</tr>", html, re.DOTALL)]
    return {cells[0]: cells for cells in rows if cells}
