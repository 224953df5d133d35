"""The editable documents of the circulaire (§ 1.2): convocation, compte rendu, rapport annuel.

Built from the demo data (with planted confidential names in the registers and remontées), written
as ODT, DOCX and PDF, opened by LibreOffice (Debian ``soffice``) and by python-docx; assertions are
on their content.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from cpc_toolkit import catalogue, reference
from cpc_toolkit.cli.main import main
from cpc_toolkit.demo.generate import demo_conseil
from cpc_toolkit.fr import format_value
from cpc_toolkit.render.data import load
from cpc_toolkit.render.documents import builders
from cpc_toolkit.render.documents.build import document_value

YEAR, TJ, COUR = 2025, "tj-nimes", "ca-nimes"


def _norm(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def _soffice(files: list[Path], out: Path, fmt: str = "pdf") -> list[Path]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) manquant : « make test » l'installe"
    profile = out / "lo-profile"
    out.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt,
                           "--outdir", str(out), *map(str, files)], capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr
    made = [out / f"{f.stem}.{fmt}" for f in files]
    assert all(p.exists() for p in made), (proc.stdout, proc.stderr)
    return made


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return _norm("\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages))


@pytest.fixture(scope="module")
def compte_rendu_files(render_donnees: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("documents")
    rc = main(["--donnees", str(render_donnees), "rapport", "--juridiction", TJ, "--annee", str(YEAR),
               "--document", "compte-rendu", "--formats", "odt,docx,pdf", "--sortie", str(out)])
    assert rc == 0
    files = {p.suffix[1:]: p for p in (out / str(YEAR) / "documents").glob(f"{TJ}_compte-rendu.*")}
    return files


@pytest.fixture(scope="module")
def converted(compte_rendu_files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("soffice")
    src = []
    for fmt in ("odt", "docx"):  # distinct stems: soffice names its output after the input
        copy = out / f"cr_{fmt}.{fmt}"
        shutil.copy(compte_rendu_files[fmt], copy)
        src.append(copy)
    pdfs = _soffice(src, out / "pdf")
    return {fmt: _pdf_text(p) for fmt, p in zip(("odt", "docx"), pdfs, strict=True)}


def test_compte_rendu_in_three_formats_opened_by_libreoffice(compte_rendu_files, converted, render_donnees):
    assert {"odt", "docx", "pdf"} <= set(compte_rendu_files)
    assert all(p.stat().st_size > 10_000 for p in compte_rendu_files.values())
    res = load(render_donnees).res
    cov = res[(res["unit_id"] == TJ) & (res["year"] == YEAR) & (res["indicator_id"] == "act_total_taux_couverture")]
    coverage = _norm(format_value(float(cov["value"].iloc[0]), "percent"))
    assert re.fullmatch(r"\d{1,3},\d %", coverage)
    _, lists = demo_conseil(2025, TJ, YEAR)
    present = [m["nom"] for m in lists["clpc_membres_liste"] if m["present"] == "oui"]
    absent = [m["nom"] for m in lists["clpc_membres_liste"] if m["present"] != "oui"]
    assert present
    for fmt, text in (*converted.items(), ("pdf", _pdf_text(compte_rendu_files["pdf"]))):
        assert reference.court_name(TJ) in text, fmt
        for name in present:
            assert name in text, (fmt, name)
        for fam in builders.PRIORITY_FAMILIES:
            assert catalogue.family(fam).label in text, (fmt, fam)
        assert coverage in text, fmt
        assert "Données fictives" in text or "DONNÉES FICTIVES" in text, fmt
        assert "[À compléter]" in text, fmt
        assert "Établi avec cpc_toolkit" in text and catalogue.version() in text, fmt  # reproducibility stamp
    # the members present section lists only those present (absent ones stay in the invitation list)
    value = document_value("compte-rendu", TJ, YEAR, render_donnees, charts=False)
    members = next(b for b in value.blocks if getattr(b, "caption", "").endswith("membres présents"))
    names = {row[2] for row in members.rows}
    assert names == set(present) and names.isdisjoint(absent)


def test_docx_has_headings_tables_and_described_images(compte_rendu_files):
    import docx

    doc = docx.Document(str(compte_rendu_files["docx"]))
    headings = [p for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert {p.style.name for p in headings} >= {"Heading 1", "Heading 2"}
    assert "Membres présents" in [p.text for p in headings if p.style.name == "Heading 1"]
    assert len(doc.tables) >= 8
    assert all(len(t.rows) >= 2 for t in doc.tables)
    ns = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
    pics = list(doc.element.body.iter(ns))
    assert 3 <= len(pics) <= 6
    assert all(len(p.get("descr", "")) > 20 for p in pics)
    header = doc.sections[0].header.paragraphs[0].text
    assert reference.court_name(TJ) in header and str(YEAR) in header


def _odt_outline(path: Path) -> tuple[list[str], int, int]:
    from odfdo import Document

    doc = Document(str(path))
    heads = [_norm(h.text_recursive).strip() for h in doc.body.get_headers()]
    return heads, len(doc.body.get_tables()), len(doc.body.get_images())


def test_odt_round_trips_through_libreoffice(compte_rendu_files, tmp_path):
    src = tmp_path / "cr.odt"
    shutil.copy(compte_rendu_files["odt"], src)
    (back,) = _soffice([src], tmp_path / "back", fmt="odt")
    heads, tables, images = _odt_outline(src)
    assert len(heads) > 15 and tables >= 8 and 3 <= images <= 6
    assert _odt_outline(back) == (heads, tables, images)
    with zipfile.ZipFile(src) as z:
        assert z.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        content = z.read("content.xml").decode("utf-8")
    assert 'svg:desc' in content or "<svg:desc>" in content


def test_rapport_annuel_gives_each_tj_text_and_names_the_missing_one(render_donnees, tmp_path):
    value = document_value("rapport-annuel", COUR, YEAR, render_donnees, charts=False)
    text = _norm(value.text())
    data = load(render_donnees)
    subs = data.submissions
    reported = set(subs[(subs["year"] == YEAR) & (subs["channel"] == "classeur")]["court_id"])
    courts = reference.courts_of_cour(COUR)
    missing = [c for c in courts if c not in reported]
    assert missing == ["tj-privas"]
    assert "N'ont pas transmis : " + reference.court_name("tj-privas") in text
    res = data.res
    for c in courts:
        if c in reported:
            prio = res[(res["unit_id"] == c) & (res["year"] == YEAR) & (res["indicator_id"] == "clpc_priorites_locales")]
            txt = prio["text"].iloc[0]
            if isinstance(txt, str) and txt:
                assert _norm(txt) in text, c
    assert "Compte rendu non transmis pour 2025." in text
    rc = main(["--donnees", str(render_donnees), "rapport", "--cour", COUR, "--annee", str(YEAR),
               "--document", "rapport-annuel", "--formats", "docx", "--sortie", str(tmp_path)])
    assert rc == 0
    import docx

    doc = docx.Document(str(tmp_path / str(YEAR) / "documents" / f"{COUR}_rapport-annuel.docx"))
    assert reference.court_name("tj-privas") in "\n".join(p.text for p in doc.paragraphs)


def test_documents_never_carry_case_references(render_donnees, planted, compte_rendu_files):
    texts = [document_value(k, TJ, YEAR, render_donnees, charts=False).text() for k in ("convocation", "compte-rendu")]
    texts.append(document_value("rapport-annuel", COUR, YEAR, render_donnees, charts=False).text())
    for fmt in ("odt", "docx"):
        with zipfile.ZipFile(compte_rendu_files[fmt]) as z:
            texts.append("\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml")))
    assert all(len(t) > 1000 for t in texts)
    for t in texts:
        for secret in planted:
            assert secret not in t


def test_convocation_agenda_comes_from_the_workbook_or_the_indicators(render_donnees):
    value = document_value("convocation", TJ, YEAR, render_donnees)
    agenda = next(b for b in value.blocks if type(b).__name__ == "BulletList")
    _, lists = demo_conseil(2025, TJ, YEAR)
    assert list(agenda.items) == [r["point"] for r in lists["clpc_ordre_du_jour"]]
    data = load(render_donnees)
    proposed = builders._proposed_agenda(data.res, TJ, YEAR)
    for fam in builders.PRIORITY_FAMILIES:
        assert any(catalogue.family(fam).label in item for item in proposed)
    annex = [b for b in value.blocks if type(b).__name__ == "TableBlock"][-1]
    assert annex.caption == f"Chiffres clés {YEAR}" and len(annex.rows) >= 10


def test_bad_document_usage_is_a_french_error(render_donnees, capsys):
    rc = main(["--donnees", str(render_donnees), "rapport", "--cour", COUR, "--document", "compte-rendu"])
    assert rc == 2
    assert "précisez --juridiction" in capsys.readouterr().err
    rc = main(["--donnees", str(render_donnees), "rapport", "--juridiction", TJ, "--document", "convocation",
               "--formats", "rtf"])
    assert rc == 2
    assert "Format(s) de document inconnu(s) : rtf" in capsys.readouterr().err


def test_campaign_writes_every_document_of_its_cours(render_donnees, tmp_path, monkeypatch, capsys):
    import argparse

    from cpc_toolkit.cli import rapports

    monkeypatch.setenv("CPC_DONNEES", str(render_donnees))
    args = argparse.Namespace(sortie=str(tmp_path), formats="odt")
    assert rapports._campaign_documents(args, YEAR, ["odt"], cours=["ca-agen"]) == 0
    made = sorted(p.name for p in (tmp_path / str(YEAR) / "documents").glob("*.odt"))
    expected = sorted([f"{c}_compte-rendu.odt" for c in reference.courts_of_cour("ca-agen")]
                      + ["ca-agen_rapport-annuel.odt"])
    assert made == expected
    assert "Documents 2025 : 4 construit(s) en odt, 0 en échec" in capsys.readouterr().out
    from odfdo import Document

    text = Document(str(tmp_path / str(YEAR) / "documents" / "ca-agen_rapport-annuel.odt")).body.text_recursive
    assert reference.court_name("ca-agen") in text


def test_confidentiality_warnings_are_repeated_when_a_document_is_built(tmp_path, capsys):
    import io

    import openpyxl

    from cpc_toolkit.cli.demo import write_demo
    from cpc_toolkit.collect import build_workbook, import_bytes, workbook_bytes
    from cpc_toolkit.demo import generate_inputs
    from cpc_toolkit.store import Store

    store = Store(tmp_path / "donnees")
    write_demo(store, 2025)
    df = generate_inputs(2025)
    values = df[(df["court_id"] == TJ) & (df["year"] == YEAR)][["indicator_id", "value", "text", "status"]]
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(build_workbook(TJ, YEAR, values))))
    sheet, coord = next(iter(wb.defined_names["clpc_echanges"].destinations))
    wb[sheet][coord.replace("$", "")].value = "Intervention de M. Jean Dupont sur la médiation familiale."
    buf = io.BytesIO()
    wb.save(buf)
    out = import_bytes([(f"clpc_{YEAR}_{TJ}.xlsx", buf.getvalue())], store, progress=False)
    assert out[0].outcome == "accepted", [str(p) for p in out[0].problems]
    rc = main(["--donnees", str(store.root), "rapport", "--juridiction", TJ, "--annee", str(YEAR),
               "--document", "convocation", "--formats", "html", "--sortie", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert rc == 0
    assert "avertissement(s) de confidentialité" in err and coord.replace("$", "") in err


def test_documents_carry_the_one_stamp_whose_digest_follows_their_data(render_donnees):
    """Every document's stamp is the one of cpc_toolkit.compute.digest over the figures it reads."""
    import dataclasses

    from cpc_toolkit.compute.digest import stamp, stamp_text

    data = load(render_donnees)
    years = range(YEAR - 4, YEAR + 1)
    cour_units = [COUR, *reference.courts_of_cour(COUR), reference.NATIONAL]
    for kind, unit, units in (("convocation", TJ, [TJ, COUR, reference.NATIONAL]),
                              ("compte-rendu", TJ, [TJ, COUR, reference.NATIONAL]),
                              ("rapport-annuel", COUR, cour_units)):
        value = document_value(kind, unit, YEAR, render_donnees, charts=False)
        assert value.stamp == stamp_text(stamp(data.res, years, units)) + "."
        assert value.stamp.startswith("Établi avec cpc_toolkit ")
    # the digest moves when a figure the document reads moves, not when another court's figure does
    res = data.res
    bumped = res.copy()
    hit = (bumped["unit_id"] == TJ) & (bumped["year"] == YEAR) & (bumped["indicator_id"] == "act_cg_entrees")
    bumped.loc[hit, "value"] = bumped.loc[hit, "value"] + 1
    other = res.copy()
    far = (other["unit_id"] == "tj-lille") & (other["year"] == YEAR) & (other["indicator_id"] == "act_cg_entrees")
    other.loc[far, "value"] = other.loc[far, "value"] + 1
    units = [TJ, COUR, reference.NATIONAL]
    st = stamp(res, years, units)
    assert stamp(bumped, years, units)["empreinte_donnees"] != st["empreinte_donnees"]
    assert stamp(other, years, units)["empreinte_donnees"] == st["empreinte_donnees"]
    assert builders.convocation(dataclasses.replace(data, res=bumped), TJ, YEAR).stamp != \
        builders.convocation(data, TJ, YEAR).stamp
