"""What GitHub shows of a Markdown comment or job summary, rendered by cmark-gfm, GitHub's own renderer."""

from __future__ import annotations

import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

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
    """The HTML under each <h2> heading or in each collapsed <details> section, by its heading or summary."""
    parts = re.split(r"<h2>(.*?)</h2>|<details><summary>(.*?)</summary>", html)
    names = [heading or summary for heading, summary in zip(parts[1::3], parts[2::3], strict=True)]
    return dict(zip(names, parts[3::3], strict=True))


def mermaid_blocks(markdown: str) -> list[str]:
    """The text of each ```mermaid block, which GitHub draws as a chart."""
    return re.findall(r"^```mermaid\n(.*?)^```$", markdown, re.DOTALL | re.MULTILINE)


MMDC = Path(__file__).parent.parent / "build/mermaid/node_modules/.bin/mmdc"
CHROMIUM = Path("/usr/bin/chromium")


def render_mermaid(chart: str, out: Path) -> Path:
    """The chart drawn to out (PNG) by mermaid-cli in Debian's Chromium; CalledProcessError if Mermaid refuses it."""
    assert MMDC.exists() and CHROMIUM.exists(), "mermaid-cli or Chromium missing: run `make renderers`"
    source, browser = out.with_suffix(".mmd"), out.with_name("puppeteer.json")
    source.write_text(chart, encoding="utf-8")
    browser.write_text(json.dumps({"executablePath": str(CHROMIUM), "args": ["--no-sandbox"]}), encoding="utf-8")
    subprocess.run(
        [str(MMDC), "--quiet", "-p", str(browser), "-i", str(source), "-o", str(out)],
        check=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return out


def table_rows(html: str) -> dict[str, list[str]]:
    """The rows of the tables in the HTML, by their first cell: each row's cells' inner HTML."""
    rows = [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row) for row in re.findall(r"<tr>(.*?)</tr>", html, re.DOTALL)]
    return {cells[0]: cells for cells in rows if cells}
