"""The register of remontées d'information to the DACS (circulaire du 27 juin 2025, §2.2).

One row per signalled case (« signalement ») and one row per follow-up event. The field list below is
the single description of the register: the collection workbook, the import validation, the fiches, the
national register and the summary are all generated from it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.fr import siren as _siren

# ----------------------------------------------------------------------------- vocabularies
#: procedure (or litigation) types: code → French label
PROCEDURE_TYPES: dict[str, str] = {
    "mandat_ad_hoc": "mandat ad hoc",
    "conciliation": "conciliation",
    "sauvegarde": "sauvegarde",
    "sauvegarde_acceleree": "sauvegarde accélérée",
    "redressement_judiciaire": "redressement judiciaire",
    "liquidation_judiciaire": "liquidation judiciaire",
    "contentieux_civil": "contentieux civil (structure d'envergure internationale)",
}
COLLECTIVE_TYPES = frozenset(PROCEDURE_TYPES) - {"contentieux_civil"}

#: criteria of §2.2: code → French label (``autre`` carries a free text)
CRITERIA: dict[str, str] = {
    "plus_250_salaries": "plus de 250 salariés",
    "mediatisation": "attention médiatique",
    "souverainete": "souveraineté économique (technologies d'avenir, défense)",
    "international": "envergure internationale / répercussions diplomatiques ou géopolitiques",
    "autre": "autre",
}

#: case status: code → French label
STATUSES: dict[str, str] = {
    "en_cours": "en cours",
    "plan": "plan arrêté",
    "cession": "cession arrêtée",
    "liquidation": "convertie en liquidation",
    "cloturee": "clôturée",
}

#: follow-up event types: code → French label
EVENT_TYPES: dict[str, str] = {
    "audience": "audience",
    "plan": "plan",
    "cession": "cession",
    "conversion": "conversion",
    "cloture": "clôture",
    "autre": "autre",
}

#: courts where a procedure can be pending (juridiction saisie)
SEIZED_COURT_KINDS = ("TJ", "TPI", "TC", "TAE", "TMC")

YES, NO = "oui", "non"
MAX_TEXT = 2000
MAX_NAME = 200


# ----------------------------------------------------------------------------- fields
@dataclass(frozen=True)
class Field:
    """One column of the register (and of the collection workbook)."""

    id: str
    label: str
    kind: str  # int | text | date | choice | bool | siren | naf | court
    required: bool = False
    help: str = ""
    choices: tuple[str, ...] = ()  # French labels shown in the drop-down list
    width: int = 18


CASE_FIELDS: tuple[Field, ...] = (
    Field("numero", "N°", "int", True, "numéro du signalement (pré-rempli, ne pas modifier)", width=6),
    Field("juridiction_id", "Juridiction saisie", "court", True,
          "identifiant de la juridiction saisie (TJ, TC, TAE ; liste déroulante), ex. tae-lyon", width=24),
    Field("procedure_ref", "Référence de la procédure", "text", False,
          "n° RG ou référence de la procédure dans le registre des procédures", width=18),
    Field("denomination", "Dénomination de l'entreprise", "text", True,
          "raison sociale de l'entreprise ou de la structure", width=30),
    Field("siren", "SIREN", "siren", True, "9 chiffres, clé de contrôle vérifiée", width=12),
    Field("procedure_type", "Type de procédure", "choice", True, "liste déroulante",
          tuple(PROCEDURE_TYPES.values()), width=28),
    Field("opening_date", "Date d'ouverture", "date", True, "date d'ouverture de la procédure (JJ/MM/AAAA)",
          width=14),
    Field("employees", "Effectif salarié", "int", False,
          "nombre de salariés (obligatoire pour une procédure collective)", width=12),
    Field("naf", "Code NAF", "naf", True, "secteur d'activité, code NAF rév. 2, ex. 29.10Z", width=10),
    Field("crit_plus_250_salaries", "Critère : plus de 250 salariés", "bool", False, "oui / non", width=14),
    Field("crit_mediatisation", "Critère : attention médiatique", "bool", False, "oui / non", width=14),
    Field("crit_souverainete", "Critère : souveraineté économique, technologies d'avenir, défense", "bool",
          False, "oui / non", width=18),
    Field("crit_international", "Critère : envergure internationale, répercussions diplomatiques", "bool",
          False, "oui / non", width=18),
    Field("crit_autre", "Autre critère (précisez)", "text", False, "texte libre", width=24),
    Field("emplois_menaces", "Emplois menacés", "int", False, "nombre d'emplois menacés", width=12),
    Field("territoire", "Territoire concerné", "text", False, "bassin d'emploi, département…", width=22),
    Field("date_signalement", "Date du signalement", "date", True,
          "date d'envoi de la remontée d'information à la DACS", width=14),
    Field("statut", "Statut", "choice", True, "liste déroulante", tuple(STATUSES.values()), width=22),
    Field("observations", "Observations", "text", False, "texte libre", width=40),
)

EVENT_FIELDS: tuple[Field, ...] = (
    Field("numero", "N° du signalement", "int", True, "numéro du signalement (feuille « Signalements »)",
          width=10),
    Field("event_date", "Date", "date", True, "date de l'événement (JJ/MM/AAAA)", width=14),
    Field("event_type", "Événement", "choice", True, "liste déroulante", tuple(EVENT_TYPES.values()),
          width=16),
    Field("description", "Description", "text", False, "texte libre", width=60),
)

CRITERION_FIELDS = {f"crit_{c}": c for c in CRITERIA if c != "autre"}

CASE_COLUMNS = ["case_id", "cour_id", "year", *[f.id for f in CASE_FIELDS], "criteria", "demo"]
EVENT_COLUMNS = ["case_id", "cour_id", "year", *[f.id for f in EVENT_FIELDS]]


def case_id(cour_id: str, year: int, numero: int) -> str:
    """Stable identifier of a signalement: ``ca-lyon-2025-003``."""
    return f"{cour_id}-{int(year)}-{int(numero):03d}"


# ----------------------------------------------------------------------------- value checks
NAF_RE = re.compile(r"^(\d{2})\.?(\d{2})([A-Z])$")


def normalise_siren(value: Any) -> str:
    """Digits only (spaces removed); a SIREN read as a number gets its leading zeros back."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:09d}"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):09d}"
    return re.sub(r"[\s\u00a0\u202f.]", "", str(value)).strip()


def siren_problem(value: str) -> str | None:
    """French reason why ``value`` is not a valid SIREN, or None (9 digits, Luhn key)."""
    if not re.fullmatch(r"\d+", value or ""):
        return "le SIREN ne doit contenir que des chiffres"
    if len(value) != 9:
        return f"le SIREN compte 9 chiffres (trouvé : {len(value)})"
    try:
        _siren.validate(value)
    except StdnumValidationError:
        return "la clé de contrôle (Luhn) du SIREN est fausse : vérifiez les chiffres"
    return None


def normalise_naf(value: Any) -> str:
    """``2910z`` / ``29 10 Z`` / ``29.10Z`` → ``29.10Z``; unchanged when it does not look like a NAF code."""
    text = re.sub(r"[\s\u00a0]", "", str(value)).upper()
    m = NAF_RE.match(text)
    return f"{m.group(1)}.{m.group(2)}{m.group(3)}" if m else str(value).strip()


def naf_problem(value: str) -> str | None:
    """French reason why ``value`` is not a NAF rév. 2 code, or None."""
    m = NAF_RE.match(value)
    if not m:
        return "le code NAF s'écrit 2 chiffres, un point, 2 chiffres et une lettre (ex. 29.10Z)"
    if not 1 <= int(m.group(1)) <= 99:
        return "la division NAF (2 premiers chiffres) doit être comprise entre 01 et 99"
    return None


def naf_section(naf: str) -> str:
    """NAF division (2 digits) used to group sectors in the summary: ``29.10Z`` → ``29``."""
    m = NAF_RE.match(str(naf))
    return m.group(1) if m else "?"


def parse_date(value: Any) -> dt.date | None:
    """A date from a cell value (datetime, date or JJ/MM/AAAA / AAAA-MM-JJ text), or None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
    return None


def criteria_of(row: dict[str, Any]) -> list[str]:
    """Codes of the criteria met by a case row (``autre`` when its text is given)."""
    out = [code for fid, code in CRITERION_FIELDS.items() if row.get(fid) is True]
    if str(row.get("crit_autre") or "").strip():
        out.append("autre")
    return out


def criteria_labels(codes: list[str] | tuple[str, ...] | str, autre: str = "") -> str:
    """French list of criteria, e.g. « plus de 250 salariés ; attention médiatique »."""
    if isinstance(codes, str):
        codes = [c for c in codes.split(";") if c]
    labels = [CRITERIA[c] if c != "autre" else f"autre : {autre}".strip() for c in codes]
    return " ; ".join(labels)


def label_to_code(mapping: dict[str, str], text: str) -> str | None:
    """Reverse look-up of a drop-down label (case and accents of spacing tolerant)."""
    key = " ".join(str(text).split()).casefold()
    for code, label in mapping.items():
        if label.casefold() == key or code.casefold() == key:
            return code
    return None
