"""The two style templates (ODT, DOCX) the document writers start from.

``modeles/modele.odt`` and ``modeles/modele.docx`` are package data built by :func:`build_templates`
(``python -m cpc_toolkit.render.documents.templates``). A court restyles its documents by editing a
copy (fonts, colours, heading styles, table style) and placing it in ``<données>/modeles/`` — see
:func:`template_path`. Every style a writer uses is created here, so a template can be checked
(:func:`missing_styles`).
"""

from __future__ import annotations

import io
from importlib import resources
from pathlib import Path

__all__ = ["DOCX_STYLES", "ODT_STYLES", "build_templates", "missing_styles", "template_path"]

FONT = "Liberation Sans"
BLUE = "#000091"  # bleu France (charte de l'État)
ODT_STYLES = ("Title", "Subtitle", "Header", "Footer", "Heading_20_1", "Heading_20_2", "Heading_20_3",
              "Heading_20_4", "Text_20_body", "Table_20_Heading", "Table_20_Contents", "Table", "Figure",
              "List_20_Bullet", "CPC_5f_A_20_completer", "CPC_5f_Note", "CPC_5f_Donnees_20_fictives",
              "CPC_5f_Chapeau", "CPC_5f_Nombre", "CPC_5f_Figure", "CPC_5f_Saut")
DOCX_STYLES = ("Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "Normal", "Caption",
               "List Bullet", "CPC À compléter", "CPC Note", "CPC Données fictives", "CPC Chapeau", "CPC Tableau")
FORMATS = ("odt", "docx")


def template_path(fmt: str, data_dir: Path | None = None) -> Path:
    """The court's template ``<données>/modeles/modele.<fmt>`` if present, else the packaged one."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    if data_dir is not None:
        own = Path(data_dir) / "modeles" / f"modele.{fmt}"
        if own.is_file():
            return own
    return Path(str(resources.files("cpc_toolkit.render.documents").joinpath("modeles", f"modele.{fmt}")))


def _odt() -> bytes:
    from odfdo import Document, Style, XmlPart

    doc = Document("text")
    doc.set_language("fr-FR")

    def para(name: str, display: str, parent: str = "Standard", *, size: str | None = None, bold: bool = False,
             italic: bool = False, color: str | None = None, background: str | None = None,
             align: str | None = None, page_break: bool = False) -> None:
        existing = doc.get_style("paragraph", name)
        if existing is not None:
            existing.delete()
        style = Style("paragraph", name=name, display_name=display, parent_style=parent or None)
        text: dict[str, str] = {"style:font-name": FONT}
        if size:
            text["fo:font-size"] = size
        if bold:
            text["fo:font-weight"] = "bold"
        if italic:
            text["fo:font-style"] = "italic"
        if color:
            text["fo:color"] = color
        style.set_properties(text, area="text")
        par: dict[str, str] = {"fo:margin-bottom": "0.15cm"}
        if align:
            par["fo:text-align"] = align
        if background:
            par["fo:background-color"] = background
        if page_break:
            par["fo:break-before"] = "page"
        style.set_properties(par, area="paragraph")
        doc.insert_style(style)

    para("Standard", "Standard", parent="", size="10.5pt")
    para("Title", "Titre", parent="Standard", size="20pt", bold=True, color=BLUE, align="center")
    para("Subtitle", "Sous-titre", parent="Standard", size="13pt", align="center", italic=True)
    para("Header", "En-tête", size="8.5pt", color="#555555")
    para("Footer", "Pied de page", size="8.5pt", align="center", color="#555555")
    for level, size in ((1, "16pt"), (2, "13pt"), (3, "11.5pt"), (4, "10.5pt")):
        name = f"Heading_20_{level}"
        para(name, f"Heading {level}", parent="Heading", size=size, bold=True, color=BLUE)
        heading = doc.get_style("paragraph", name)
        assert isinstance(heading, Style)  # just inserted by para(); get_style declares a union of style classes
        heading.set_attribute("style:default-outline-level", str(level))
        heading.set_attribute("style:next-style-name", "Text_20_body")
    styles = doc.get_part("styles.xml")
    assert isinstance(styles, XmlPart)  # an XML part (get_part declares str | bytes for other parts)
    for outline in styles.get_elements("//text:outline-level-style"):
        outline.set_attribute("style:num-format", "")
        outline.set_attribute("style:num-suffix", "")
        outline.del_attribute("loext:num-list-format")
    para("Text_20_body", "Text body", size="10.5pt")
    para("Table_20_Contents", "Table Contents", size="9pt")
    para("Table_20_Heading", "Table Heading", size="9pt", bold=True)
    para("Table", "Légende de tableau", size="9pt", italic=True)
    para("Figure", "Légende de figure", size="9pt", italic=True, align="center")
    para("List_20_Bullet", "Liste à puces", size="10.5pt")
    para("CPC_5f_A_20_completer", "CPC À compléter", size="10.5pt", italic=True, background="#fff3b0")
    para("CPC_5f_Note", "CPC Note", size="8.5pt", color="#555555")
    para("CPC_5f_Donnees_20_fictives", "CPC Données fictives", size="10.5pt", bold=True, color="#b34000",
         background="#fee9e5")
    para("CPC_5f_Chapeau", "CPC Chapeau", size="11pt", italic=True)
    para("CPC_5f_Nombre", "CPC Nombre", size="9pt", align="end")
    para("CPC_5f_Figure", "CPC Figure", align="center")
    para("CPC_5f_Saut", "CPC Saut de page", page_break=True)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _docx() -> bytes:
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    doc = docx.Document()
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(10.5)
    rpr = normal.element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "fr-FR")
    rpr.append(lang)
    blue = RGBColor(0x00, 0x00, 0x91)
    for level, size in ((1, 16), (2, 13), (3, 11.5), (4, 10.5)):
        st = styles[f"Heading {level}"]
        st.font.name, st.font.size, st.font.color.rgb, st.font.bold = FONT, Pt(size), blue, True
    styles["Title"].font.name, styles["Title"].font.color.rgb = FONT, blue

    def para(name: str, *, size: float = 10.5, italic: bool = False, bold: bool = False,
             color: RGBColor | None = None, shade: str | None = None) -> None:
        st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = normal
        st.font.size, st.font.italic, st.font.bold = Pt(size), italic, bold
        if color is not None:
            st.font.color.rgb = color
        if shade:
            ppr = st.element.get_or_add_pPr()
            shd = OxmlElement("w:shd")
            shd.set(qn("w:val"), "clear")
            shd.set(qn("w:fill"), shade)
            ppr.append(shd)

    para("CPC À compléter", italic=True, shade="FFF3B0")
    para("CPC Note", size=8.5, color=RGBColor(0x55, 0x55, 0x55))
    para("CPC Données fictives", bold=True, color=RGBColor(0xB3, 0x40, 0x00), shade="FEE9E5")
    para("CPC Chapeau", size=11, italic=True)
    table = styles.add_style("CPC Tableau", WD_STYLE_TYPE.TABLE)
    table.base_style = styles["Table Grid"]
    table.font.size = Pt(9)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def build_templates(target: Path) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    out = []
    for fmt, data in (("odt", _odt()), ("docx", _docx())):
        path = target / f"modele.{fmt}"
        path.write_bytes(data)
        out.append(path)
    return out


def missing_styles(fmt: str, path: Path) -> list[str]:
    """The writer's styles that a (court's) template lacks — checked before building a document."""
    if fmt == "odt":
        from odfdo import Document, Style

        doc = Document(str(path))
        have = {s.name for s in doc.get_styles("paragraph") if isinstance(s, Style)}
        return [s for s in ODT_STYLES if s not in have]
    import docx

    have = {s.name for s in docx.Document(str(path)).styles}
    return [s for s in DOCX_STYLES if s not in have]


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    here = Path(__file__).resolve().parent / "modeles"
    for p in build_templates(here):
        print(p)  # noqa: T201
