"""The hostile and broken input corpus: every case is refused with a located French error, the
command exits 1, and the store's files are byte-identical before and after."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from cpc_toolkit.collect.layout import TEXT_MAX_CHARS
from cpc_toolkit.store import Store

from .conftest import COURT, DATA, YEAR, edit, filled_bytes, named_cell, patch_cell, set_named, zip_replace

GOOD = f"clpc_{YEAR}_{COURT}.xlsx"


def _billion_laughs(raw: bytes) -> bytes:
    dtd = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
           b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
           b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')
    body = raw.split(b"?>", 1)[1] if raw.startswith(b"<?xml") else raw
    return dtd + body.replace(b"<t>", b"<t>&lol3;", 1)


def _late_doctype(raw: bytes) -> bytes:
    # DTD after 20 KB of comments: past the quick pre-scan, caught by openpyxl + defusedxml
    body = raw.split(b"?>", 1)[1] if raw.startswith(b"<?xml") else raw
    pad = b"<!--" + b" " * 20000 + b"-->"
    return b'<?xml version="1.0" encoding="UTF-8"?>' + pad + b'<!DOCTYPE x [<!ENTITY e "boom">]>' + body


def _vba(data: bytes) -> bytes:
    return zip_replace(data, {}, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 512})


def _bomb(data: bytes) -> bytes:
    return zip_replace(data, {}, add={"xl/media/filler.xml": b"<a>" + b" " * (40 * 1024 * 1024) + b"</a>"})


def _dimension(data: bytes) -> bytes:
    from .conftest import sheet_member
    member = sheet_member(data, "VIF")
    return zip_replace(data, {member: lambda raw: raw.replace(b'<dimension ref="', b'<dimension ref="A1:XFD1048576" x="', 1)})


def _corrupt(data: bytes) -> bytes:
    # flip bytes inside a compressed member (CRC mismatch when read)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo("xl/worksheets/sheet3.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 40
    b = bytearray(data)
    for k in range(start, start + 60):
        b[k] ^= 0x5A
    return bytes(b)


def _plain_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("lisez-moi.txt", "pas un classeur")
    return buf.getvalue()


def _del_sheet(wb: openpyxl.Workbook) -> None:
    del wb["VIF"]


def _rename_sheet(wb: openpyxl.Workbook) -> None:
    wb["Amiable"].title = "Amiable (copie)"


def _del_name(wb: openpyxl.Workbook) -> None:
    del wb.defined_names["act_cg_entrees"]


def _range_name(wb: openpyxl.Workbook) -> None:
    wb.defined_names["act_cg_entrees"].attr_text = "'Activité civile'!$B$5:$B$6"


def _other_court(court: str) -> bytes:
    return filled_bytes(court, YEAR)


def _future_date() -> dt.date:
    return dt.date.today() + dt.timedelta(days=40)


def _injection(data: bytes) -> bytes:
    data = set_named(data, act_cg_entrees=-1)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    c = named_cell(wb, "clpc_priorites_locales")
    c.value = "=HYPERLINK(\"http://exemple.invalid\",\"cliquez\")"
    c.data_type = "s"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _hidden_sheet(state: str) -> Callable[[openpyxl.Workbook], None]:
    def fn(wb: openpyxl.Workbook) -> None:
        ws = wb.create_sheet("Données")
        ws["B5"] = 123456
        ws.sheet_state = state
    return fn


def _move_name(target: str) -> Callable[[openpyxl.Workbook], None]:
    def fn(wb: openpyxl.Workbook) -> None:
        wb.defined_names["act_cg_entrees"].attr_text = target
    return fn


def _duplicate_member(data: bytes) -> bytes:
    from .conftest import sheet_member
    from .hostile_files import duplicate_member

    member = sheet_member(data, "Activité civile")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        raw = zf.read(member)
    return duplicate_member(data, member, raw.replace(b"<v>", b"<v>9", 1))


def _big_sheet(data: bytes) -> bytes:
    from .conftest import sheet_member
    from .hostile_files import big_sheet

    return big_sheet(data, sheet_member(data, "Amiable"))


def _lying_bomb(data: bytes) -> bytes:
    from .hostile_files import lying_bomb

    return lying_bomb(data, 64 * 1_048_576)


def _text(**values: object) -> bytes:
    return set_named(F(), **values, **{f"{k}__statut": None for k in values})


# name -> (file name, bytes factory, expected reason, expected (sheet, cell) or None, extra CLI args)
Case = tuple[str, Callable[[], bytes], str, tuple[str, str] | None, tuple[str, ...]]
F = filled_bytes
CASES: dict[str, Case] = {
    "texte_dans_nombre": (GOOD, lambda: set_named(F(), act_cg_entrees="beaucoup"), "type_number",
                          ("Activité civile", "B5"), ()),
    "effectif_negatif": (GOOD, lambda: set_named(F(), act_cg_sorties=-3), "range", ("Activité civile", "B6"), ()),
    "decimal_pour_entier": (GOOD, lambda: set_named(F(), act_jaf_entrees=12.5), "type_integer",
                            ("Activité civile", "B10"), ()),
    "delai_hors_borne": (GOOD, lambda: set_named(F(), act_cg_delai_moyen=500), "range", ("Activité civile", "B9"), ()),
    "jours_hors_borne": (GOOD, lambda: set_named(F(), vif_op_delai_moyen=400), "range", None, ()),
    "date_future": (GOOD, lambda: set_named(F(), clpc_tenu="oui", clpc_date=_future_date()), "date_future",
                    ("CLPC", "B6"), ()),
    "date_impossible": (GOOD, lambda: set_named(F(), clpc_tenu="oui", clpc_date="31/02/2025"), "type_date",
                        ("CLPC", "B6"), ()),
    "date_autre_annee": (GOOD, lambda: set_named(F(), clpc_tenu="oui", clpc_date=dt.date(2023, 5, 2)), "range",
                         ("CLPC", "B6"), ()),
    "obligatoire_vide": (GOOD, lambda: set_named(F(), act_cg_entrees=None, act_cg_entrees__statut=None),
                         "required", ("Activité civile", "B5"), ()),
    "oui_non_invalide": (GOOD, lambda: set_named(F(), ami_comite_pilotage="peut-être"), "type_boolean",
                         ("Amiable", "B6"), ()),
    "statut_inconnu": (GOOD, lambda: set_named(F(), act_cg_delai_moyen__statut="XX"), "status_invalid",
                       ("Activité civile", "C9"), ()),
    "valeur_et_statut_na": (GOOD, lambda: set_named(F(), act_cg_entrees__statut="NA"), "status_invalid",
                            ("Activité civile", "B5"), ()),
    "nq_sans_valeur": (GOOD, lambda: set_named(F(), ami_conciliateurs_actifs=None,
                                               ami_conciliateurs_actifs__statut="NQ"), "status_invalid", None, ()),
    "confidentialite_numero_rg": (GOOD, lambda: set_named(F(), clpc_decisions_marquantes="Décision RG 24/01234 du TJ",
                                                          clpc_decisions_marquantes__statut=None),
                                  "confidential", ("CLPC", "B17"), ()),
    "confidentialite_siren": (GOOD, lambda: set_named(F(), clpc_projets="Partenariat avec la société 552 100 554",
                                                      clpc_projets__statut=None), "confidential", ("CLPC", "B16"), ()),
    "texte_trop_long": (GOOD, lambda: set_named(F(), clpc_projets="x" * (TEXT_MAX_CHARS + 1)), "text_too_long",
                        ("CLPC", "B16"), ()),
    "juridiction_inconnue": (GOOD, lambda: set_named(F(), cpc_juridiction="tj-atlantide"), "wrong_court",
                             ("Lisez-moi", "B6"), ()),
    "annee_future": (GOOD, lambda: set_named(F(), cpc_annee=2099), "wrong_year", ("Lisez-moi", "B9"), ()),
    "annee_en_texte": (GOOD, lambda: set_named(F(), cpc_annee="deux mille"), "wrong_year", ("Lisez-moi", "B9"), ()),
    "classeur_autre_juridiction": (GOOD, lambda: _other_court("tj-paris"), "wrong_court", ("Lisez-moi", "B6"), ()),
    "juridiction_attendue": ("clpc_2025_tj-paris.xlsx", lambda: _other_court("tj-paris"), "wrong_court",
                             ("Lisez-moi", "B6"), ("--juridiction", "tj-lyon")),
    "annee_attendue": (GOOD, F, "wrong_year", ("Lisez-moi", "B9"), ("--annee", "2024")),
    "cour_modifiee": (GOOD, lambda: set_named(F(), cpc_cour="ca-paris"), "wrong_court", None, ()),
    "feuille_renommee": (GOOD, lambda: edit(F(), _rename_sheet), "sheet_missing", None, ()),
    "feuille_supprimee": (GOOD, lambda: edit(F(), _del_sheet), "sheet_missing", None, ()),
    "nom_defini_supprime": (GOOD, lambda: edit(F(), _del_name), "defined_name_missing", None, ()),
    "nom_defini_plage": (GOOD, lambda: edit(F(), _range_name), "defined_name_missing", None, ()),
    "formule_sans_valeur": (GOOD, lambda: set_named(F(), act_cg_entrees="=1000+234"), "formula_no_cached_value",
                            ("Activité civile", "B5"), ()),
    "formule_en_erreur": (GOOD, lambda: patch_cell(F(), "Activité civile", "B5",
                                                   '<c r="B5" t="e"><f>1/0</f><v>#DIV/0!</v></c>'),
                          "type_number", ("Activité civile", "B5"), ()),
    "stock_incoherent": (GOOD, lambda: set_named(F(), act_cg_stock_fin=1), "consistency", None, ()),
    "op_decisions_sup_demandes": (GOOD, lambda: set_named(F(), vif_op_accordees=10**6), "consistency", None, ()),
    "comptes_recus_sup_attendus": (GOOD, lambda: set_named(F(), pjm_comptes_recus_30juin=900_000), "consistency",
                                   None, ()),
    "injection_formule": (GOOD, lambda: _injection(F()), "range", ("Activité civile", "B5"), ()),
    "macros_xlsm": ("clpc_2025_tj-lyon.xlsm", F, "file_macros", None, ()),
    "macros_vbaproject": (GOOD, lambda: _vba(F()), "file_macros", None, ()),
    "macros_type_de_contenu": (GOOD, lambda: zip_replace(F(), {"[Content_Types].xml": lambda r: r.replace(
        b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml").replace(
        b"application/vnd.openxmlformats-officedocument.sheet.macroEnabled", b"application/vnd.ms-excel.sheet.macroEnabled")}),
        "file_macros", None, ()),
    "chiffre_mot_de_passe": (GOOD, lambda: (DATA / "encrypted.xlsx").read_bytes(), "file_encrypted", None, ()),
    "format_xls": ("clpc_2025_tj-lyon.xls", lambda: (DATA / "excel97.xls").read_bytes(), "file_format", None, ()),
    "format_ods": ("clpc_2025_tj-lyon.ods", lambda: (DATA / "opendocument.ods").read_bytes(), "file_format", None,
                   ()),
    "format_csv": ("clpc_2025_tj-lyon.csv", lambda: b"indicateur;valeur\nact_cg_entrees;12\n",
                   "file_format", None, ()),
    "zip_tronque": (GOOD, lambda: F()[: len(F()) // 2], "file_unreadable", None, ()),
    "zip_corrompu": (GOOD, lambda: _corrupt(F()), "file_unreadable", None, ()),
    "zip_non_classeur": (GOOD, lambda: _plain_zip(), "file_format", None, ()),
    "bombe_zip": (GOOD, lambda: _bomb(F()), "file_too_large", None, ()),
    "dimension_enorme": (GOOD, lambda: _dimension(F()), "file_too_large", None, ()),
    "entites_xml": (GOOD, lambda: zip_replace(F(), {"xl/worksheets/sheet2.xml": _billion_laughs}), "security",
                    None, ()),
    "dtd_tardive": (GOOD, lambda: zip_replace(F(), {"xl/worksheets/sheet2.xml": _late_doctype}), "security", None,
                    ()),
    "fichier_vide": (GOOD, lambda: b"", "file_unreadable", None, ()),
    # issue 11: bounded refusals
    "feuille_1_2_million_cellules": (GOOD, lambda: _big_sheet(F()), "file_too_large", None, ()),
    "bombe_zip_taille_mensongere": (GOOD, lambda: _lying_bomb(F()), "file_unreadable", None, ()),
    # issue 11: no silent discrepancy
    "membre_zip_en_double": (GOOD, lambda: _duplicate_member(F()), "duplicate_zip_member", None, ()),
    "feuille_masquee_avec_valeurs": (GOOD, lambda: edit(F(), _hidden_sheet("hidden")), "hidden_sheet_values",
                                     ("Données", "B5"), ()),
    "feuille_tres_masquee_avec_valeurs": (GOOD, lambda: edit(F(), _hidden_sheet("veryHidden")),
                                          "hidden_sheet_values", ("Données", "B5"), ()),
    "nom_defini_deplace_autre_feuille": (GOOD, lambda: edit(F(), _move_name("'Amiable'!$B$5")),
                                         "defined_name_misplaced", ("Amiable", "B5"), ()),
    "deux_indicateurs_une_cellule": (GOOD, lambda: edit(F(), _move_name("'Activité civile'!$B$6")),
                                     "cell_shared_by_indicators", ("Activité civile", "B6"), ()),
    "formule_valeur_en_cache_fausse": (GOOD, lambda: patch_cell(F(), "Activité civile", "B5",
                                                                '<c r="B5"><f>1000+234</f><v>99999</v></c>'),
                                       "formula_cached_value_mismatch", ("Activité civile", "B5"), ()),
    # issue 11: plausibility
    "nombre_1e308": (GOOD, lambda: patch_cell(F(), "Activité civile", "B5", '<c r="B5"><v>1E+308</v></c>'),
                     "implausible_value", ("Activité civile", "B5"), ()),
    "nombre_10_puissance_16_plus_1": (GOOD, lambda: patch_cell(F(), "Activité civile", "B5",
                                                               '<c r="B5"><v>10000000000000001</v></c>'),
                                      "implausible_value", ("Activité civile", "B5"), ()),
    "effectif_invraisemblable": (GOOD, lambda: set_named(F(), act_cg_entrees=5_000_000), "implausible_value",
                                 ("Activité civile", "B5"), ()),
    # issue 11: confidentiality (real case references)
    "confidentialite_rg_tiret": (GOOD, lambda: _text(clpc_decisions_marquantes="Affaire RG 24-01234 renvoyée"),
                                 "confidential", ("CLPC", "B17"), ()),
    "confidentialite_numero": (GOOD, lambda: _text(clpc_decisions_marquantes="jugement n° 25/00412"),
                               "confidential", ("CLPC", "B17"), ()),
    "confidentialite_nn_nnnnn": (GOOD, lambda: _text(clpc_projets="le dossier 24/01234 est cité"), "confidential",
                                 ("CLPC", "B16"), ()),
    "confidentialite_portalis": (GOOD, lambda: _text(clpc_projets="Portalis DBVX-V-B7H-MXYZ"), "confidential",
                                 ("CLPC", "B16"), ()),
    "confidentialite_siren_espaces_fines": (GOOD, lambda: _text(clpc_projets="société 552\u202f100\u202f554"),
                                            "confidential", ("CLPC", "B16"), ()),
    "confidentialite_siren_points": (GOOD, lambda: _text(clpc_projets="société 552.100.554"), "confidential",
                                     ("CLPC", "B16"), ()),
    "confidentialite_siren_chasse_nulle": (GOOD, lambda: _text(clpc_projets="société 552\u200b100\u200b554"),
                                           "confidential", ("CLPC", "B16"), ()),
    # issue 11: control characters in file names
    "nom_avec_echappement_ESC": ("clpc_2025_tj-lyon\x1b[2J.xlsx", lambda: set_named(F(), act_cg_entrees="x"),
                                 "type_number", ("Activité civile", "B5"), ()),
    "nom_avec_saut_de_ligne": ("clpc_2025_tj-lyon\n✔ faux.xlsx — tj-lyon 2025 : accepté.xlsx",
                               lambda: set_named(F(), act_cg_entrees="x"), "type_number",
                               ("Activité civile", "B5"), ()),
    "binaire_quelconque": (GOOD, lambda: os.urandom(3000), "file_format", None, ()),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_case_refused_store_unchanged(case: str, base_store: Store, tmp_path: Path, cli) -> None:
    name, make, reason, where, extra = CASES[case]
    path = tmp_path / name
    path.write_bytes(make())
    before = base_store.file_digest()
    assert before, "the shared store must not be empty"
    rc, out, err = cli("--donnees", str(base_store.root), "importer", str(path), "--sans-progression", *extra)
    assert rc == 1, out + err
    assert base_store.file_digest() == before
    assert f"[{reason}]" in out, out
    assert "refusé" in out and "Traceback" not in out + err
    assert "\x1b" not in out + err and not any(line.startswith("✔") for line in out.splitlines()), out
    if where is not None:
        sheet, cell = where
        assert f"feuille « {sheet} », cellule {cell}" in out, out
    # the error report exists and lists the problems
    report = next(line.split(" : ", 1)[1] for line in out.splitlines() if "Rapport d'erreurs" in line)
    wb = openpyxl.load_workbook(report)
    assert wb.sheetnames[0] == "Problèmes"
    codes = {wb["Problèmes"].cell(r, 9).value for r in range(6, wb["Problèmes"].max_row + 1)}
    assert reason in codes


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 65


def test_percent_above_100_refused() -> None:
    """No input is a percentage in today's catalogue: the rule is checked on a synthetic indicator."""
    from cpc_toolkit.catalogue import Indicator
    from cpc_toolkit.collect.problems import Problem
    from cpc_toolkit.collect.reader import RawCell, _input_value

    ind = Indicator(id="x_taux", family="activite", label="Taux", definition="d", unit="percent", kind="input",
                    aggregation="median", direction="neutral", sheet="S")
    row, probs = _input_value(ind, RawCell("S", "B5", 120), None, "f.xlsx", 2025, dt.date(2026, 1, 1))
    assert row is None and probs and isinstance(probs[0], Problem) and probs[0].reason.value == "range"
    row, probs = _input_value(ind, RawCell("S", "B5", 0.5, number_format="0%"), None, "f.xlsx", 2025,
                              dt.date(2026, 1, 1))
    assert row == ("x_taux", 50.0, None, "ok") and not probs


def test_injection_neutralised_in_error_report(base_store: Store, tmp_path: Path, cli) -> None:
    path = tmp_path / GOOD
    path.write_bytes(_injection(filled_bytes()))
    rc, out, _ = cli("--donnees", str(base_store.root), "importer", str(path), "--sans-progression")
    assert rc == 1
    report = next(line.split(" : ", 1)[1] for line in out.splitlines() if "Rapport d'erreurs" in line)
    with zipfile.ZipFile(report) as zf:
        xml = b"".join(zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>HYPERLINK" not in xml and b"<f>=HYPERLINK" not in xml
    wb = openpyxl.load_workbook(report)
    cell = named_cell(wb, "clpc_priorites_locales")
    assert cell.data_type == "s" and cell.quotePrefix and cell.value.startswith("=HYPERLINK")
    # the highlighted cell of the error
    assert named_cell(wb, "act_cg_entrees").fill.fgColor.rgb.endswith("FF7C80")
    assert named_cell(wb, "act_cg_entrees").comment is not None


def test_non_utf8_file_name(base_store: Store, tmp_path: Path, cli) -> None:
    raw = os.fsencode(str(tmp_path)) + b"/clpc_2025_\xe9t\xe9.xlsx"
    with open(raw, "wb") as fh:
        fh.write(set_named(filled_bytes(), act_cg_entrees="x"))
    before = base_store.file_digest()
    rc, out, _ = cli("--donnees", str(base_store.root), "importer", os.fsdecode(raw), "--sans-progression")
    assert rc == 1 and base_store.file_digest() == before
    assert "clpc_2025_\ufffdt\ufffd.xlsx" in out and "[type_number]" in out
