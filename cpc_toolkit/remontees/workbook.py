"""Collection workbook of the remontées register, for one parquet général and one year.

Generated from :mod:`model` (no field described twice). Every header cell carries a workbook-level
defined name (``rem_sig_<field>`` / ``rem_evt_<field>``) and the identity cells ``rem_cour`` /
``rem_annee`` / ``rem_modele``: the import finds columns through these names only, so inserting
rows or moving columns does not break it.
"""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from cpc_toolkit import reference
from cpc_toolkit.collect.workbook import first_sheet
from cpc_toolkit.remontees.config import RemonteesConfig, load_config
from cpc_toolkit.remontees.model import (
    CASE_FIELDS,
    EVENT_FIELDS,
    NO,
    SEIZED_COURT_KINDS,
    YES,
    Field,
)

TEMPLATE_ID = "cpc-remontees-1"
README_SHEET = "Lisez-moi"
CASES_SHEET = "Signalements"
EVENTS_SHEET = "Suivi"
LISTS_SHEET = "Listes"
NAME_COUR = "rem_cour"
NAME_YEAR = "rem_annee"
NAME_TEMPLATE = "rem_modele"
CASE_PREFIX = "rem_sig_"
EVENT_PREFIX = "rem_evt_"
HEADER_ROW = 4

_HEAD_FILL = PatternFill("solid", fgColor="1F3864")
_INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")
_WARN_FILL = PatternFill("solid", fgColor="F8D7DA")


def file_name(cour: str, year: int) -> str:
    """Canonical name: ``remontees_<annee>_<cour>.xlsx``."""
    return f"remontees_{int(year)}_{cour}.xlsx"


def seized_courts(cour: str) -> list[tuple[str, str]]:
    """(id, name) of the courts of a cour where a procedure can be pending (TJ, TPI, TC, TAE, TMC)."""
    df = reference.courts(kind=SEIZED_COURT_KINDS, cour=cour)
    return sorted(zip(df["court_id"], df["name"], strict=True))


def build_workbook(cour: str, year: int, config: RemonteesConfig | None = None) -> bytes:
    """The blank collection workbook of ``cour`` for ``year`` (xlsx bytes)."""
    reference.validate_scope(cour, "cour")
    config = config or load_config()
    wb = Workbook()
    readme = first_sheet(wb)
    readme.title = README_SHEET
    _readme(wb, readme, cour, int(year), config)
    lists = wb.create_sheet(LISTS_SHEET)
    ranges = _lists(lists, cour)
    _table(wb, wb.create_sheet(CASES_SHEET), CASE_FIELDS, CASE_PREFIX, config.lignes_classeur, ranges,
           "Signalements à la DACS — un signalement par ligne", numbered=True)
    _table(wb, wb.create_sheet(EVENTS_SHEET), EVENT_FIELDS, EVENT_PREFIX, config.lignes_suivi, ranges,
           "Suivi des signalements — un événement par ligne (audience, plan, cession, conversion, clôture)",
           numbered=False)
    lists.sheet_state = "hidden"
    lists.protection.sheet = True
    wb.active = 0
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_workbook(cour: str, year: int, folder: Path, config: RemonteesConfig | None = None) -> Path:
    """Write the workbook into ``folder`` (owner-only file) and return its path."""
    from cpc_toolkit.files import write_private

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name(cour, year)
    write_private(path, build_workbook(cour, year, config))
    return path


def _define(wb: Workbook, name: str, sheet: str, cell: str) -> None:
    col = "".join(ch for ch in cell if ch.isalpha())
    row = "".join(ch for ch in cell if ch.isdigit())
    wb.defined_names[name] = DefinedName(name, attr_text=f"{quote_sheetname(sheet)}!${col}${row}")


def _readme(wb: Workbook, ws, cour: str, year: int, config: RemonteesConfig) -> None:
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 90
    ws["A1"] = "Remontées d'information à la DACS — procédures collectives et contentieux sensibles"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = ("CONFIDENTIEL — réservé au parquet général et à la DACS. Ne pas diffuser : ce classeur "
                "contient des noms d'entreprises et des numéros SIREN.")
    ws["A2"].font = Font(bold=True, color="9C0006")
    rows = [
        ("Cour d'appel (parquet général)", cour, NAME_COUR),
        ("Nom", reference.court_name(cour), None),
        ("Année des signalements", year, NAME_YEAR),
        ("Modèle", TEMPLATE_ID, NAME_TEMPLATE),
        ("Destinataire", f"{config.service_destinataire} — {config.destinataire}", None),
    ]
    for i, (label, value, name) in enumerate(rows, start=4):
        ws.cell(i, 1, label).font = Font(bold=True)
        ws.cell(i, 2, value)
        if name:
            _define(wb, name, README_SHEET, f"B{i}")
    notes = [
        "Base : circulaire de politique civile du 27 juin 2025, § 2.2 et note 1.",
        f"Signaler les procédures collectives des entreprises de plus de {config.seuil_salaries} salariés, "
        "sous attention médiatique, ou engageant la souveraineté économique (technologies d'avenir, défense), "
        "ainsi que les contentieux civils mettant en cause des structures d'envergure internationale ou "
        "susceptibles de répercussions diplomatiques ou géopolitiques.",
        "Feuille « Signalements » : une ligne par signalement de l'année (date du signalement dans l'année). "
        "Le numéro (colonne N°) est pré-rempli : ne le modifiez pas, il identifie le signalement.",
        "Cochez au moins un critère (oui / non) ; « Autre critère » se remplit en texte libre.",
        "SIREN : 9 chiffres, la clé de contrôle est vérifiée. Code NAF : ex. 29.10Z.",
        "Feuille « Suivi » : un événement par ligne (audience, plan, cession, conversion, clôture), avec le "
        "N° du signalement concerné. Pour compléter le suivi d'un signalement d'une année passée, "
        "complétez et renvoyez le classeur de cette année-là : la nouvelle version remplace la précédente.",
        "Dates au format JJ/MM/AAAA. Ne renommez pas les feuilles ; l'ajout de lignes ou de colonnes est "
        "toléré.",
        "Import : cpc remontees importer FICHIER — toutes les erreurs sont signalées en une fois, avec la "
        "feuille et la cellule ; un fichier refusé ne modifie rien.",
    ]
    for i, text in enumerate(notes, start=11):
        ws.cell(i, 1, "•")
        c = ws.cell(i, 2, text)
        c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.protection.sheet = True


def _lists(ws, cour: str) -> dict[str, str]:
    """Drop-down sources; returns field kind / id → absolute range."""
    from cpc_toolkit.remontees.model import EVENT_TYPES, PROCEDURE_TYPES, STATUSES

    columns = {
        "court": [c for c, _ in seized_courts(cour)],
        "procedure_type": list(PROCEDURE_TYPES.values()),
        "statut": list(STATUSES.values()),
        "event_type": list(EVENT_TYPES.values()),
        "bool": [YES, NO],
    }
    ranges = {}
    for j, (key, values) in enumerate(columns.items(), start=1):
        letter = get_column_letter(j)
        ws.cell(1, j, key)
        for i, v in enumerate(values, start=2):
            ws.cell(i, j, v)
        ranges[key] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
    names = dict(seized_courts(cour))
    ws.cell(1, len(columns) + 1, "nom de la juridiction")
    for i, cid in enumerate(columns["court"], start=2):
        ws.cell(i, len(columns) + 1, names[cid])
    return ranges


def _table(wb: Workbook, ws, fields: tuple[Field, ...], prefix: str, n_rows: int,
           ranges: dict[str, str], title: str, numbered: bool) -> None:
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = "CONFIDENTIEL — parquet général et DACS uniquement."
    ws["A2"].font = Font(bold=True, color="9C0006")
    first, last = HEADER_ROW + 1, HEADER_ROW + n_rows
    for j, f in enumerate(fields, start=1):
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = f.width
        help_cell = ws.cell(HEADER_ROW - 1, j, f.help)
        help_cell.font = Font(italic=True, size=8, color="595959")
        help_cell.alignment = Alignment(wrap_text=True, vertical="bottom")
        head = ws.cell(HEADER_ROW, j, f.label + (" *" if f.required else ""))
        head.font = Font(bold=True, color="FFFFFF")
        head.fill = _HEAD_FILL
        head.alignment = Alignment(wrap_text=True, vertical="center")
        head.comment = Comment(f"{f.help}{' (obligatoire)' if f.required else ''}", "cpc_toolkit")
        _define(wb, prefix + f.id, ws.title, f"{letter}{HEADER_ROW}")
        rng = f"{letter}{first}:{letter}{last}"
        dv = _validation(f, ranges)
        if dv is not None:
            ws.add_data_validation(dv)
            dv.add(rng)
        fixed = numbered and f.id == "numero"
        for r in range(first, last + 1):
            cell = ws.cell(r, j)
            if fixed:
                cell.value = r - HEADER_ROW
            else:
                cell.protection = Protection(locked=False)
                cell.fill = _INPUT_FILL
            if f.kind == "date":
                cell.number_format = "DD/MM/YYYY"
            elif f.kind in ("siren", "naf", "text"):
                cell.number_format = "@"
    ws.row_dimensions[HEADER_ROW - 1].height = 36
    ws.row_dimensions[HEADER_ROW].height = 48
    ws.freeze_panes = ws.cell(first, 2)
    ws.protection.sheet = True
    ws.protection.formatCells = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.insertRows = False
    ws.protection.sort = False
    ws.protection.autoFilter = False


def _validation(f: Field, ranges: dict[str, str]) -> DataValidation | None:
    err = f"Valeur invalide pour « {f.label} » : {f.help}."
    if f.kind == "court":
        dv = DataValidation(type="list", formula1=ranges["court"], allow_blank=True)
    elif f.kind == "bool":
        dv = DataValidation(type="list", formula1=ranges["bool"], allow_blank=True)
    elif f.kind == "choice":
        key = {"procedure_type": "procedure_type", "statut": "statut", "event_type": "event_type"}[f.id]
        dv = DataValidation(type="list", formula1=ranges[key], allow_blank=True)
    elif f.kind == "int":
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    elif f.kind == "date":
        dv = DataValidation(type="date", operator="between", formula1="DATE(1990,1,1)",
                            formula2="DATE(2100,12,31)", allow_blank=True)
    elif f.kind == "siren":
        dv = DataValidation(type="textLength", operator="between", formula1="9", formula2="11",
                            allow_blank=True)
    else:
        return None
    dv.error = err
    dv.errorTitle = "Saisie invalide"
    dv.showErrorMessage = True
    return dv
