"""One presentation vocabulary: units, statuses and level names are written once, in data files.

The grep tests read every Python string literal of the package (docstrings excepted) and fail
when a unit's display, a status label or a level name is written there instead of being read
from ``catalogue/presentation.yaml`` or ``reference/data/levels.csv``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from cpc_toolkit import catalogue, fr, reference
from cpc_toolkit.catalogue import vocabulary
from cpc_toolkit.errors import CatalogueError

PACKAGE = Path(__file__).resolve().parents[2] / "cpc_toolkit"
# modules that turn values into text (reports, figures, tables, dashboards, CLI, sentences)
PRESENTATION = ("fr.py", "compute", "render", "dashboard", "cli")
UNIT_SUFFIX = re.compile(r"^[ \u00a0\u202f](%|j|jours|mois|pts?)(\W|$)")


def _literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docs.add(id(first.value))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs]


def _files(parts: tuple[str, ...] | None = None) -> list[Path]:
    files = sorted(p for p in PACKAGE.rglob("*.py") if parts is None or p.relative_to(PACKAGE).parts[0] in parts)
    assert len(files) > 10
    return files


def _hits(files: list[Path], bad) -> list[str]:
    return [f"{p.relative_to(PACKAGE)}:{ln}: {v!r}" for p in files for ln, v in _literals(p) if bad(v)]


def test_the_scanner_sees_string_literals_and_skips_docstrings(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text('"""France entière"""\ndef f():\n    """ pt"""\n    return f"{1} pt", "France entière"\n',
                     encoding="utf-8")
    assert sorted(v for _, v in _literals(probe)) == [" pt", "France entière"]


def test_level_names_are_written_only_in_the_reference_data():
    nation = reference.national_name()
    assert nation == "France entière" and reference.national_name(short=True) == "France"
    levels = {nation, reference.national_name(short=True), reference.level_label("cour"),
              reference.level_label("cour", plural=True)}
    assert _hits(_files(), lambda v: nation in v) == []
    assert _hits(_files(PRESENTATION), lambda v: v.strip() in levels) == []
    data = [p for p in PACKAGE.rglob("*") if p.suffix in (".csv", ".yaml") and p.is_file()]
    assert [p.name for p in data if nation in p.read_bytes().decode("utf-8", "replace")] == ["levels.csv"]


def test_unit_displays_are_written_only_in_the_presentation_vocabulary():
    # unit labels that are not ordinary words (« nombre », « mois », « date », « texte » are)
    labels = {u.label for u in catalogue.units().values() if u.label in ("jours", "oui/non")}
    labels |= {u.consolidated for u in catalogue.units().values() if u.consolidated}
    labels |= {u.axis for u in catalogue.units().values() if u.axis}
    excel = [u.excel for u in catalogue.units().values() if u.excel]
    assert "jours" in labels and "% des juridictions" in labels and len(excel) == 6
    files = _files(PRESENTATION)
    assert _hits(files, lambda v: bool(UNIT_SUFFIX.search(v))) == []
    assert _hits(files, lambda v: v.strip() in labels) == []
    assert _hits(files, lambda v: "#,##0" in v or '" %"' in v or any(e in v for e in excel)) == []


def test_status_labels_are_written_only_in_the_presentation_vocabulary():
    labels = set(catalogue.STATUS_LABELS.values())
    assert catalogue.STATUS_LABELS["NQ"] == "fourni, qualité en cours de vérification"
    assert _hits(_files(), lambda v: v.strip() in labels or "en vérification" in v) == []
    yaml_files = [p.name for p in PACKAGE.rglob("*.yaml") if catalogue.STATUS_LABELS["NQ"] in p.read_text("utf-8")]
    assert yaml_files == ["presentation.yaml"]


def test_short_court_names_have_one_definition():
    assert reference.short_name("tj-lyon") == "TJ Lyon"
    assert reference.short_name("ca-aix-en-provence") == "CA Aix-en-Provence"
    assert reference.short_name(reference.NATIONAL) == "France"
    defs = [f"{p.relative_to(PACKAGE)}:{n.name}" for p in _files() for n in ast.walk(ast.parse(p.read_text("utf-8")))
            if isinstance(n, ast.FunctionDef) and n.name in ("short_name", "_short")]
    # the figures keep a private alias that only calls reference.short_name
    assert sorted(defs) == ["reference/__init__.py:short_name", "render/figures.py:_short"]
    src = (PACKAGE / "render" / "figures.py").read_text("utf-8")
    assert "return reference.short_name(unit_id)" in src


def test_every_catalogue_unit_has_a_validated_display():
    used = {i.unit for i in catalogue.indicators()}
    assert used <= set(catalogue.UNITS)
    for uid in used:
        u = catalogue.unit(uid)
        assert u.label == catalogue.UNIT_LABELS[uid]
        if u.numeric:
            assert fr.format_value(1.0, uid) != vocabulary.missing_mark()
    assert catalogue.unit("percent").change == "pt" and catalogue.unit("months").change == "mois"
    with pytest.raises(CatalogueError):
        catalogue.unit("heures")


@pytest.mark.parametrize("text, problem", [
    ("units: {count: {label: nombre, decimals: -1}}\nstatuses: {ok: a, NA: b, NAP: c, NQ: d}\n"
     "missing: {short: '-', long: x}\n", "décimales"),
    ("units: {count: {label: nombre, colour: red}}\nstatuses: {ok: a, NA: b, NAP: c, NQ: d}\n"
     "missing: {short: '-', long: x}\n", "champs inconnus"),
    ("units: {boolean: {label: oui/non}}\nstatuses: {ok: a, NA: b, NAP: c, NQ: d}\n"
     "missing: {short: '-', long: x}\n", "words"),
    ("units: {count: {label: nombre}}\nstatuses: {ok: a, NA: b, NQ: d}\nmissing: {short: '-', long: x}\n",
     "statuts"),
    ("units: {count: {label: nombre}}\nstatuses: {ok: a, NA: b, NAP: c, NQ: d}\n", "missing"),
])
def test_an_invalid_vocabulary_is_refused_with_a_french_message(text, problem):
    with pytest.raises(CatalogueError) as exc:
        vocabulary.parse_presentation(text)
    assert problem in str(exc.value)


def test_the_shipped_vocabulary_parses_to_the_loaded_one():
    from importlib import resources

    text = resources.files("cpc_toolkit.catalogue").joinpath("presentation.yaml").read_text(encoding="utf-8")
    units, statuses, missing = vocabulary.parse_presentation(text)
    assert units == catalogue.units() and statuses == catalogue.STATUS_LABELS
    assert missing == {"short": "–", "long": "non renseigné"}


def test_changes_are_expressed_in_each_unit():
    nb, minus = fr.UNIT_SEP, fr.MINUS
    assert (nb, minus) == ("\u00a0", "\u2212")
    assert fr.format_change(1.234, "percent") == f"+1,2{nb}pt"
    assert fr.format_change(-2.0, "percent", words=True) == f"{minus}2,0 points"
    assert fr.format_change(1.0, "percent", words=True) == "+1,0 point"
    assert fr.format_change(-1.5, "months") == f"{minus}1,5{nb}mois"
    assert fr.format_change(3.0, "days") == f"+3,0{nb}j"
    assert fr.format_change(12.0, "count") == "+12"
    assert fr.format_change(float("nan"), "percent") == "–"
    assert fr.format_value(None, "count", missing="non renseigné") == "non renseigné"
    assert fr.unit_suffix("percent") == f"{nb}%" and fr.unit_suffix("count") == ""
