"""Excel annex: French number formats, frozen headers, neutralised formulas."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import load_workbook

from cpc_toolkit.render import xlsx
from cpc_toolkit.render.tables import Table


def test_annex_formats_freezes_and_neutralises(tmp_path):
    frame = pd.DataFrame({
        "juridiction": ["=HYPERLINK(\"http://x\",\"clic\")", "+33 1 23", "Tribunal judiciaire de Lyon"],
        "entrées": [1234.0, float("nan"), 5.0],
        "taux": [94.25, 100.0, 50.0],
    })
    path = xlsx.write_annex({"Indicateurs": Table(frame, {"entrées": "count", "taux": "percent"})},
                            tmp_path / "a.xlsx", "Annexe", demo=True)
    wb = load_workbook(io.BytesIO(path.read_bytes()))
    ws = wb["Indicateurs"]
    assert "Données fictives" in ws["A1"].value  # demo banner line, headers on row 2
    assert [c.value for c in ws[2]] == ["juridiction", "entrées", "taux"]
    assert ws.freeze_panes == "B3"
    a3 = ws["A3"]
    assert a3.data_type == "s" and a3.value.startswith("=") and a3.quotePrefix
    assert ws["A4"].quotePrefix and not ws["A5"].quotePrefix
    assert ws["B3"].value == 1234.0 and ws["B3"].number_format == "#,##0"
    assert ws["B4"].value is None
    assert ws["C3"].number_format == '0.0" %"'
    # no cell anywhere is a formula
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_sheet_names_are_valid_and_unique(tmp_path):
    t = Table(pd.DataFrame({"a": [1]}))
    path = xlsx.write_annex({"Cours d'appel / totaux [2025]": t, "Cours d'appel / totaux [2025] ": t},
                            tmp_path / "b.xlsx", "x", demo=False)
    names = load_workbook(path).sheetnames
    assert len(names) == 2 and len(set(names)) == 2
    assert all(len(n) <= 31 and "/" not in n and "[" not in n for n in names)
    # Excel compares sheet names ignoring case and refuses an apostrophe at either end
    path = xlsx.write_annex({"Synthèse": t, "SYNTHÈSE": t, "'Cours'": t}, tmp_path / "c.xlsx", "x", demo=False)
    names = load_workbook(path).sheetnames
    assert len({n.casefold() for n in names}) == 3 and "Cours" in names


def test_empty_text_is_an_empty_cell_and_unknown_is_not_zero(tmp_path):
    frame = pd.DataFrame({"juridiction": ["Agen", ""], "entrées": [float("nan"), 0.0]})
    path = xlsx.write_annex({"T": Table(frame, {"entrées": "count"})}, tmp_path / "d.xlsx", "x", demo=False)
    ws = load_workbook(path)["T"]
    assert ws["A3"].value is None and ws["B2"].value is None  # empty text, unknown value: empty cells
    assert ws["B3"].value == 0 and ws["B3"].number_format == "#,##0"  # a true zero stays a zero
