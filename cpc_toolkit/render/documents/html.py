"""HTML writer for :class:`~.model.DocumentValue` (Jinja template ``gabarits/document.html.j2``).

The same document value as the ODT and DOCX writers, as a single offline HTML file (images
inlined with their alternative text) that the report PDF step prints to A4.
"""

from __future__ import annotations

import base64
from functools import cache
from pathlib import Path
from typing import Any

from cpc_toolkit.render.documents.model import (
    BulletList,
    DocumentValue,
    Heading,
    Image,
    PageBreak,
    Para,
    TableBlock,
)

__all__ = ["build_html", "write_html"]


@cache
def _template() -> Any:
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("cpc_toolkit.render.documents", "gabarits"),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True)
    return env.get_template("document.html.j2")


def _block(b: object) -> dict[str, Any]:
    if isinstance(b, Heading):
        return {"kind": "heading", "level": b.level, "text": b.text}
    if isinstance(b, Para):
        return {"kind": "para", "style": b.style, "text": b.text}
    if isinstance(b, BulletList):
        return {"kind": "list", "items": b.items}
    if isinstance(b, TableBlock):
        numeric = b.numeric or (False,) * len(b.columns)
        return {"kind": "table", "caption": b.caption, "columns": b.columns, "rows": b.rows, "numeric": numeric}
    if isinstance(b, Image):
        return {"kind": "image", "data": base64.b64encode(b.png).decode("ascii"), "alt": b.alt,
                "caption": b.caption, "width_px": round(b.width_cm / 2.54 * 96)}
    if isinstance(b, PageBreak):
        return {"kind": "pagebreak"}
    raise TypeError(f"unknown block {type(b).__name__}")


def build_html(value: DocumentValue) -> str:
    return str(_template().render(doc=value, blocks=[_block(b) for b in value.blocks]))


def write_html(value: DocumentValue, path: Path) -> Path:
    from cpc_toolkit.store import atomic_write_bytes

    atomic_write_bytes(Path(path), build_html(value).encode("utf-8"))
    return Path(path)
