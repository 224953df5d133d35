"""Collection workbook → validated import → confidential store (versions, no-op, nothing lost)."""

from __future__ import annotations

import datetime as dt
import io
import os
import stat
from pathlib import Path

import openpyxl
import pytest

from cpc_toolkit.collect.archive import OUTCOME_LABELS, RECEIPT_COLUMNS, Archive
from cpc_toolkit.errors import ReasonCode
from cpc_toolkit.remontees import workbook as wbk
from cpc_toolkit.remontees.importer import import_file, parse_workbook


def _modes(root: Path) -> list[tuple[str, str]]:
    """(kind, path) of every entry below root whose mode is not owner-only."""
    bad = []
    for dirpath, _dirnames, filenames in os.walk(root):
        if stat.S_IMODE(os.stat(dirpath).st_mode) != 0o700:
            bad.append(("dir", dirpath))
        for f in filenames:
            p = os.path.join(dirpath, f)
            if stat.S_IMODE(os.stat(p).st_mode) != 0o600:
                bad.append(("file", p))
    return bad


def test_hand_filled_workbook_imports(rstore, tmp_path, h):
    events = [{"N° du signalement": 1, "Date": dt.datetime(2025, 4, 2), "Événement": "audience",
               "Description": "audience d'ouverture"}]
    second = {**h.BASE_CASE, "Juridiction saisie": "tc-villefranche-sur-saone-tarare", "SIREN": "732 829 320",
              "Dénomination de l'entreprise": "Deuxième Société (fictive)", "Effectif salarié": 90,
              "Critère : plus de 250 salariés": "non", "Critère : attention médiatique": "oui",
              "Emplois menacés": None, "Code NAF": "2910z"}
    data = h.fill("ca-lyon", 2025, [h.BASE_CASE, second], events)
    res = import_file(h.write(tmp_path, "remontees_2025_ca-lyon.xlsx", data), rstore, today=h.TODAY)
    assert res.outcome == "accepte", [str(p) for p in res.problems]
    assert (res.cour_id, res.year, res.version, res.n_cases, res.n_events) == ("ca-lyon", 2025, 1, 2, 1)
    cases = rstore.cases()
    assert list(cases["case_id"]) == ["ca-lyon-2025-001", "ca-lyon-2025-002"]
    assert list(cases["siren"]) == ["552100554", "732829320"]
    assert list(cases["naf"]) == ["29.10Z", "29.10Z"]
    assert list(cases["criteria"]) == ["plus_250_salaries", "mediatisation"]
    assert cases["employees"].tolist() == [420, 90]
    assert cases["opening_date"].tolist() == ["2025-03-03", "2025-03-03"]
    ev = rstore.events()
    assert ev["case_id"].tolist() == ["ca-lyon-2025-001"] and ev["event_type"].tolist() == ["audience"]


def test_owner_only_modes_even_with_permissive_umask(rstore, tmp_path, h):
    old = os.umask(0o022)
    try:
        good = h.fill("ca-lyon", 2025, [h.BASE_CASE])
        bad = h.fill("ca-lyon", 2025, [{**h.BASE_CASE, "SIREN": "552100555"}])
        assert import_file(h.write(tmp_path, "a.xlsx", good), rstore, today=h.TODAY).outcome == "accepte"
        assert import_file(h.write(tmp_path, "b.xlsx", bad), rstore, today=h.TODAY).outcome == "refuse"
    finally:
        os.umask(old)
    top = rstore.top
    assert any(p.suffix == ".parquet" for p in rstore.base.iterdir())
    assert list((rstore.base / "erreurs").iterdir()), "error report expected"
    assert _modes(top) == []


def test_same_bytes_twice_is_a_noop(rstore, tmp_path, h):
    path = h.write(tmp_path, "x.xlsx", h.fill("ca-lyon", 2025, [h.BASE_CASE]))
    assert import_file(path, rstore, today=h.TODAY).outcome == "accepte"
    before = rstore.file_digest()
    receipts = len(rstore.receipts())
    again = import_file(path, rstore, today=h.TODAY)
    assert again.outcome == "deja_importe" and again.version == 1
    assert rstore.file_digest() == before  # nothing changed in the register…
    rec = rstore.receipts()
    assert len(rec) == receipts + 1  # …but the reception is recorded, like Collecte's
    dup = rec.iloc[-1]
    assert dup["outcome"] == "duplicate" and dup["sha256"] == again.sha256 and dup["file_name"] == "x.xlsx"
    assert (dup["court_id"], int(dup["year"])) == ("ca-lyon", 2025)
    assert dup["submission_id"] == rstore.submissions()["submission_id"].iloc[0]
    assert (rstore.base / dup["archive_path"]).read_bytes() == path.read_bytes()
    assert list(rec.columns) == RECEIPT_COLUMNS
    full = Archive(rstore.base).receipt(dup["receipt_id"])
    assert [p["reason"] for p in full["problems"]] == [ReasonCode.DUPLICATE_FILE.value]
    assert OUTCOME_LABELS[dup["outcome"]] == "déjà reçu (sans effet)"


def test_resubmission_supersedes_and_keeps_history(rstore, tmp_path, h):
    v1 = h.fill("ca-lyon", 2025, [h.BASE_CASE])
    v2 = h.fill("ca-lyon", 2025, [{**h.BASE_CASE, "Statut": "plan arrêté"}],
                [{"N° du signalement": 1, "Date": dt.datetime(2025, 9, 1), "Événement": "plan"}])
    import_file(h.write(tmp_path, "v1.xlsx", v1), rstore, today=h.TODAY)
    res = import_file(h.write(tmp_path, "v2.xlsx", v2), rstore, today=h.TODAY)
    assert res.version == 2
    subs = rstore.submissions()
    assert sorted(zip(subs["version"], subs["status"], strict=True)) == [(1, "superseded"), (2, "accepted")]
    assert rstore.cases()["statut"].tolist() == ["plan"]
    assert len(rstore.cases(current=False)) == 2
    assert rstore.events()["event_type"].tolist() == ["plan"]
    assert sorted(rstore.receipts()["outcome"]) == ["accepted", "accepted"]
    assert len(list(rstore.archive_dir.rglob("*.xlsx"))) == 2


def test_rejected_file_changes_nothing_and_gets_an_error_report(rstore, tmp_path, h):
    import_file(h.write(tmp_path, "ok.xlsx", h.fill("ca-lyon", 2025, [h.BASE_CASE])), rstore, today=h.TODAY)
    before = rstore.file_digest()
    cases_before = rstore.cases()
    bad_case = {**h.BASE_CASE, "SIREN": "552100555", "Effectif salarié": "beaucoup",
                "Date du signalement": dt.datetime(2027, 1, 1), "Juridiction saisie": "tj-paris"}
    data = h.fill("ca-lyon", 2025, [bad_case])
    blob = h.write(tmp_path, "bad.xlsx", data)
    res = import_file(blob, rstore, today=h.TODAY)
    assert res.outcome == "refuse"
    assert rstore.file_digest() == before
    assert rstore.cases().equals(cases_before)
    by_cell = {p.cell: p.reason for p in res.problems if p.level == "erreur"}
    cols = h.headers(openpyxl.load_workbook(io.BytesIO(data))[wbk.CASES_SHEET])

    def cell(label: str) -> str:
        return f"{openpyxl.utils.get_column_letter(cols[label])}{wbk.HEADER_ROW + 1}"

    assert by_cell[cell("SIREN")] == ReasonCode.TYPE_TEXT
    assert by_cell[cell("Effectif salarié")] == ReasonCode.TYPE_NUMBER
    assert by_cell[cell("Date du signalement")] == ReasonCode.DATE_FUTURE
    assert by_cell[cell("Juridiction saisie")] == ReasonCode.WRONG_COURT
    # archived byte-for-byte with its outcome
    (kept,) = rstore.archive_dir.rglob(f"{res.sha256}.xlsx")
    assert kept.read_bytes() == data
    assert "rejected" in set(rstore.receipts()["outcome"])
    # error report: same cell highlighted + a list of problems
    rep = openpyxl.load_workbook(res.error_report)
    assert rep.sheetnames[0] == "Problèmes" and rep["Problèmes"].max_row == 5 + len(res.problems)
    assert rep[wbk.CASES_SHEET][cell("SIREN")].fill.fgColor.rgb.endswith("FF7C80")
    assert rep[wbk.CASES_SHEET][cell("SIREN")].comment is not None


def _rename_sheet(wb):  # type: ignore[no-untyped-def]
    wb[wbk.CASES_SHEET].title = "Feuil1"


def _drop_name(wb):  # type: ignore[no-untyped-def]
    del wb.defined_names["rem_sig_siren"]


def _wrong_cour(wb):  # type: ignore[no-untyped-def]
    wb[wbk.README_SHEET]["B4"] = "ca-atlantide"


def _formula(wb):  # type: ignore[no-untyped-def]
    wb[wbk.CASES_SHEET]["H5"] = "=300+120"


@pytest.mark.parametrize(("case", "tweak", "reason"), [
    ({"Effectif salarié": -3}, None, ReasonCode.RANGE),
    ({"Effectif salarié": 420.5}, None, ReasonCode.TYPE_INTEGER),
    ({"Date d'ouverture": "31/02/2025"}, None, ReasonCode.TYPE_DATE),
    ({"Code NAF": "2910"}, None, ReasonCode.TYPE_TEXT),
    ({"SIREN": "55210055"}, None, ReasonCode.TYPE_TEXT),
    ({"Type de procédure": "faillite"}, None, ReasonCode.TYPE_TEXT),
    ({"Dénomination de l'entreprise": None}, None, ReasonCode.REQUIRED),
    ({"Dénomination de l'entreprise": "x" * 300}, None, ReasonCode.TEXT_TOO_LONG),
    ({"Critère : plus de 250 salariés": "non"}, None, ReasonCode.REQUIRED),  # no criterion at all
    ({"Effectif salarié": 100}, None, ReasonCode.CONSISTENCY),  # > 250 ticked, 100 employees
    ({"Emplois menacés": 500}, None, ReasonCode.CONSISTENCY),
    ({"Date du signalement": dt.datetime(2024, 12, 1)}, None, ReasonCode.WRONG_YEAR),
    ({}, _rename_sheet, ReasonCode.NAME_MISSING),
    ({}, _drop_name, ReasonCode.NAME_MISSING),
    ({}, _wrong_cour, ReasonCode.WRONG_COURT),
    ({}, _formula, ReasonCode.FORMULA_NO_CACHE),
])
def test_bad_content_is_located_and_rejected(rstore, tmp_path, h, case, tweak, reason):
    import_file(h.write(tmp_path, "ok.xlsx", h.fill("ca-lyon", 2025, [h.BASE_CASE])), rstore, today=h.TODAY)
    before = rstore.file_digest()
    data = h.fill("ca-lyon", 2025, [{**h.BASE_CASE, **case}], tweak=tweak)
    res = import_file(h.write(tmp_path, "bad.xlsx", data), rstore, today=h.TODAY)
    assert res.outcome == "refuse"
    assert reason in {p.reason for p in res.problems if p.level == "erreur"}, [str(p) for p in res.problems]
    assert all(p.message and p.file == "bad.xlsx" for p in res.problems)
    assert rstore.file_digest() == before


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("r.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, ReasonCode.FILE_FORMAT),
    ("r.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"),
     ReasonCode.FILE_ENCRYPTED),
    ("r.csv", "N°;SIREN\n1;552100554\n".encode(), ReasonCode.FILE_FORMAT),
    ("r.xlsx", b"PK\x03\x04 truncated", ReasonCode.FILE_UNREADABLE),
])
def test_wrong_containers_are_refused(rstore, tmp_path, h, name, data, reason):
    res = import_file(h.write(tmp_path, name, data), rstore, today=h.TODAY)
    assert res.outcome == "refuse" and [p.reason for p in res.problems] == [reason]
    assert not rstore.exists()


def test_truncated_and_macro_workbooks(rstore, tmp_path, h):
    data = h.fill("ca-lyon", 2025, [h.BASE_CASE])
    res = import_file(h.write(tmp_path, "t.xlsx", data[: len(data) // 2]), rstore, today=h.TODAY)
    assert res.outcome == "refuse" and res.problems[0].reason == ReasonCode.FILE_UNREADABLE
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("xl/vbaProject.bin", b"\0" * 64)
    res = import_file(h.write(tmp_path, "m.xlsx", buf.getvalue()), rstore, today=h.TODAY)
    assert res.outcome == "refuse" and res.problems[0].reason == ReasonCode.FILE_MACROS
    res = import_file(h.write(tmp_path, "m.xlsm", data), rstore, today=h.TODAY)
    assert res.outcome == "refuse" and res.problems[0].reason == ReasonCode.FILE_MACROS
    assert not rstore.exists()


def test_blank_workbook_is_refused_not_an_empty_version(rstore, tmp_path, h):
    res = import_file(h.write(tmp_path, "blank.xlsx", wbk.build_workbook("ca-lyon", 2025)), rstore, today=h.TODAY)
    assert res.outcome == "refuse" and res.problems[0].reason == ReasonCode.REQUIRED


def test_inserted_rows_and_moved_columns_are_tolerated(h):
    def insert(wb):  # type: ignore[no-untyped-def]
        # a user inserts two rows above the table: openpyxl does not move defined names, so move them as
        # Excel would; the import must follow the names, not fixed positions
        ws = wb[wbk.CASES_SHEET]
        ws.insert_rows(1, 2)
        for name, dn in list(wb.defined_names.items()):
            if name.startswith(wbk.CASE_PREFIX):
                sheet, ref = next(iter(dn.destinations))
                col = "".join(c for c in ref if c.isalpha())
                row = int("".join(c for c in ref if c.isdigit())) + 2
                dn.attr_text = f"'{sheet}'!${col}${row}"

    data = h.fill("ca-lyon", 2025, [h.BASE_CASE], tweak=insert)
    parsed = parse_workbook(data, "x.xlsx", today=h.TODAY)
    assert parsed.errors == [] and parsed.cases["denomination"].tolist() == ["Société Exemple (fictive)"]


def test_warning_when_more_than_threshold_but_criterion_not_ticked(rstore, tmp_path, h):
    case = {**h.BASE_CASE, "Critère : plus de 250 salariés": "non", "Critère : attention médiatique": "oui"}
    res = import_file(h.write(tmp_path, "w.xlsx", h.fill("ca-lyon", 2025, [case])), rstore, today=h.TODAY)
    assert res.outcome == "accepte"
    assert [p.level for p in res.problems] == ["avertissement"]
    assert rstore.submissions()["n_warnings"].tolist() == [1]


def test_entity_expansion_is_refused(rstore, tmp_path, h):
    import zipfile
    data = h.fill("ca-lyon", 2025, [h.BASE_CASE])
    doctype = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            raw = src.read(item)
            if item.filename == "xl/workbook.xml":
                raw = raw.replace(b"<workbook", doctype + b"<workbook", 1)
            dst.writestr(item, raw)
    res = import_file(h.write(tmp_path, "e.xlsx", buf.getvalue()), rstore, today=h.TODAY)
    assert res.outcome == "refuse" and res.problems[0].reason == ReasonCode.SECURITY
    assert not rstore.exists()
