"""Validation corpus: every bad register file is rejected with located French problems and
nothing is written; good files in CSV, XLSX and Parquet give the same indicators."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cpc_toolkit.errors import ReasonCode, ValidationError
from cpc_toolkit.registers.importer import import_register
from cpc_toolkit.registers.io import luhn_ok, read_table, validate
from cpc_toolkit.store import Store

TODAY = dt.date(2026, 1, 20)

PROC_HEADER = "Numéro RG;Juridiction;Type de procédure;Date d'ouverture;Date de fin;Salariés;" \
              "Forme du débiteur;Dénomination;SIREN;Code NAF"
PROC_OK = [
    "25/001;tj-lyon;Redressement judiciaire;03/02/2025;;312;personne morale;Société Fictive Alpha 1 SAS;"
    "732829320;62.01Z",
    "25/002;tj-lyon;conciliation;2025-01-10;2025-06-20;4;PM;Société Fictive Bêta 2 SARL;;",
    "25/003;Tribunal judiciaire de Lyon;LJ;2025-03-01;;0;personne physique;Entreprise individuelle fictive "
    "Gamma 3;;01.11Z",
]


def _csv(tmp_path: Path, lines: list[str], name: str = "registre.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def _reject(tmp_path: Path, path: Path, register_type: str = "procedures") -> ValidationError:
    store = Store(tmp_path / "donnees")
    with pytest.raises(ValidationError) as info:
        import_register(store, register_type, path, today=TODAY)
    assert not (tmp_path / "donnees").exists(), "a rejected file must not write anything"
    err = info.value
    assert "rien n'a été enregistré" in err.message or err.problems == []
    return err


@pytest.mark.parametrize(("bad_line", "line", "column", "reason", "words"), [
    ("25/009;tj-lyon;conciliation;31/02/2025;;3;PM;;;", 5, "date_ouverture", ReasonCode.TYPE_DATE,
     "date illisible"),
    ("25/009;tj-atlantide;conciliation;2025-02-01;;3;PM;;;", 5, "juridiction", ReasonCode.UNKNOWN_COURT,
     "juridiction inconnue"),
    ("25/009;tj-lyon;liquidation judiciaire;2025-02-01;;-4;PM;;;", 5, "salaries", ReasonCode.RANGE,
     "négative"),
    ("25/009;tj-lyon;liquidation judiciaire;2025-02-01;;4;PM;;732829321;", 5, "siren", ReasonCode.TYPE_TEXT,
     "SIREN invalide"),
    ("25/009;tj-lyon;faillite;2025-02-01;;4;PM;;;", 5, "type_procedure", ReasonCode.TYPE_TEXT,
     "valeur inconnue"),
    ("25/009;tj-lyon;conciliation;2026-03-01;;4;PM;;;", 5, "date_ouverture", ReasonCode.DATE_FUTURE,
     "postérieure à aujourd'hui"),
    ("25/009;tj-lyon;conciliation;2025-03-01;2025-02-01;4;PM;;;", 5, "date_fin", ReasonCode.CONSISTENCY,
     "antérieure à l'ouverture"),
    ("25/001;tj-lyon;conciliation;2025-03-01;;4;PM;;;", 5, "identifiant", ReasonCode.CONSISTENCY,
     "en double"),
    ("25/009;tj-lyon;liquidation judiciaire;2025-03-01;;2,5;PM;;;", 5, "salaries", ReasonCode.TYPE_INTEGER,
     "entier"),
    ("25/009;tj-lyon;liquidation judiciaire;2025-03-01;;;PM;;;", 5, "salaries", ReasonCode.REQUIRED,
     "procédure collective"),
    ("25/009;tj-lyon;conciliation;2025-03-01;;4;;;;", 5, "forme_debiteur", ReasonCode.REQUIRED,
     "obligatoire"),
    ("25/009;tj-lyon;conciliation;2025-03-01;;4;PM;;;1234", 5, "secteur_naf", ReasonCode.TYPE_TEXT, "NAF"),
])
def test_bad_cell_is_located(tmp_path: Path, bad_line: str, line: int, column: str, reason: ReasonCode,
                             words: str) -> None:
    path = _csv(tmp_path, [PROC_HEADER, *PROC_OK, bad_line])
    err = _reject(tmp_path, path)
    assert len(err.problems) == 1, [str(p) for p in err.problems]
    prob = err.problems[0]
    assert (prob.file, prob.row, prob.column, prob.reason) == ("registre.csv", line, column, reason)
    assert words in prob.message
    assert f"ligne {line}" in str(prob) and f"colonne « {column} »" in str(prob)


def test_missing_required_column(tmp_path: Path) -> None:
    path = _csv(tmp_path, ["Numéro;Juridiction;Date d'ouverture", "1;tj-lyon;2025-01-01"])
    err = _reject(tmp_path, path)
    missing = sorted(p.column for p in err.problems)
    assert missing == ["forme_debiteur", "type_procedure"]
    assert all(p.reason == ReasonCode.REQUIRED and "colonne obligatoire absente" in p.message
               for p in err.problems)
    assert "en-têtes acceptés" in err.problems[0].message


def test_all_problems_collected_lazily(tmp_path: Path) -> None:
    lines = [PROC_HEADER, *PROC_OK,
             "25/010;tj-lyon;conciliation;99/99/2025;;3;PM;;;",
             "",  # blank line: skipped but counted in line numbers
             "25/011;tj-nulle-part;conciliation;2025-01-01;;-1;PM;;123456789;"]
    err = _reject(tmp_path, _csv(tmp_path, lines))
    where = sorted((p.row, p.column) for p in err.problems)
    assert where == [(5, "date_ouverture"), (7, "juridiction"), (7, "salaries"), (7, "siren")]
    assert err.details["total"] == 4 and "4 problèmes" in err.message


def test_empty_and_unsupported_files(tmp_path: Path) -> None:
    err = _reject(tmp_path, _csv(tmp_path, [PROC_HEADER]))
    assert "aucune ligne" in err.problems[0].message
    other = tmp_path / "registre.ods"
    other.write_bytes(b"PK\x03\x04")
    assert _reject(tmp_path, other).reason == ReasonCode.FILE_FORMAT
    macro = tmp_path / "registre.xlsm"
    macro.write_bytes(b"PK\x03\x04")
    assert _reject(tmp_path, macro).reason == ReasonCode.FILE_MACROS
    broken = tmp_path / "registre.xlsx"
    broken.write_bytes(b"not a zip at all")
    err = _reject(tmp_path, broken)
    assert err.reason == ReasonCode.FILE_FORMAT and "pas un classeur Excel" in err.message
    assert "Exportez le registre" in err.message
    truncated = tmp_path / "registre.xlsx"
    truncated.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    err = _reject(tmp_path, truncated)
    assert err.reason == ReasonCode.FILE_UNREADABLE and "endommagé" in err.message


def test_measures_cross_checks(tmp_path: Path) -> None:
    header = "identifiant,juridiction,type_mesure,date_ouverture,duree_mois,date_dernier_renouvellement," \
             "duree_renouvellement_mois,date_dernier_compte_recu,date_dernier_compte_verifie"
    lines = [header,
             "M1,tj-lyon,tutelle,2020-01-01,60,2024-01-01,,,",  # renewal without duration
             "M2,tj-lyon,sauvegarde,2025-01-01,24,,,,",  # sauvegarde > 12 months
             "M3,tj-lyon,tutelle,2020-01-01,130,,,,",  # initial duration > 120 months
             "M4,tj-lyon,tutelle,2020-01-01,60,2019-01-01,60,,",  # renewal before opening
             "M5,tj-lyon,tutelle,2020-01-01,60,,,2025-05-01,2025-04-01"]  # verified before received
    err = _reject(tmp_path, _csv(tmp_path, lines), "mesures")
    got = sorted((p.row, p.column, p.reason) for p in err.problems)
    assert got == [(2, "duree_renouvellement_mois", ReasonCode.REQUIRED),
                   (3, "duree_mois", ReasonCode.RANGE),
                   (4, "duree_mois", ReasonCode.RANGE),
                   (5, "date_dernier_renouvellement", ReasonCode.CONSISTENCY),
                   (6, "date_dernier_compte_verifie", ReasonCode.CONSISTENCY)]


def test_orders_cross_checks(tmp_path: Path) -> None:
    lines = ["identifiant;juridiction;date_demande;date_decision;oppi_saisine;oppi_decision",
             "1;tj-lyon;2025-03-05;2025-03-01;;",
             "2;tj-lyon;2025-03-05;;;2025-03-06 10:00",
             "3;tj-lyon;2025-03-05;;2025-03-05 10:00;2025-03-05 09:00"]
    err = _reject(tmp_path, _csv(tmp_path, lines), "ordonnances")
    assert sorted((p.row, p.column) for p in err.problems) == [(2, "date_decision"), (3, "oppi_saisine"),
                                                               (4, "oppi_decision")]


def test_luhn() -> None:
    s = pd.Series(["732829320", "732829321", "12345678", "abcdefghi", "", "443061841"])
    assert luhn_ok(s).tolist() == [True, False, False, False, False, True]


def _xlsx(path: Path, header: list[str], data: list[list[object]], title: str = "Registre") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    ws.append(["Export du logiciel — registre fictif"])  # a title row above the header
    ws.append([])
    ws.append(header)
    for row in data:
        ws.append(row)
    wb.save(path)
    return path


def test_csv_xlsx_parquet_give_same_indicators(tmp_path: Path) -> None:
    csv_path = _csv(tmp_path, [PROC_HEADER, *PROC_OK], encoding="cp1252")
    raw = read_table(csv_path, "procedures")
    typed, _ = validate(raw, "procedures", TODAY)
    header = PROC_HEADER.split(";")
    data = [[c or None for c in line.split(";")] for line in PROC_OK]
    for row in data:
        row[3] = dt.datetime.strptime(row[3], "%d/%m/%Y") if "/" in row[3] else dt.date.fromisoformat(row[3])
        row[5] = int(row[5])
    xlsx = _xlsx(tmp_path / "registre.xlsx", header, data)
    typed_x, _ = validate(read_table(xlsx, "procedures"), "procedures", TODAY)
    parquet = tmp_path / "registre.parquet"
    typed.drop(columns="ligne").to_parquet(parquet)
    typed_p, _ = validate(read_table(parquet, "procedures"), "procedures", TODAY)
    cols = ["identifiant", "juridiction", "type_procedure", "date_ouverture", "salaries", "siren"]
    pd.testing.assert_frame_equal(typed[cols], typed_x[cols])
    pd.testing.assert_frame_equal(typed[cols], typed_p[cols])
    assert typed["juridiction"].tolist() == ["tj-lyon"] * 3
    assert typed["type_procedure"].tolist() == ["redressement_judiciaire", "conciliation",
                                                "liquidation_judiciaire"]
    assert read_table(xlsx, "procedures").rows.tolist() == [4, 5, 6]  # rows as seen in the sheet


def test_xlsx_problem_points_to_sheet_row(tmp_path: Path) -> None:
    xlsx = _xlsx(tmp_path / "registre.xlsx", ["identifiant", "juridiction", "date_demande"],
                 [["1", "tj-lyon", dt.date(2025, 1, 2)], ["2", "tj-lyon", "hier"]])
    err = _reject(tmp_path, xlsx, "ordonnances")
    assert [(p.row, p.column, p.value) for p in err.problems] == [(5, "date_demande", "hier")]


def test_unknown_columns_are_ignored_with_warning(tmp_path: Path) -> None:
    path = _csv(tmp_path, ["identifiant;juridiction;date_demande;nom_victime",
                           "1;tj-lyon;2025-01-02;Madame X"])
    typed, warnings = validate(read_table(path, "ordonnances"), "ordonnances", TODAY)
    assert "nom_victime" not in typed.columns
    assert warnings and "nom_victime" in warnings[0]
