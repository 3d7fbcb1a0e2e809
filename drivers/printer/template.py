"""The receipt template language: small, line-oriented, no code.

A template (`resources/receipts/<name>.receipt`) is read once, checked against the typed view
of its document (a frozen dataclass: which fields exist, which are lists and what their items
hold) and turned into a tree; rendering walks the tree over one view. Nothing in a template is
evaluated: a field is looked up by name, a condition is a field's truth.

    # a comment (a line that starts with '#'); blank lines are ignored
    @big @center {store_name}     a text line: {field} or {item.field} substituted;
                                  @big (bold, double size), @bold, @center in front
    单号 No.|{number}              two columns: left, right-aligned value (on the next line
                                  when both do not fit)
    {line.name}|{line.qty}|{line.total}
                                  three columns: a wide left one (wrapped onto lines of its
                                  own when too long) and two right-aligned ones
    @rule [c]                     a line of '-' (or c) across the paper
    @blank                        an empty line
    @qr {number}                  a QR code of the text
    @if a and not b … @else … @end
    @for line in lines … @end     once per item of a list field
    @drawer                       kick the cash drawer (after the cut)
    @cut                          feed and cut: the template's last line

`{{` and `}}` are literal braces, `\\|` a literal bar. Widths are the layout engine's business
(`drivers.printer.layout`): it counts a CJK character as two columns, fits a line to 32 or 48
columns (half that for @big) and wraps what is too long.

Everything wrong with a template — an unknown directive, an unbalanced @if/@for, an unclosed
brace, a field the document does not have, a required field it never shows — is a
`TemplateError` naming the file and the line, raised when the template is loaded.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

# --- the document's fields, from its view dataclass ---------------------------------------------


@dataclass(frozen=True)
class Schema:
    """The fields a template may use: scalars (text or flags) and lists of items."""

    name: str
    scalars: frozenset[str]
    lists: Mapping[str, frozenset[str]]

    @classmethod
    def of(cls, view: type[Any]) -> Schema:
        """Read a view dataclass: `str`/`bool` fields are scalars; `tuple[Item, ...]` fields
        are lists whose items are dataclasses of `str`/`bool` fields."""
        scalars: set[str] = set()
        lists: dict[str, frozenset[str]] = {}
        hints = typing.get_type_hints(view)
        for f in dataclasses.fields(view):
            hint = hints[f.name]
            if hint in (str, bool):
                scalars.add(f.name)
            elif typing.get_origin(hint) is tuple:
                args = typing.get_args(hint)
                item = args[0] if args else None
                if len(args) != 2 or args[1] is not Ellipsis or not dataclasses.is_dataclass(item):
                    raise TypeError(f"{view.__name__}.{f.name}: a list is tuple[Item, ...]")
                assert isinstance(item, type)
                item_hints = typing.get_type_hints(item)
                bad = [n for n, h in item_hints.items() if h not in (str, bool)]
                if bad:
                    raise TypeError(f"{item.__name__}: item fields are str or bool, not {bad}")
                lists[f.name] = frozenset(x.name for x in dataclasses.fields(item))
            else:
                raise TypeError(f"{view.__name__}.{f.name}: {hint} is not str, bool or a list")
        return cls(view.__name__, frozenset(scalars), types.MappingProxyType(lists))

    def known(self) -> str:
        names = sorted(self.scalars | set(self.lists))
        return ", ".join(names)


class TemplateError(ValueError):
    """A template that cannot be used; the message names the file and the line."""


# --- the tree ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """{name} or {var.field}."""

    path: tuple[str, ...]


Segment = str | Ref


@dataclass(frozen=True)
class TextNode:
    columns: tuple[tuple[Segment, ...], ...]
    big: bool = False
    bold: bool = False
    center: bool = False


@dataclass(frozen=True)
class QrNode:
    data: tuple[Segment, ...]


@dataclass(frozen=True)
class RuleNode:
    char: str = "-"


@dataclass(frozen=True)
class BlankNode:
    pass


@dataclass(frozen=True)
class DrawerNode:
    pass


@dataclass(frozen=True)
class IfNode:
    terms: tuple[tuple[bool, Ref], ...]  # (negated, field), all must hold
    then: tuple[Node, ...]
    otherwise: tuple[Node, ...]


@dataclass(frozen=True)
class ForNode:
    var: str
    source: str
    body: tuple[Node, ...]


Node = TextNode | QrNode | RuleNode | BlankNode | DrawerNode | IfNode | ForNode


@dataclass(frozen=True)
class Template:
    name: str
    schema: Schema
    body: tuple[Node, ...]
    cut: bool
    used: frozenset[str] = field(default_factory=frozenset)


# --- parsing -----------------------------------------------------------------------------------

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_REF = re.compile(rf"{_NAME}(\.{_NAME})?\Z")
_FOR = re.compile(rf"({_NAME})\s+in\s+({_NAME})\Z")
STYLES = ("@big", "@bold", "@center")
MAX_COLUMNS = 3


@dataclass
class _Frame:
    kind: str  # "root", "if", "else", "for"
    line: int
    nodes: list[Node] = field(default_factory=list)
    terms: tuple[tuple[bool, Ref], ...] = ()
    then: tuple[Node, ...] = ()
    var: str = ""
    source: str = ""


class _Parser:
    def __init__(self, source: str, schema: Schema, required: frozenset[str]) -> None:
        self.source = source
        self.schema = schema
        self.required = required
        self.loops: dict[str, str] = {}  # loop variable -> list field
        self.used: set[str] = set()
        self.line = 0

    def error(self, message: str) -> TemplateError:
        where = f"{self.source}, line {self.line}" if self.line else self.source
        return TemplateError(f"{where}: {message}")

    # fields

    def ref(self, text: str, *, condition: bool = False) -> Ref:
        text = text.strip()
        if not _REF.match(text):
            raise self.error(f"{{{text}}} is not a field name (name or item.name)")
        path = tuple(text.split("."))
        head = path[0]
        if len(path) == 2:
            if head not in self.loops:
                raise self.error(f"'{head}' is not a loop variable here (in {{{text}}})")
            fields = self.schema.lists[self.loops[head]]
            if path[1] not in fields:
                raise self.error(
                    f"the items of '{self.loops[head]}' have no field '{path[1]}'; "
                    f"they have: {', '.join(sorted(fields))}"
                )
            self.used.add(self.loops[head])
            self.used.add(f"{self.loops[head]}.{path[1]}")
            return Ref(path)
        if head in self.loops:
            raise self.error(f"'{head}' is an item: name one of its fields ({head}.…)")
        if head in self.schema.lists:
            if not condition:
                raise self.error(f"'{head}' is a list: print it with @for … in {head}")
        elif head not in self.schema.scalars:
            raise self.error(
                f"the {self.schema.name} has no field '{head}'; it has: {self.schema.known()}"
            )
        self.used.add(head)
        return Ref(path)

    def segments(self, text: str) -> tuple[Segment, ...]:
        out: list[Segment] = []
        literal: list[str] = []
        i = 0
        while i < len(text):
            ch = text[i]
            if text.startswith("{{", i) or text.startswith("}}", i):
                literal.append(ch)
                i += 2
            elif ch == "{":
                end = text.find("}", i + 1)
                if end < 0:
                    raise self.error(f"unclosed '{{' in {text!r}")
                if literal:
                    out.append("".join(literal))
                    literal.clear()
                out.append(self.ref(text[i + 1 : end]))
                i = end + 1
            elif ch == "}":
                raise self.error(f"'}}' without '{{' in {text!r} (write }}}} for a brace)")
            else:
                literal.append(ch)
                i += 1
        if literal:
            out.append("".join(literal))
        return tuple(out)

    def columns(self, text: str) -> tuple[tuple[Segment, ...], ...]:
        parts = [p.replace("\0", "|") for p in text.replace("\\|", "\0").split("|")]
        if len(parts) > MAX_COLUMNS:
            raise self.error(f"{len(parts)} columns; a row has at most {MAX_COLUMNS}")
        return tuple(self.segments(p) for p in parts)

    def condition(self, text: str) -> tuple[tuple[bool, Ref], ...]:
        terms: list[tuple[bool, Ref]] = []
        for part in re.split(r"\s+and\s+", text.strip()):
            words = part.split()
            negated = len(words) == 2 and words[0] == "not"
            if not words or len(words) > 2 or (len(words) == 2 and not negated):
                raise self.error(f"cannot read the condition {text!r} (name, not name, and)")
            terms.append((negated, self.ref(words[-1], condition=True)))
        return tuple(terms)

    # lines

    def parse(self, text: str) -> Template:
        stack = [_Frame("root", 0)]
        cut_line = 0
        for self.line, raw in enumerate(text.splitlines(), start=1):
            line = raw.rstrip()
            if not line.strip() or line.startswith("#"):
                continue
            if cut_line:
                raise self.error(f"nothing may follow @cut (line {cut_line})")
            stripped = line.lstrip()
            word, _, rest = stripped.partition(" ")
            top = stack[-1]
            if not stripped.startswith("@") or word in STYLES:
                top.nodes.append(self.text_line(line))
            elif word == "@if":
                if not rest.strip():
                    raise self.error("@if needs a condition")
                stack.append(_Frame("if", self.line, terms=self.condition(rest)))
            elif word == "@else":
                if top.kind != "if" or rest.strip():
                    raise self.error("@else without its @if")
                stack[-1] = _Frame(
                    "else", top.line, terms=top.terms, then=tuple(top.nodes), var=top.var
                )
            elif word == "@for":
                m = _FOR.match(rest.strip())
                if not m:
                    raise self.error("write @for item in list")
                var, source = m.groups()
                if source not in self.schema.lists:
                    raise self.error(
                        f"'{source}' is not a list of the {self.schema.name}; lists: "
                        f"{', '.join(sorted(self.schema.lists)) or 'none'}"
                    )
                if var in self.loops or var in self.schema.scalars or var in self.schema.lists:
                    raise self.error(f"the loop variable '{var}' hides a field of the same name")
                self.loops[var] = source
                self.used.add(source)
                stack.append(_Frame("for", self.line, var=var, source=source))
            elif word == "@end":
                if top.kind == "root" or rest.strip():
                    raise self.error("@end without @if or @for")
                stack.pop()
                node: Node
                if top.kind == "for":
                    del self.loops[top.var]
                    node = ForNode(top.var, top.source, tuple(top.nodes))
                elif top.kind == "if":
                    node = IfNode(top.terms, tuple(top.nodes), ())
                else:
                    node = IfNode(top.terms, top.then, tuple(top.nodes))
                stack[-1].nodes.append(node)
            elif word == "@rule":
                char = rest.strip() or "-"
                if len(char) != 1:
                    raise self.error("@rule takes one character")
                top.nodes.append(RuleNode(char))
            elif word == "@blank" and not rest.strip():
                top.nodes.append(BlankNode())
            elif word == "@qr":
                if not rest.strip():
                    raise self.error("@qr needs the text to encode")
                top.nodes.append(QrNode(self.segments(rest.strip())))
            elif word == "@drawer" and not rest.strip():
                top.nodes.append(DrawerNode())
            elif word == "@cut" and not rest.strip():
                if len(stack) > 1:
                    raise self.error("@cut inside @if or @for: it ends the receipt")
                cut_line = self.line
            else:
                raise self.error(f"unknown directive {stripped!r}")
        if len(stack) > 1:
            self.line = 0
            raise self.error(f"@{stack[-1].kind} at line {stack[-1].line} is never closed")
        self.line = 0
        missing = sorted(self.required - self.used)
        if missing:
            raise self.error(
                f"the {self.schema.name} must show {', '.join(missing)}; the template never does"
            )
        body = tuple(stack[0].nodes)
        return Template(self.source, self.schema, body, bool(cut_line), frozenset(self.used))

    def text_line(self, line: str) -> TextNode:
        big = bold = center = False
        body = line
        while True:
            head = body.lstrip()
            word = head.split(" ", 1)[0]
            if word not in STYLES:
                break
            big |= word == "@big"
            bold |= word == "@bold"
            center |= word == "@center"
            body = head[len(word) :].removeprefix(" ")
        columns = self.columns(body)
        if center and len(columns) > 1:
            raise self.error("@center is for a single text, not for columns")
        if big and len(columns) > 2:
            raise self.error("@big rows have at most two columns (half the paper's width)")
        return TextNode(columns, big=big, bold=bold, center=center)


def parse(
    text: str, schema: Schema, source: str = "<template>", required: frozenset[str] = frozenset()
) -> Template:
    """A checked template; raises `TemplateError` naming `source` and the line."""
    unknown = required - schema.scalars - set(schema.lists)
    unknown -= {r for r in required if "." in r and r.split(".")[0] in schema.lists}
    if unknown:
        raise TypeError(f"required fields not in {schema.name}: {sorted(unknown)}")
    return _Parser(source, schema, required).parse(text)


# --- rendering ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One text row for the layout engine: columns of plain text and a style."""

    columns: tuple[str, ...]
    big: bool = False
    bold: bool = False
    center: bool = False


@dataclass(frozen=True)
class QrOut:
    data: str


@dataclass(frozen=True)
class RuleOut:
    char: str


@dataclass(frozen=True)
class DrawerOut:
    pass


Output = Line | QrOut | RuleOut | DrawerOut


def _lookup(ref: Ref, view: object, scope: Mapping[str, object]) -> object:
    head = ref.path[0]
    if len(ref.path) == 2:
        return getattr(scope[head], ref.path[1])
    return getattr(view, head)


def _text(segments: tuple[Segment, ...], view: object, scope: Mapping[str, object]) -> str:
    out = []
    for seg in segments:
        if isinstance(seg, str):
            out.append(seg)
        else:
            value = _lookup(seg, view, scope)
            out.append("" if value is None or isinstance(value, bool) else str(value))
    return "".join(out)


def render(template: Template, view: object) -> Iterator[Output]:
    """The template over one view (an instance of the dataclass its schema was read from)."""
    yield from _walk(template.body, view, {})


def _walk(nodes: tuple[Node, ...], view: object, scope: dict[str, object]) -> Iterator[Output]:
    for node in nodes:
        if isinstance(node, TextNode):
            cols = tuple(_text(c, view, scope) for c in node.columns)
            yield Line(cols, node.big, node.bold, node.center)
        elif isinstance(node, QrNode):
            yield QrOut(_text(node.data, view, scope))
        elif isinstance(node, RuleNode):
            yield RuleOut(node.char)
        elif isinstance(node, BlankNode):
            yield Line(("",))
        elif isinstance(node, DrawerNode):
            yield DrawerOut()
        elif isinstance(node, IfNode):
            holds = all(bool(_lookup(ref, view, scope)) != neg for neg, ref in node.terms)
            yield from _walk(node.then if holds else node.otherwise, view, scope)
        else:
            items = getattr(view, node.source)
            for item in items:
                yield from _walk(node.body, view, {**scope, node.var: item})
