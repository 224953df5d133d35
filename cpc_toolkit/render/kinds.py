"""The report kinds and output formats: one declaration each.

A :class:`ReportKind` names its notebook, its parameters (with their validation), its sections,
its output formats, where its files go and how the campaign finds its units. A
:class:`OutputFormat` names a file format the reports can be written in. Everything else — the
CLI, the campaign planner, the manifest, the index, parameter validation, the DACS summary —
reads these two tables. Adding a kind or a format is one entry here (plus, for a kind, its
notebook and its section builders in :mod:`cpc_toolkit.render.report`).

:func:`notebook_path` is the one place that locates a notebook on disk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cpc_toolkit import reference, settings
from cpc_toolkit.errors import ReasonCode, RenderError

__all__ = ["ENV_NOTEBOOKS", "FORMATS", "KINDS", "OutputFormat", "Param", "ReportKind", "kind", "notebook_path",
           "notebooks_dir"]

ENV_NOTEBOOKS = settings.ENV_NOTEBOOKS
MIN_YEAR, MAX_YEAR = 2000, 2100


# ------------------------------------------------------------------------------------ parameters
def _year(value: Any, *, every: bool = False) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError) as exc:
        raise RenderError(f"Année invalide : « {value} ».", ReasonCode.NOTEBOOK_PARAMETER) from exc
    if not ((every and year == 0) or MIN_YEAR <= year <= MAX_YEAR) or str(year) != str(value).strip():
        raise RenderError(f"Année invalide : « {value} ».", ReasonCode.NOTEBOOK_PARAMETER)
    return year


def check_year(value: Any) -> int:
    """A campaign year (2000–2100)."""
    return _year(value)


def check_year_or_all(value: Any) -> int:
    """A year, or 0 for every year."""
    return _year(value, every=True)


def check_juridiction(value: Any) -> str:
    """A first-instance court with a CLPC (TJ / TPI)."""
    reference.validate_scope(str(value), "juridiction")
    return str(value)


def check_cour(value: Any) -> str:
    """A cour d'appel (or the TSA of Saint-Pierre)."""
    reference.validate_scope(str(value), "cour")
    return str(value)


def check_cour_or_all(value: Any) -> str:
    """A cour, or "" for the whole country."""
    return check_cour(value) if value else ""


def check_path(value: Any) -> str:
    return str(value)


@dataclass(frozen=True)
class Param:
    """One notebook parameter: its name, its check (returns the normalised value), whether required."""

    name: str
    check: Callable[[Any], Any]
    required: bool = False


# ------------------------------------------------------------------------------------ formats
@dataclass(frozen=True)
class OutputFormat:
    """A file format of the reports.

    ``stage`` says where it is produced: ``"worker"`` formats are written by the campaign worker
    from the executed notebook and the report's exported values (see ``render.outputs``), ``"batch"``
    formats are derived afterwards from another format (``source``) for all reports at once (PDF:
    one Chromium for the whole campaign).
    """

    id: str
    label: str  # shown in the index
    writer: str = ""  # worker formats: function of cpc_toolkit.render.outputs (executed notebook, export → bytes)
    stage: str = "worker"  # worker | batch
    source: str = ""  # batch formats: the format they are made from

    def write(self, nb: Any, exported: Any) -> bytes:
        from cpc_toolkit.render import outputs

        return bytes(getattr(outputs, self.writer)(nb, exported))


FORMATS: dict[str, OutputFormat] = {f.id: f for f in (
    OutputFormat("html", "HTML", writer="html_bytes"),
    OutputFormat("pdf", "PDF", stage="batch", source="html"),
    OutputFormat("xlsx", "Excel", writer="xlsx_bytes"),
)}


# ------------------------------------------------------------------------------------ kinds
@dataclass(frozen=True)
class ReportKind:
    """One report kind.

    ``unit_param`` is the parameter holding the unit the report is about (``None``: the nation);
    ``units`` lists the units of a campaign (empty = not built by ``cpc campagne``); ``courts``
    gives the courts whose submissions a report reads (its store slice, for the incremental
    rebuild; ``None`` = every court); ``sections`` are ``(id, title)`` in display order;
    ``cli_flag`` is the option of ``cpc rapport`` that selects the kind.
    """

    id: str
    notebook: str
    params: tuple[Param, ...]
    sections: tuple[tuple[str, str], ...]
    formats: tuple[str, ...]
    label: str
    subdir: str
    unit_param: str | None = None
    units: Callable[[], list[str]] = lambda: []
    courts: Callable[[str], list[str] | None] = lambda unit: None
    cli_flag: str = ""
    cli_help: str = ""
    in_campaign: bool = True
    index_cour: bool = False  # the campaign index shows each report's cour d'appel

    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def validate(self, params: dict[str, Any]) -> dict[str, Any]:
        """Normalised parameters (French error for a missing, unknown or invalid one)."""
        declared = {p.name: p for p in self.params}
        unknown = sorted(set(params) - set(declared))
        if unknown:
            raise RenderError(
                f"Paramètre(s) inconnu(s) pour le carnet « {self.notebook} » : {', '.join(unknown)} "
                f"(paramètres admis : {', '.join(declared)}).", ReasonCode.NOTEBOOK_PARAMETER)
        out = dict(params)
        for p in self.params:
            if p.name in out:
                out[p.name] = p.check(out[p.name])
            elif p.required:
                raise RenderError(f"Paramètre « {p.name} » manquant.", ReasonCode.NOTEBOOK_PARAMETER)
        return out

    def check(self, name: str, value: Any) -> Any:
        """One parameter's normalised value."""
        return next(p for p in self.params if p.name == name).check(value)

    def params_for(self, unit_id: str, year: int, donnees: str) -> dict[str, Any]:
        """The notebook parameters of this kind's report on ``unit_id`` for ``year``."""
        out: dict[str, Any] = {"annee": year, "donnees": donnees}
        if self.unit_param:
            out[self.unit_param] = unit_id
        return out

    def section_title(self, section_id: str) -> str:
        return dict(self.sections)[section_id]


def _family_label(family_id: str) -> str:
    from cpc_toolkit import catalogue

    return catalogue.family(family_id).label


POLICY_FAMILIES = ("amiable", "majeurs", "agricole", "entreprises", "vif", "demat")
_ANNEXE = ("annexe", "Annexe : définitions, complétude et sources")
_PATH = Param("donnees", check_path)
_PERSPECTIVES = ("perspectives", "Perspectives")

KINDS: dict[str, ReportKind] = {k.id: k for k in (
    ReportKind(
        "national", "rapport_national.ipynb",
        params=(Param("annee", check_year, required=True), _PATH),
        sections=(("synthese", "Synthèse nationale"), ("evolution", "Évolution sur cinq ans"), ("carte", "Carte par cour d'appel"),
                  ("distributions", "Répartitions et classements"), ("completude", "Complétude de la campagne"),
                  ("remontees", "Remontées des procédures par critère"), _ANNEXE),
        formats=("html", "pdf", "xlsx"), label="Rapport national", subdir="national",
        units=lambda: [reference.NATIONAL], cli_flag="national", cli_help="rapport national"),
    ReportKind(
        "cour", "rapport_chef_de_cour.ipynb",
        params=(Param("cour", check_cour, required=True), Param("annee", check_year, required=True), _PATH),
        sections=(("synthese", "Synthèse régionale"), ("juridictions", "Les juridictions du ressort"),
                  ("evolution", "Évolution sur cinq ans"), ("position", "Position de la cour parmi les cours d'appel"),
                  ("harmonisation", "Points d'harmonisation"), ("remontees", "État des remontées"),
                  ("priorites", "Priorités locales des juridictions"),
                  ("totaux", "Totaux régionaux et comparaison nationale"), _PERSPECTIVES, _ANNEXE),
        formats=("html", "pdf", "xlsx"), label="Rapports des chefs de cour", subdir="cours", unit_param="cour",
        units=lambda: list(reference.consolidation_units().index), courts=reference.courts_of_cour,
        cli_flag="cour", cli_help="rapport des chefs de cour (ex. ca-lyon, tsa-saint-pierre)"),
    ReportKind(
        "clpc", "rapport_clpc.ipynb",
        params=(Param("juridiction", check_juridiction, required=True), Param("annee", check_year, required=True),
                _PATH),
        sections=(("synthese", "Synthèse"), ("conseil", "Le conseil local de politique civile"),
                  ("politique", "Politique juridictionnelle locale"),
                  *((f, "") for f in POLICY_FAMILIES),  # titles: the catalogue's family labels
                  ("activite", "Activité civile"), _PERSPECTIVES, _ANNEXE),
        formats=("html", "pdf", "xlsx"), label="Rapports des conseils locaux de politique civile", subdir="clpc",
        unit_param="juridiction", units=lambda: list(reference.first_instance_courts().index),
        courts=lambda unit: [unit], cli_flag="juridiction", index_cour=True,
        cli_help="rapport CLPC d'un TJ ou d'un TPI (ex. tj-lyon)"),
    # DACS-only summary of the confidential remontées (built by the DACS output stage, never
    # by the campaign): annee 0 = every year, cour "" = the whole country
    ReportKind(
        "remontees", "rapport_remontees.ipynb",
        params=(_PATH, Param("annee", check_year_or_all), Param("cour", check_cour_or_all)),
        sections=(("totaux", "Vue d'ensemble"), ("criteres", "Par critère"), ("cours", "Par cour d'appel"),
                  ("secteurs", "Par secteur (division NAF) et par mois de signalement"), ("statuts", "Par statut")),
        formats=("html", "pdf"), label="Synthèse des remontées d'information à la DACS", subdir="remontees",
        unit_param="cour", in_campaign=False),
)}


def kind(kind_id: str) -> ReportKind:
    """The declaration of a report kind (French error if unknown)."""
    try:
        return KINDS[kind_id]
    except KeyError:
        raise RenderError(f"Type de rapport inconnu : « {kind_id} » (attendus : {', '.join(KINDS)}).",
                          ReasonCode.USAGE) from None


def section_titles(kind_id: str) -> tuple[tuple[str, str], ...]:
    """``(id, title)`` of the sections of a kind, family titles taken from the catalogue."""
    return tuple((sid, title or _family_label(sid)) for sid, title in kind(kind_id).sections)


def campaign_kinds() -> list[ReportKind]:
    """Kinds built by ``cpc campagne``, longest first (declaration order)."""
    return [k for k in KINDS.values() if k.in_campaign]


# ------------------------------------------------------------------------------------ notebooks
def notebooks_dir() -> Path:
    """``$CPC_NOTEBOOKS`` or the notebooks shipped in the package (:func:`cpc_toolkit.settings.notebooks_dir`)."""
    return settings.notebooks_dir()


def notebook_path(kind_id: str) -> Path:
    """The notebook file of a report kind (French error if missing)."""
    path = notebooks_dir() / kind(kind_id).notebook
    if not path.exists():
        raise RenderError(f"Carnet de rapport introuvable : {path}.", ReasonCode.NOT_FOUND)
    return path
