"""DOCX writer (python-docx) for :class:`~.model.DocumentValue`.

Styles come from one template (``modeles/modele.docx``, or the court's own copy given by the
caller): real heading styles (a navigable outline in Word and LibreOffice), real tables in the
template's table style, pictures with their alternative text, page numbers in the footer and the
court's name and year in the header.
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

__all__ = ["PARA_STYLES", "TABLE_STYLE", "build_docx", "write_docx"]

# our paragraph kinds → style names of the template (created by scripts/modeles_documents.py)
PARA_STYLES = {"body": "Normal", "placeholder": "CPC À compléter", "note": "CPC Note", "demo": "CPC Données fictives",
               "lead": "CPC Chapeau"}
TABLE_STYLE = "CPC Tableau"


def _field(paragraph: Any, instr: str) -> None:
    """Append a Word field (PAGE, NUMPAGES) to a paragraph."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instr), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)
        elif text == instr:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instr} "
            run._r.append(el)
        else:
            el = OxmlElement("w:t")
            el.text = text
            run._r.append(el)


def _style(doc: Any, name: str, fallback: str) -> str:
    return name if name in [s.name for s in doc.styles] else fallback


def build_docx(value: DocumentValue, template: Path) -> bytes:
    """The DOCX bytes of ``value`` styled by ``template``."""
    import docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Cm

    doc = docx.Document(str(template))
    body = doc.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)
    core = doc.core_properties
    core.title, core.subject, core.language = value.title, value.subtitle, "fr-FR"
    core.author = "cpc_toolkit"
    core.comments = value.stamp
    section = doc.sections[0]
    header = section.header.paragraphs[0] if section.header.paragraphs else section.header.add_paragraph()
    header.text = value.header + (" — DONNÉES FICTIVES" if value.demo else "")
    footer = section.footer.paragraphs[0] if section.footer.paragraphs else section.footer.add_paragraph()
    footer.text = ""
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Page ")
    _field(footer, "PAGE")
    footer.add_run(" sur ")
    _field(footer, "NUMPAGES")

    doc.add_paragraph(value.title, style=_style(doc, "Title", "Normal"))
    if value.subtitle:
        doc.add_paragraph(value.subtitle, style=_style(doc, "Subtitle", "Normal"))
    for block in value.blocks:
        if isinstance(block, Heading):
            doc.add_heading(block.text, level=block.level)
        elif isinstance(block, Para):
            doc.add_paragraph(block.text, style=_style(doc, PARA_STYLES[block.style], "Normal"))
        elif isinstance(block, BulletList):
            for item in block.items:
                doc.add_paragraph(item, style=_style(doc, "List Bullet", "Normal"))
        elif isinstance(block, TableBlock):
            if block.caption:
                doc.add_paragraph(block.caption, style=_style(doc, "Caption", "Normal"))
            table = doc.add_table(rows=1 + len(block.rows), cols=len(block.columns))
            table.style = doc.styles[_style(doc, TABLE_STYLE, "Table Grid")]
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for j, col in enumerate(block.columns):
                cell = table.rows[0].cells[j]
                cell.text = col
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            _repeat_header(table.rows[0])
            for i, row in enumerate(block.rows, start=1):
                for j, text in enumerate(row):
                    cell = table.rows[i].cells[j]
                    cell.text = text
                    if block.is_numeric(j):
                        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif isinstance(block, Image):
            doc.add_picture(io.BytesIO(block.png), width=Cm(block.width_cm))
            pic_par = doc.paragraphs[-1]
            pic_par.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for prop in pic_par._p.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"):
                prop.set("descr", block.alt)
                prop.set("title", block.caption or block.alt)
            if block.caption:
                doc.add_paragraph(block.caption, style=_style(doc, "Caption", "Normal"))
        elif isinstance(block, PageBreak):
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    if value.stamp:
        doc.add_paragraph(value.stamp, style=_style(doc, PARA_STYLES["note"], "Normal"))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _repeat_header(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def write_docx(value: DocumentValue, path: Path, template: Path) -> Path:
    from cpc_toolkit.store import atomic_write_bytes

    atomic_write_bytes(Path(path), build_docx(value, template))
    return Path(path)
