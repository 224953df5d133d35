"""Editable documents as values: a neutral block model written to ODT, DOCX and HTML/PDF.

A document (convocation, compte rendu du CLPC, rapport annuel des chefs de cour) is one immutable
:class:`DocumentValue`: a title, a running header (court and year) and a sequence of blocks.
Every output format is derived from that one value by a writer (:mod:`.odt`, :mod:`.docx`,
:mod:`.html`), so the four formats always carry the same content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["PLACEHOLDER", "Block", "BulletList", "DocumentValue", "Heading", "Image", "PageBreak", "Para",
           "TableBlock"]

# What the président still has to write: one marker, highlighted by every writer.
PLACEHOLDER = "[À compléter]"

ParaStyle = Literal["body", "placeholder", "note", "demo", "lead"]


@dataclass(frozen=True)
class Heading:
    level: int
    text: str

    def __post_init__(self) -> None:
        if not 1 <= self.level <= 4:
            raise ValueError(f"heading level {self.level} outside 1..4")


@dataclass(frozen=True)
class Para:
    text: str
    style: ParaStyle = "body"


@dataclass(frozen=True)
class BulletList:
    items: tuple[str, ...]


@dataclass(frozen=True)
class TableBlock:
    """A real table: header row, body rows (already formatted fr-FR), right-aligned numeric columns."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    numeric: tuple[bool, ...] = ()

    def __post_init__(self) -> None:
        width = len(self.columns)
        if any(len(r) != width for r in self.rows):
            raise ValueError(f"table « {self.caption} »: every row must have {width} cells")
        if self.numeric and len(self.numeric) != width:
            raise ValueError("numeric flags must match the columns")

    def is_numeric(self, j: int) -> bool:
        return bool(self.numeric) and self.numeric[j]


@dataclass(frozen=True)
class Image:
    """A chart as PNG, with the alternative text every writer must carry (RGAA)."""

    png: bytes
    alt: str
    caption: str = ""
    width_cm: float = 16.0
    height_cm: float = 8.0

    def __post_init__(self) -> None:
        if not self.alt.strip():
            raise ValueError("an image needs an alternative text")
        if not self.png.startswith(b"\x89PNG"):
            raise ValueError("image data must be PNG")


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Para | BulletList | TableBlock | Image | PageBreak


@dataclass(frozen=True)
class DocumentValue:
    """One document, whatever the output format."""

    kind: str  # document kind id, e.g. "compte-rendu"
    title: str
    subtitle: str
    header: str  # running header: court name and year
    blocks: tuple[Block, ...]
    demo: bool = False
    stamp: str = ""  # reproducibility line (tool version, data digest, build date)
    metadata: tuple[tuple[str, str], ...] = field(default=())

    def text(self) -> str:
        """Plain text of every block (for confidentiality checks and tests)."""
        out: list[str] = [self.title, self.subtitle, self.header]
        for b in self.blocks:
            if isinstance(b, Heading | Para):
                out.append(b.text)
            elif isinstance(b, BulletList):
                out.extend(b.items)
            elif isinstance(b, TableBlock):
                out.append(b.caption)
                out.extend(b.columns)
                out.extend(c for r in b.rows for c in r)
            elif isinstance(b, Image):
                out.extend((b.alt, b.caption))
        return "\n".join(out)
