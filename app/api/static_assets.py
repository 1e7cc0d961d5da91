"""The static files the service serves, built once and kept in memory with a gzip copy and a content hash.

The widget is one script for embedders but several modules here (texts, settings, history, answer rendering,
sharing, speech, asking, the panel): `build_widget_bundle` minifies them and concatenates them in order inside
one closure, with the stylesheet inlined as a string the script adopts into its shadow root, so a phone fetches
one file and no Node build is needed. The English texts are a second, content-named file that only English
embeds fetch. A source file edited on disk is picked up at the next request (its mtime changes).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

JS = "text/javascript; charset=utf-8"
WIDGET_BOOT = "widget-boot.js"
WIDGET_MODULES = (
    "widget-strings.js", "widget-core.js", "widget-settings.js", "widget-history.js", "widget-answer.js",
    "widget-share.js", "widget-speech.js", "widget-ask.js", "widget-panel.js",
)
WIDGET_STRINGS_EN = "widget-strings-en.js"
WIDGET_STYLES = "widget.css"
BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
JS_TOKEN = re.compile(r"""
    (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<comment>/\*.*?\*/|//[^\n]*)
  | (?P<space>\s+)
  | (?P<word>[\w$]+)
  | (?P<other>.)
""", re.DOTALL | re.VERBOSE)
JS_REGEX = re.compile(r"/(?:[^/\\\[\n]|\\.|\[(?:[^\]\\\n]|\\.)*\])+/[a-z]*")
WORD_CHAR = re.compile(r"[\w$]")
SIGNS = ("++", "--", "+-", "-+")  # "a + +b" must not become "a++b"
# after these a "/" starts a regular expression, elsewhere it divides
BEFORE_REGEX = frozenset("(,=:[!&|?{};+-*%<>~^") | {"return", "typeof"}


@dataclass(frozen=True)
class Asset:
    """A file's bytes as served, their gzip copy and a validator."""

    body: bytes
    gzipped: bytes
    media_type: str
    etag: str

    @property
    def digest(self) -> str:
        """The content hash, for file names."""
        return self.etag.removeprefix('W/"').removesuffix('"')


def make_asset(body: bytes, media_type: str) -> Asset:
    """Compress once (level 9: paid at build, not per request) and hash the content for the ETag."""
    digest = hashlib.sha256(body).hexdigest()[:16]
    # weak: the gzip and identity representations share it
    return Asset(body, gzip.compress(body, compresslevel=9, mtime=0), media_type, f'W/"{digest}"')


def minify_css(css: str) -> str:
    """Comments and layout whitespace out; the rules themselves untouched."""
    css = BLOCK_COMMENT.sub("", css)
    css = re.sub(r"\s+", " ", css)
    css = re.sub(r"\s*([{};,>])\s*", r"\1", css)
    # "prop: value" inside a block only: in a selector ".a :focus" the space is a descendant combinator
    css = re.sub(r"([{;][\w-]+):\s+", r"\1:", css).replace(" !important", "!important")
    css = re.sub(r"(?<![\w.])0\.(\d)", r".\1", css)
    return css.replace(";}", "}").strip()


def minify_js(source: str) -> str:
    """Comments out and whitespace down to what the grammar needs. A line break stays a line break (so
    automatic semicolon insertion reads the code as before) unless it follows `{`, `(`, `,` or `;`; strings
    and regular expressions are copied as they are. The modules use no template literals."""
    out: list[str] = []
    last = ""
    gap = ""
    pos = 0
    while pos < len(source):
        match = JS_TOKEN.match(source, pos)
        assert match is not None  # the last alternative matches any character
        kind, text = match.lastgroup, match.group()
        pos = match.end()
        if kind in ("comment", "space"):
            gap = "\n" if "\n" in text or text.startswith("//") or gap == "\n" else gap or " "
            continue
        if text == "/" and (not last or last in BEFORE_REGEX):
            regex = JS_REGEX.match(source, match.start())
            if regex:
                text, pos = regex.group(), regex.end()
        if out and gap:
            if gap == "\n" and last not in ("{", "(", ",", ";"):
                out.append("\n")
            elif WORD_CHAR.match(last[-1]) and WORD_CHAR.match(text[0]) or last[-1] + text[0] in SIGNS:
                out.append(" ")
        out.append(text)
        last, gap = ("'" if kind == "string" else text), ""
    return "".join(out)


def build_widget_bundle(directory: Path, strings_en_path: str) -> str:
    """The widget: its stylesheet as the string `CSS`, the path of the English texts as `STRINGS_EN`, the boot
    lines, then the modules in order inside `start()`, all in one closure."""
    css = minify_css((directory / WIDGET_STYLES).read_text(encoding="utf-8"))
    boot = minify_js((directory / WIDGET_BOOT).read_text(encoding="utf-8"))
    modules = [minify_js((directory / name).read_text(encoding="utf-8")) for name in WIDGET_MODULES]
    return (
        "/* dvc-widget, built from app/static/widget-*.js */\n"
        '(function(){"use strict";\n'
        f"var CSS={json.dumps(css)},STRINGS_EN={json.dumps(strings_en_path)};\n{boot}\n"
        "function start(){\n" + "\n".join(modules) + "\n}})();\n"
    )


def widget_strings_en_path(asset: Asset) -> str:
    """Where the English texts are served, relative to the widget script: named by content, so cached for good."""
    return f"static/widget-en.{asset.digest}.js"


class AssetCache:
    """Built assets by name, rebuilt when one of their source files changes on disk."""

    def __init__(self, directory: Path):
        self.directory = directory
        self._built: dict[str, tuple[tuple[int, ...], Asset]] = {}

    def get(self, name: str, media_type: str) -> Asset:
        """A file from the directory as it is (pages, styles, scripts)."""
        path = self.directory / name
        return self._cached(name, (path,), lambda: make_asset(path.read_bytes(), media_type))

    def widget(self) -> Asset:
        """The widget bundle."""
        strings_en = self.widget_strings_en()
        sources = tuple(self.directory / n for n in (WIDGET_BOOT, *WIDGET_MODULES, WIDGET_STRINGS_EN, WIDGET_STYLES))
        return self._cached("widget.js", sources, lambda: make_asset(
            build_widget_bundle(self.directory, widget_strings_en_path(strings_en)).encode("utf-8"), JS))

    def widget_strings_en(self) -> Asset:
        """The widget's English texts, fetched by English embeds only."""
        path = self.directory / WIDGET_STRINGS_EN
        return self._cached(WIDGET_STRINGS_EN, (path,), lambda: make_asset(
            minify_js(path.read_text(encoding="utf-8")).encode("utf-8"), JS))

    def _cached(self, key: str, sources: tuple[Path, ...], build: Callable[[], Asset]) -> Asset:
        stamp = tuple(p.stat().st_mtime_ns for p in sources)
        held = self._built.get(key)
        if held is None or held[0] != stamp:
            held = (stamp, build())
            self._built[key] = held
        return held[1]
