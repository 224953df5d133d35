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
