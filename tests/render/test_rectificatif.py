"""Reproducibility stamp and rectificatifs (issue 16, point 2): a campaign keeps what it published; after one TJ
resubmits, the rerun lists exactly the changed figures in that TJ's report, its cour's and the national report,
and in the index; the other reports are untouched and carry no rectificatif."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from cpc_toolkit import __version__, catalogue, reference
from cpc_toolkit.compute import results
from cpc_toolkit.render import campaign, traceability
from cpc_toolkit.store import Store, SubmissionRecord

YEAR = 2025
COUR = "ca-agen"  # same as tests/render/conftest.py
BUMP = 1234.0


def _expected_changes(before: pd.DataFrame, after: pd.DataFrame, unit: str) -> list[str]:
    """Indicator ids of ``unit`` whose value or status moved (computed here with a plain merge)."""
    key = ["unit_id", "indicator_id"]
    a = before[(before["year"] == YEAR) & (before["unit_id"] == unit)][[*key, "value", "status"]]
    b = after[(after["year"] == YEAR) & (after["unit_id"] == unit)][[*key, "value", "status"]]
    m = a.merge(b, on=key, suffixes=("_a", "_b"))
    both_nan = m["value_a"].isna() & m["value_b"].isna()
    moved = ~both_nan & ((m["value_a"] - m["value_b"]).abs().fillna(1.0) > 1e-9) | (m["status_a"] != m["status_b"])
    return sorted(m.loc[moved, "indicator_id"])


def _footer_digest(html: str) -> str:
    found = re.findall(r"Établi avec cpc_toolkit [^,]+, catalogue [^,]+, données ([0-9a-f]{12}), le", html)
    assert found, "no reproducibility stamp in the report"
    return found[0]


@pytest.fixture(scope="module")
def two_campaigns(render_donnees: Path, tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("rectificatif")
    root = tmp / "donnees"
    shutil.copytree(render_donnees, root)
    out = tmp / "reports"
    courts = list(reference.courts_of_cour(COUR))
    tj, other = courts[0], courts[1]
    jobs = campaign.plan(YEAR, units=[reference.NATIONAL, COUR, tj, other])
    first = campaign.run_campaign(YEAR, root, out, jobs=2, formats=("html", "xlsx"), selection=jobs)
    year_dir = out / str(YEAR)
    html_before = {o.job_id: (year_dir / o.files["html"]).read_text(encoding="utf-8") for o in first.outcomes}
    store = Store(root)
    before = results(store)
    published = json.loads((year_dir / "publication.json").read_text(encoding="utf-8"))
    vals = store.values(YEAR, [tj])[["indicator_id", "value", "text", "status"]].reset_index(drop=True)
    vals.loc[vals["indicator_id"] == "act_cg_entrees", "value"] += BUMP
    received = (dt.datetime.fromisoformat(published["publie_le"]) + dt.timedelta(days=30)).isoformat()
    store.write([SubmissionRecord(court_id=tj, year=YEAR, channel="classeur", values=vals, sha256="e" * 64,
                                  file_name=f"clpc_2025_{tj}_v2.xlsx", demo=True)], received_at=received)
    after = results(Store(root))
    second = campaign.run_campaign(YEAR, root, out, jobs=2, formats=("html", "xlsx"), selection=jobs)
    return {"first": first, "second": second, "year_dir": year_dir, "tj": tj, "other": other, "before": before,
            "after": after, "html_before": html_before, "received": received}


def test_first_campaign_is_stamped_and_keeps_its_publication(two_campaigns):
    c = two_campaigns
    assert not c["first"].failures, [(o.job_id, o.error) for o in c["first"].failures]
    for job_id, text in c["html_before"].items():
        assert "Traçabilité : Établi avec cpc_toolkit " + __version__ + ", catalogue " + catalogue.version() in text
        assert "Rectificatif" not in text, job_id  # nothing published before
    snap = pd.read_parquet(c["year_dir"] / traceability.PUBLICATION)
    assert set(snap["year"]) == {YEAR} and len(snap) == len(c["before"][c["before"]["year"] == YEAR])


def test_rerun_lists_exactly_the_changed_figures(two_campaigns):
    c = two_campaigns
    second, year_dir, tj = c["second"], c["year_dir"], c["tj"]
    assert not second.failures, [(o.job_id, o.error) for o in second.failures]
    affected = {f"clpc/{tj}": tj, f"cours/{COUR}": COUR, "national/national": reference.NATIONAL}
    built = {o.job_id for o in second.built}
    # reports whose comparison points moved are rebuilt too (incremental rule), without a rectificatif
    assert set(affected) <= built and built | {o.job_id for o in second.skipped} >= {f"clpc/{c['other']}"}
    index = (year_dir / "index.html").read_text(encoding="utf-8")
    recs = {r["rapport"]: r for r in json.loads((year_dir / "rectificatifs.json").read_text(encoding="utf-8"))}
    assert set(recs) == set(affected)
    for job_id, unit in affected.items():
        expected = _expected_changes(c["before"], c["after"], unit)
        assert "act_cg_entrees" in expected
        labels = sorted(catalogue.get(i).label for i in expected)
        # in the Excel annex: one row per changed figure, with the resubmission
        ws = load_workbook(year_dir / f"{job_id}.xlsx")["Rectificatif"]
        rows = [[cell.value for cell in row] for row in ws.iter_rows()]
        head = next(i for i, r in enumerate(rows) if r[0] == "Indicateur")
        sheet = [r for r in rows[head + 1:] if r[0]]
        assert sorted(r[0] for r in sheet) == labels
        cg = next(r for r in sheet if r[0] == catalogue.get("act_cg_entrees").label)
        old = c["before"].query("unit_id == @unit and year == @YEAR and indicator_id == 'act_cg_entrees'")["value"]
        assert cg[1] == catalogue_value(float(old.iloc[0])) and cg[2] == catalogue_value(float(old.iloc[0]) + BUMP)
        assert all(f"{reference.court_name(tj)} v2" in str(r[3]) for r in sheet)
        # in the report itself (HTML)
        text = (year_dir / f"{job_id}.html").read_text(encoding="utf-8")
        block = html.unescape(text[text.index(">Rectificatif<"):])
        assert f"{len(expected)} chiffre" in block
        assert all(lab in block for lab in labels)
        assert reference.court_name(tj) in block
        # in the index
        assert sorted(x["indicateur"] for x in recs[job_id]["chiffres"]) == labels
        assert recs[job_id]["depots"] == [{"juridiction": reference.court_name(tj), "version": 2,
                                           "recu_le": traceability._received(c["received"])}]
    part = html.unescape(index[index.index(">Rectificatifs<"):])
    for unit in affected.values():
        assert part.count("<tr><td>" + reference.court_name(unit) + "</td>") == len(
            _expected_changes(c["before"], c["after"], unit))
    assert part.count("<tr><td>") == sum(len(_expected_changes(c["before"], c["after"], u)) for u in affected.values())
    assert reference.court_name(c["other"]) not in part
    other = (year_dir / f"clpc/{c['other']}.html").read_text(encoding="utf-8")
    # its own figures did not change: no rectificatif (it may be rebuilt when its comparison points move)
    assert "Rectificatif" not in other
    assert "Rectificatif" not in load_workbook(year_dir / f"clpc/{c['other']}.xlsx").sheetnames


def catalogue_value(v: float) -> str:
    from cpc_toolkit.fr import format_value

    return format_value(v, catalogue.get("act_cg_entrees").unit)


def test_stamp_digest_changes_with_the_report_data_only(two_campaigns):
    c = two_campaigns
    year_dir, tj, other = c["year_dir"], c["tj"], c["other"]
    for job_id, unit, kind in ((f"clpc/{tj}", tj, "clpc"), (f"cours/{COUR}", COUR, "cour"),
                               ("national/national", reference.NATIONAL, "national")):
        new = (year_dir / f"{job_id}.html").read_text(encoding="utf-8")
        assert _footer_digest(new) != _footer_digest(c["html_before"][job_id])
        assert _footer_digest(new) == traceability.report_stamp(c["after"], kind, unit, YEAR)["empreinte_donnees"]
    before = traceability.report_stamp(c["before"], "clpc", other, YEAR)
    after = traceability.report_stamp(c["after"], "clpc", other, YEAR)
    assert before["empreinte_donnees"] == after["empreinte_donnees"]
    assert _footer_digest(c["html_before"][f"clpc/{other}"]) == before["empreinte_donnees"]
    # a fresh results frame of the same data gives the same digest (no dependency on order or history)
    shuffled = c["after"].sample(frac=1.0, random_state=7)
    assert traceability.report_stamp(shuffled, "national", reference.NATIONAL, YEAR)["empreinte_donnees"] == \
        traceability.report_stamp(c["after"], "national", reference.NATIONAL, YEAR)["empreinte_donnees"]


def test_single_report_finds_the_publication_under_its_output_root(render_donnees, tmp_path, monkeypatch):
    """`cpc rapport --sortie X` (build_report) gives its kernel X as the reports root: run from another
    folder, without $CPC_RAPPORTS, the report still sees what X published and lists the changed figure."""
    root, out = tmp_path / "donnees", tmp_path / "ailleurs" / "reports"
    shutil.copytree(render_donnees, root)
    tj = reference.courts_of_cour(COUR)[0]
    first = campaign.run_campaign(YEAR, root, out, jobs=1, formats=("html",), selection=campaign.plan(YEAR, units=[tj]))
    assert not first.failures
    published = json.loads((out / str(YEAR) / "publication.json").read_text(encoding="utf-8"))
    store = Store(root)
    vals = store.values(YEAR, [tj])[["indicator_id", "value", "text", "status"]].reset_index(drop=True)
    vals.loc[vals["indicator_id"] == "act_cg_entrees", "value"] += BUMP
    received = (dt.datetime.fromisoformat(published["publie_le"]) + dt.timedelta(days=30)).isoformat()
    store.write([SubmissionRecord(court_id=tj, year=YEAR, channel="classeur", values=vals, sha256="d" * 64,
                                  file_name=f"clpc_2025_{tj}_v2.xlsx", demo=True)], received_at=received)
    monkeypatch.delenv("CPC_RAPPORTS", raising=False)
    monkeypatch.chdir(tmp_path)  # ./reports (the default root) does not exist here
    o = campaign.build_report("clpc", tj, YEAR, root, out, ("html",))
    assert o.status == "ok", o.error
    text = html.unescape((out / str(YEAR) / o.files["html"]).read_text(encoding="utf-8"))
    block = text[text.index(">Rectificatif<"):]
    assert catalogue.get("act_cg_entrees").label in block
