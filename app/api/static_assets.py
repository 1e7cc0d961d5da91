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
# the hand-off form and a kept ticket's reply: fetched by the widget on demand (widget-answer.js `handoff`)
WIDGET_HANDOFF = "widget-handoff.js"
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
# a line break before these, or after these, never ends a statement: automatic semicolon insertion reads the
# code the same without it ("+" and "-" are left out: after "a++" a line break does end the statement)
NO_BREAK_BEFORE = frozenset(")]},;:?")
NO_BREAK_AFTER = frozenset("{(,;=&|?:*<>![")
# a ";" after the ")" of these is an empty statement: it stays even before "}"
CONTROL = frozenset({"if", "for", "while", "with"})
# `true` and `false` as values are written !0 and !1; not as property names (`a.true`, `{true: 1}`, `true.x`)
BOOLEANS = {"true": "!0", "false": "!1"}
NOT_A_VALUE_NEXT = re.compile(r"(?:\s|/\*.*?\*/|//[^\n]*)*[.:]", re.DOTALL)
# "a " +\n "b" is written "a b" where nothing binds tighter than `+` on either side of the two strings
JOIN_AFTER = frozenset({"", "(", "[", "{", ",", ";", "=", ":", "?", "&", "|", "return"})
JOIN_BLOCKER = re.compile(r"(?:\s|/\*.*?\*/|//[^\n]*)*[.\[(*/%]", re.DOTALL)


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
    # "(max-width: 480px)" in at-rules, #ffffff, and [aria-expanded="true"] (quotes around a plain word)
    css = re.sub(r"\((-?[\w-]+):\s+", r"(\1:", css)
    css = re.sub(r"#([0-9a-fA-F])\1([0-9a-fA-F])\2([0-9a-fA-F])\3\b", r"#\1\2\3", css)
    css = re.sub(r'="([a-zA-Z][\w-]*)"\]', r"=\1]", css)
    return css.replace(";}", "}").strip()


def minify_js(source: str) -> str:
    """Comments out and whitespace down to what the grammar needs. A line break stays a line break (so
    automatic semicolon insertion reads the code as before) unless a token on either side of it means the
    statement goes on (NO_BREAK_BEFORE, NO_BREAK_AFTER); a `;` right before `}` goes (the `}` ends the statement
    anyway) unless it is an empty statement; `var a=1;var b=2` becomes `var a=1,b=2`, `true` becomes `!0`, and
    `"a"+"b"` becomes `"ab"`; strings and regular expressions are otherwise copied as they are. The modules use
    no template literals."""
    return _JsMinifier(source).run()


class _JsMinifier:
    """One pass over the tokens of `source`, writing each with only the separator the grammar needs."""

    def __init__(self, source: str):
        self.source = source
        self.out: list[str] = []
        self.last = ""  # the last token written ("'" for a string)
        self.gap = ""  # what separated it from the next token: "", " " or a line break
        self.parens: list[bool] = []  # per open "(": whether it opened an if/for/while/with header
        self.after_header = self.empty_statement = False
        self.depth = 0  # of brackets of any kind
        self.var_depth: int | None = None  # where a `var` statement that began a statement is still going on
        self.merge = False  # the last token is the `;` that ended such a statement
        self.string_at, self.before_string = -1, ""  # where the last string literal is in `out`, and what came before

    def run(self) -> str:
        """The minified source."""
        pos = 0
        while pos < len(self.source):
            match = JS_TOKEN.match(self.source, pos)
            assert match is not None  # the last alternative matches any character
            kind, text = match.lastgroup or "other", match.group()
            pos = match.end()
            if kind in ("comment", "space"):
                self.gap = "\n" if "\n" in text or text.startswith("//") or self.gap == "\n" else self.gap or " "
                continue
            if text == "/" and (not self.last or self.last in BEFORE_REGEX):
                regex = JS_REGEX.match(self.source, match.start())
                if regex:
                    text, pos = regex.group(), regex.end()
            self._write(kind, self._shorter(kind, text, pos))
        return "".join(self.out)

    def _shorter(self, kind: str, text: str, pos: int) -> str:
        """`true` as !0, and a string joined to the string before it (both written over in `out`)."""
        out = self.out
        if kind == "word" and text in BOOLEANS and self.last != "." and not NOT_A_VALUE_NEXT.match(self.source, pos):
            return BOOLEANS[text]
        if (kind == "string" and self.last == "+" and 0 <= self.string_at and out[self.string_at][0] == text[0]
                and [t for t in out[self.string_at + 1:] if t != "\n"] == ["+"]
                and self.before_string in JOIN_AFTER and not JOIN_BLOCKER.match(self.source, pos)):
            text = out[self.string_at][:-1] + text[1:]
            del out[self.string_at:]
            self.last, self.gap = self.before_string, ""
        return text

    def _write(self, kind: str, text: str) -> None:
        out = self.out
        if kind == "string":
            self.string_at, self.before_string = len(out), self.last
        if text == "}" and self.last == ";" and not self.empty_statement:
            out.pop()
            self.last, self.gap = out[-1][-1:], ""
        if out and self.gap:
            self._separate(kind, text)
        if text == "var" and self.merge:
            out[-1] = self.last = ","
            self.merge = False
            self.var_depth = self.depth
            return
        self._track(kind, text)
        out.append(text)
        self.last, self.gap = ("'" if kind == "string" else text), ""

    def _separate(self, kind: str, text: str) -> None:
        last = self.last
        if self.gap == "\n" and last not in NO_BREAK_AFTER and not (kind == "other" and text in NO_BREAK_BEFORE):
            self.out.append("\n")
            # the line break may have ended the `var` statement by automatic semicolon insertion
            self.var_depth = None if self.var_depth == self.depth else self.var_depth
        elif WORD_CHAR.match(last[-1]) and WORD_CHAR.match(text[0]) or last[-1] + text[0] in SIGNS:
            self.out.append(" ")

    def _track(self, kind: str, text: str) -> None:
        """Follow brackets, `var` statements and control headers for the shortenings above."""
        bracket = kind == "other"
        self.merge = text == ";" and self.var_depth == self.depth
        if text == "var" and (self.last in ("", ";", "{", "}") or self.out[-1:] == ["\n"]):
            self.var_depth = self.depth
        elif self.merge:
            self.var_depth = None
        if bracket and text in ("{", "(", "["):
            self.depth += 1
        elif bracket and text in ("}", ")", "]"):
            self.depth -= 1
            if self.var_depth is not None and self.var_depth > self.depth:
                self.var_depth = None
        self.empty_statement = text == ";" and (self.after_header or self.last in ("else", "do"))
        self.after_header = text == ")" and bracket and bool(self.parens) and self.parens.pop()
        if text == "(" and bracket:
            self.parens.append(self.last in CONTROL)


def build_widget_bundle(directory: Path, strings_en_path: str, handoff_path: str = "") -> str:
    """The widget: its stylesheet as the string `CSS`, the paths of the English texts as `STRINGS_EN` and of the
    hand-off module as `HANDOFF`, the boot lines, then the modules in order inside `start()`, all in one closure."""
    css = minify_css((directory / WIDGET_STYLES).read_text(encoding="utf-8"))
    boot = minify_js((directory / WIDGET_BOOT).read_text(encoding="utf-8"))
    modules = [minify_js((directory / name).read_text(encoding="utf-8")) for name in WIDGET_MODULES]
    return (
        '(function(){"use strict";\n'
        f"var CSS={json.dumps(css)},STRINGS_EN={json.dumps(strings_en_path)},HANDOFF={json.dumps(handoff_path)};\n"
        f"{boot}\n"
        "function start(){\n" + "\n".join(modules) + "\n}})();\n"
    )


def widget_strings_en_path(asset: Asset) -> str:
    """Where the English texts are served, relative to the widget script: named by content, so cached for good."""
    return f"static/widget-en.{asset.digest}.js"


def widget_handoff_path(asset: Asset) -> str:
    """Where the hand-off module is served, relative to the widget script, named by content like the texts."""
    return f"static/widget-handoff.{asset.digest}.js"


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
        handoff = self.widget_handoff()
        sources = tuple(self.directory / n for n in (WIDGET_BOOT, *WIDGET_MODULES, WIDGET_STRINGS_EN, WIDGET_HANDOFF,
                                                     WIDGET_STYLES))
        return self._cached("widget.js", sources, lambda: make_asset(
            build_widget_bundle(self.directory, widget_strings_en_path(strings_en),
                                widget_handoff_path(handoff)).encode("utf-8"), JS))

    def widget_strings_en(self) -> Asset:
        """The widget's English texts, fetched by English embeds only."""
        path = self.directory / WIDGET_STRINGS_EN
        return self._cached(WIDGET_STRINGS_EN, (path,), lambda: make_asset(
            minify_js(path.read_text(encoding="utf-8")).encode("utf-8"), JS))

    def widget_handoff(self) -> Asset:
        """The widget's hand-off module, fetched when a resident hands a question off or keeps a ticket."""
        path = self.directory / WIDGET_HANDOFF
        return self._cached(WIDGET_HANDOFF, (path,), lambda: make_asset(
            minify_js(path.read_text(encoding="utf-8")).encode("utf-8"), JS))

    def _cached(self, key: str, sources: tuple[Path, ...], build: Callable[[], Asset]) -> Asset:
        stamp = tuple(p.stat().st_mtime_ns for p in sources)
        held = self._built.get(key)
        if held is None or held[0] != stamp:
            held = (stamp, build())
            self._built[key] = held
        return held[1]
