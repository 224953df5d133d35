"""Build one document (convocation, compte rendu, rapport annuel) in the requested formats.

One :class:`~.model.DocumentValue` per document; each format (odt, docx, html, pdf) is derived
from it. Output: ``<sortie>/<annee>/documents/<unite>_<document>.<format>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cpc_toolkit.errors import Location, ReasonCode, RenderError, UsageError
from cpc_toolkit.render.documents import builders
from cpc_toolkit.render.documents.model import DocumentValue
from cpc_toolkit.render.documents.templates import missing_styles, template_path

__all__ = ["DOCUMENT_FORMATS", "LEVEL_OF_DOCUMENT", "build_document", "document_path", "document_value"]

DOCUMENT_FORMATS = ("odt", "docx", "html", "pdf")
# which scope each document is about
LEVEL_OF_DOCUMENT = {"convocation": "juridiction", "compte-rendu": "juridiction", "rapport-annuel": "cour"}


def document_value(kind: str, unit_id: str, year: int, donnees: str | Path | None = None,
                   charts: bool = True) -> DocumentValue:
    from cpc_toolkit.render.data import load

    data = load(donnees)
    if kind == "convocation":
        return builders.convocation(data, unit_id, year)
    if kind == "compte-rendu":
        return builders.compte_rendu(data, unit_id, year, charts=charts)
    if kind == "rapport-annuel":
        return builders.rapport_annuel(data, unit_id, year, charts=charts)
    raise UsageError(f"Document inconnu : « {kind} » (documents : {', '.join(builders.DOCUMENT_KINDS)}).",
                     ReasonCode.USAGE)


def document_path(out_root: Path, kind: str, unit_id: str, year: int, fmt: str) -> Path:
    return Path(out_root) / str(year) / "documents" / f"{unit_id}_{kind}.{fmt}"


def _template(fmt: str, donnees: str | Path | None) -> Path:
    from cpc_toolkit.settings import data_dir

    path = template_path(fmt, data_dir(donnees or None))
    missing = missing_styles(fmt, path)
    if missing:
        raise RenderError(f"Le modèle « {path} » n'a pas les styles attendus : {', '.join(missing)}. Repartez du "
                          "modèle fourni (cpc_toolkit/render/documents/modeles).", ReasonCode.FILE_FORMAT,
                          Location(file=str(path)))
    return path


def build_document(kind: str, unit_id: str, year: int, formats: Sequence[str], out_root: Path,
                   donnees: str | Path | None = None) -> list[Path]:
    """Write the document in each of ``formats``; returns the paths written."""
    bad = [f for f in formats if f not in DOCUMENT_FORMATS]
    if bad or not formats:
        raise UsageError(f"Format(s) de document inconnu(s) : {', '.join(bad) or '(aucun)'} "
                         f"(formats : {', '.join(DOCUMENT_FORMATS)}).", ReasonCode.USAGE)
    value = document_value(kind, unit_id, year, donnees)
    written: list[Path] = []
    for fmt in formats:
        path = document_path(out_root, kind, unit_id, year, fmt)
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "odt":
            from cpc_toolkit.render.documents.odt import write_odt

            written.append(write_odt(value, path, _template("odt", donnees)))
        elif fmt == "docx":
            from cpc_toolkit.render.documents.docx import write_docx

            written.append(write_docx(value, path, _template("docx", donnees)))
        elif fmt in ("html", "pdf"):
            from cpc_toolkit.render.documents.html import write_html

            html_path = document_path(out_root, kind, unit_id, year, "html")
            if html_path not in written:
                write_html(value, html_path)
                if fmt == "html":
                    written.append(html_path)
            if fmt == "pdf":
                from cpc_toolkit.render.pdf import pdf_printer

                with pdf_printer() as printer:
                    written.append(printer.print(html_path, path))
    return written
