"""Lists in the command lines' help: one item a line, the text wrapped under itself."""

from __future__ import annotations

import textwrap

WIDTH = 100
NAME_WIDTH = 30


def item(name: str, text: str) -> str:
    """``  name   text`` with the text wrapped to :data:`WIDTH` columns."""
    indent = " " * (NAME_WIDTH + 3)
    head = f"  {name:<{NAME_WIDTH}} "
    if len(head) > len(indent):
        head += "\n" + indent
    return textwrap.fill(
        text, WIDTH, initial_indent=head, subsequent_indent=indent, break_on_hyphens=False
    )
