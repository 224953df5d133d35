"""Issue 11 on remontées workbooks: the shared kernel, hidden sheets, free-text warnings, printable names."""

from __future__ import annotations

from pathlib import Path

from cpc_toolkit.errors import ReasonCode
from cpc_toolkit.remontees.importer import import_file
from cpc_toolkit.remontees.store import RemonteesStore


def _hide_values(wb) -> None:  # type: ignore[no-untyped-def]
    ws = wb.create_sheet("Autres chiffres")
    ws["C3"] = 9999
    ws.sheet_state = "veryHidden"


def test_values_in_a_hidden_sheet_refused(tmp_path: Path, h, rstore: RemonteesStore) -> None:
    data = h.fill("ca-lyon", 2025, [h.BASE_CASE], tweak=_hide_values)
    res = import_file(h.write(tmp_path, "remontees_2025_ca-lyon.xlsx", data), rstore, today=h.TODAY)
    assert res.outcome == "refuse"
    hit = [p for p in res.problems if p.reason == ReasonCode.HIDDEN_SHEET]
    assert [(p.sheet, p.cell) for p in hit] == [("Autres chiffres", "C3")] and "masquée" in hit[0].message
    # the template's own hidden « Listes » sheet is not a discrepancy
    ok = import_file(h.write(tmp_path, "remontees_2025_ca-lyon.xlsx", h.fill("ca-lyon", 2025, [h.BASE_CASE])),
                     rstore, today=h.TODAY)
    assert ok.outcome == "accepte", [str(p) for p in ok.problems]


def test_name_in_free_text_is_warned(tmp_path: Path, h, rstore: RemonteesStore) -> None:
    case = {**h.BASE_CASE, "Observations": "Entretien avec M. Dupont, dirigeant ; voir RG 25/00043"}
    data = h.fill("ca-lyon", 2025, [case])
    res = import_file(h.write(tmp_path, "remontees_2025_ca-lyon\x1b.xlsx", data), rstore, today=h.TODAY)
    assert res.outcome == "accepte", [str(p) for p in res.problems]
    warned = [p for p in res.problems if p.reason == ReasonCode.CONFIDENTIAL]
    assert {p.level for p in warned} == {"avertissement"} and len(warned) == 2
    assert all(p.indicator == "observations" for p in warned)
    assert res.file_name == "remontees_2025_ca-lyon\\x1b.xlsx"


def _with_formula(data: bytes, cached: str) -> bytes:
    """Turn the « Effectif salarié » value of the first case into a formula =400+20 with a given cached value."""
    import io
    import re
    import zipfile

    import openpyxl
    from openpyxl.utils import get_column_letter

    from cpc_toolkit.remontees import workbook as wbk

    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[wbk.CASES_SHEET]
    col = next(c.column for c in ws[wbk.HEADER_ROW] if str(c.value).startswith("Effectif salarié"))
    coord = f"{get_column_letter(col)}{wbk.HEADER_ROW + 1}"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            raw = src.read(info)
            if info.filename.startswith("xl/worksheets/") and f'<c r="{coord}"'.encode() in raw \
                    and b"<v>420</v>" in raw:
                raw = re.sub(rf'<c r="{coord}"([^>]*)><v>420</v></c>'.encode(),
                             rf'<c r="{coord}"\1><f>400+20</f><v>{cached}</v></c>'.encode(), raw, count=1)
            dst.writestr(info.filename, raw)
    return out.getvalue()


def test_formula_cached_value_checked(tmp_path: Path, h, rstore: RemonteesStore) -> None:
    base = h.fill("ca-lyon", 2025, [h.BASE_CASE])
    bad = import_file(h.write(tmp_path, "remontees_2025_ca-lyon.xlsx", _with_formula(base, "4200")), rstore,
                      today=h.TODAY)
    assert bad.outcome == "refuse"
    assert [p.reason for p in bad.problems if p.level == "erreur"] == [ReasonCode.FORMULA_MISMATCH]
    good = import_file(h.write(tmp_path, "remontees_2025_ca-lyon.xlsx", _with_formula(base, "420")), rstore,
                       today=h.TODAY)
    assert good.outcome == "accepte", [str(p) for p in good.problems]
