"""Checking and rendering the wording an LA edits.

A text is plain words with placeholders, `{{ name }}`, and nothing else: no template tags, no filters,
no HTML. It is never handed to the template engine. Validation names the first thing it cannot accept;
rendering replaces each placeholder with its value, escaping the words and the values alike for HTML
(so O'Neill prints as O'Neill and markup typed into the text prints as text). Paragraphs are separated
by a blank line; a block placeholder (a table, a list, a box) stands alone in its paragraph.
"""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

from .placeholders import BY_NAME, EMAILS, for_kind

MAX_LENGTH = 6000
PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
TAGS = re.compile(r"\{%.*?(%\}|$)|\{#.*?(#\}|$)", re.DOTALL)
PARAGRAPHS = re.compile(r"\n[ \t]*\n")


class WordingError(ValueError):
    pass


def _shown(text, limit=60):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def wording_check(kind, text: str) -> None:
    """Raises WordingError with a message a person can act on, naming the first bad placeholder."""
    if not text.strip():
        raise WordingError("Enter the wording")
    if len(text) > MAX_LENGTH:
        raise WordingError(f"The wording must be {MAX_LENGTH:,} characters or fewer")
    tag = TAGS.search(text)
    if tag:
        raise WordingError(
            f"Remove {_shown(tag.group(0))}: the wording can use placeholders like {{{{ reference }}}}, "
            "not template tags or comments"
        )
    allowed = {placeholder.name for placeholder in for_kind(kind)}
    for match in PLACEHOLDER.finditer(text):
        inside = match.group(1).strip()
        shown = f"{{{{ {_shown(inside)} }}}}"
        if "|" in inside:
            raise WordingError(f"Remove the filter from {shown}: placeholders take no filters")
        if not NAME.match(inside):
            raise WordingError(f"{shown} is not a placeholder: use one from the list")
        placeholder = BY_NAME.get(inside)
        if placeholder is None:
            raise WordingError(f"{shown} is not a placeholder: use one from the list")
        if inside not in allowed:
            if placeholder.health_detail and kind in EMAILS:
                raise WordingError(f"{shown} cannot be used in an email: emails carry no health details")
            raise WordingError(f"{shown} cannot be used in this text: use one from the list")
    rest = PLACEHOLDER.sub("", text)
    if "{{" in rest or "}}" in rest:
        raise WordingError("A placeholder is not closed: write each one as {{ name }}")
    for paragraph in _paragraphs(text):
        names = [match.group(1).strip() for match in PLACEHOLDER.finditer(paragraph)]
        for name in names:
            if BY_NAME[name].block and not _alone(paragraph, name):
                raise WordingError(f"Put {{{{ {name} }}}} on a line of its own, with a blank line before and after")


def _alone(paragraph, name) -> bool:
    return PLACEHOLDER.sub(lambda match: match.group(1).strip(), paragraph).strip() == name


def _paragraphs(text):
    return [paragraph for paragraph in PARAGRAPHS.split(text.replace("\r\n", "\n").strip()) if paragraph.strip()]


def _fill(paragraph, values, escaped):
    pieces, at = [], 0
    for match in PLACEHOLDER.finditer(paragraph):
        literal = paragraph[at : match.start()]
        pieces.append(escape(literal) if escaped else literal)
        value = str(values.get(match.group(1).strip(), ""))
        pieces.append(escape(value) if escaped else value)
        at = match.end()
    tail = paragraph[at:]
    pieces.append(escape(tail) if escaped else tail)
    return "".join(pieces)


def _block(paragraph, blocks):
    name = PLACEHOLDER.sub(lambda match: match.group(1).strip(), paragraph).strip()
    return blocks.get(name) if name in BY_NAME and BY_NAME[name].block else None


def wording_text(text, values, blocks=None) -> str:
    """Plain text: paragraphs separated by a blank line; `blocks` {name: (text, html)}."""
    blocks = blocks or {}
    out = []
    for paragraph in _paragraphs(text):
        block = _block(paragraph, blocks)
        if block:
            out.append(block[0])
        else:
            out.append("\n".join(" ".join(line.split()) for line in _fill(paragraph, values, False).split("\n")))
    return "\n\n".join(out)


def wording_html(text, values, blocks=None, *, paragraph_class="") -> str:
    """HTML: each paragraph a <p> (a line break a <br>), every word and value escaped; blocks as given."""
    blocks = blocks or {}
    attribute = f' class="{paragraph_class}"' if paragraph_class else ""
    out = []
    for paragraph in _paragraphs(text):
        block = _block(paragraph, blocks)
        if block:
            out.append(block[1])
        else:
            lines = [" ".join(line.split()) for line in _fill(paragraph, values, True).split("\n")]
            out.append(f"<p{attribute}>" + "<br>".join(lines) + "</p>")
    return mark_safe("\n".join(out))  # noqa: S308 - every piece above is escaped or a block we built
