"""ODT writer (odfdo) for :class:`~.model.DocumentValue` — the RGI's recommended office format.

Styles come from one template (``modeles/modele.odt`` or the court's own copy): headings are
real outline headings (``Heading_20_N``), tables are real ``table:table`` elements with a repeated
header row, images carry ``svg:title``/``svg:desc`` (alternative text), the running header holds
the court and the year, the footer the page number.
"""

from __future__ import annotations

import io
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

__all__ = ["PARA_STYLES", "build_odt", "write_odt"]

# our paragraph kinds → style names of the template (created by scripts/modeles_documents.py)
PARA_STYLES = {"body": "Text_20_body", "placeholder": "CPC_5f_A_20_completer", "note": "CPC_5f_Note",
               "demo": "CPC_5f_Donnees_20_fictives", "lead": "CPC_5f_Chapeau"}
CELL_STYLE = "CPC_cell"
HEAD_CELL_STYLE = "CPC_head_cell"


def _cell_styles(doc: Any) -> None:
    from odfdo import Style

    border = "0.5pt solid #666666"
    doc.insert_style(Style("table-cell", name=CELL_STYLE, border=border, padding="0.08cm"), automatic=True)
    doc.insert_style(Style("table-cell", name=HEAD_CELL_STYLE, border=border, padding="0.08cm",
                           background_color="#e3e3fd"), automatic=True)


def _para(text: str, style: str) -> Any:
    from odfdo import Paragraph

    return Paragraph(text, style=style)


def _table(doc: Any, block: TableBlock, index: int) -> Any:
    from odfdo import Cell, Element, Row, Table

    table = Table(f"Tableau{index}")
    header_rows = Element.from_tag("table:table-header-rows")
    for j in range(len(block.columns)):
        table.append(Element.from_tag("table:table-column"))
        del j
    head = Row()
    for col in block.columns:
        cell = Cell(style=HEAD_CELL_STYLE)
        cell.append(_para(col, "Table_20_Heading"))
        head.append(cell)
    header_rows.append(head)
    table.append(header_rows)
    for row in block.rows:
        r = Row()
        for j, text in enumerate(row):
            cell = Cell(style=CELL_STYLE)
            cell.append(_para(text, "CPC_5f_Nombre" if block.is_numeric(j) else "Table_20_Contents"))
            r.append(cell)
        table.append(r)
    return table


def build_odt(value: DocumentValue, template: Path) -> bytes:
    """The ODT bytes of ``value`` styled by ``template``."""
    from odfdo import (
        Document,
        Frame,
        Header,
        List,
        ListItem,
        Paragraph,
        StyleMasterPage,
        VarPageCount,
        VarPageNumber,
    )

    doc = Document(str(template))
    body = doc.body
    body.clear()
    _cell_styles(doc)
    doc.set_language("fr-FR")
    meta = doc.meta
    meta.title = value.title
    meta.subject = value.subtitle
    meta.description = value.stamp
    master = doc.get_style("master-page", "Standard")
    if isinstance(master, StyleMasterPage):  # get_style's declared return is a union of style classes
        master.set_page_header(_para(value.header + (" — DONNÉES FICTIVES" if value.demo else ""), "Header"))
        foot = Paragraph("Page ", style="Footer")
        foot.append(VarPageNumber())
        foot.append(" sur ")
        foot.append(VarPageCount())
        master.set_page_footer(foot)

    body.append(_para(value.title, "Title"))
    if value.subtitle:
        body.append(_para(value.subtitle, "Subtitle"))
    tables = images = 0
    for block in value.blocks:
        if isinstance(block, Heading):
            body.append(Header(block.level, block.text, style=f"Heading_20_{block.level}"))
        elif isinstance(block, Para):
            body.append(_para(block.text, PARA_STYLES[block.style]))
        elif isinstance(block, BulletList):
            lst = List(style="List_20_1")
            for item in block.items:
                li = ListItem()
                li.append(_para(item, "List_20_Bullet"))
                lst.append(li)
            body.append(lst)
        elif isinstance(block, TableBlock):
            tables += 1
            if block.caption:
                body.append(_para(block.caption, "Table"))
            body.append(_table(doc, block, tables))
        elif isinstance(block, Image):
            images += 1
            uri = doc.add_file(io.BytesIO(block.png))
            frame = Frame.image_frame(uri, name=f"Graphique{images}", size=(f"{block.width_cm}cm",
                                      f"{block.height_cm}cm"), anchor_type="as-char")
            frame.svg_title = block.caption or block.alt
            frame.svg_description = block.alt
            holder = Paragraph(style="CPC_5f_Figure")
            holder.append(frame)
            body.append(holder)
            if block.caption:
                body.append(_para(block.caption, "Figure"))
        elif isinstance(block, PageBreak):
            body.append(Paragraph(style="CPC_5f_Saut"))
    if value.stamp:
        body.append(_para(value.stamp, PARA_STYLES["note"]))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def write_odt(value: DocumentValue, path: Path, template: Path) -> Path:
    from cpc_toolkit.store import atomic_write_bytes

    atomic_write_bytes(Path(path), build_odt(value, template))
    return Path(path)
