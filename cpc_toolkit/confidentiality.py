"""Confidentiality of free texts: case references, company identifiers and names of persons.

Circulaire § 1.2: the CLPC never discusses individual cases. Every free text that can reach a
CLPC or chef de cour output (collection workbooks, compte rendu texts, remontées free texts) goes
through :func:`scan`:

- **hard identifiers** (level ``erreur``: the text is refused): case numbers in their usual forms
  (``RG 24/01234``, ``RG 24-01234``, ``n° 24/01234``, a bare ``24/01234``, Portalis numbers such as
  ``DBVX-V-B7H-MXYZ``), SIREN / SIRET numbers (the words SIREN / SIRET followed by digits, or 9 / 14
  digits with a valid Luhn key, whatever the separators: spaces, no-break or narrow no-break spaces,
  dots, dashes, zero-width characters);
- **name-like patterns** (level ``avertissement``: listed, shown again when the report is built):
  a civility or a legal form followed by a proper name (« M. Dupont », « Mme Léa Martin »,
  « SARL Boulangerie Martin »; not « M. le bâtonnier » nor « la SARL est une forme sociale »), a
  first name with an age or a birth date (« Léa D., 8 ans », « Paul, né le 3 mars 2015 »).

The text is normalised first (zero-width characters removed, every kind of space made a space), so
that hiding a number behind invisible characters does not work. Pure functions, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["ERROR", "WARNING", "Finding", "hard_findings", "normalise", "scan", "warning_findings"]

ERROR = "erreur"
WARNING = "avertissement"

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)
_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]")


@dataclass(frozen=True)
class Finding:
    """Something identifying in a text: what (French), the level, and the matched excerpt."""

    kind: str  # case_number | siren | civility_name | legal_form_name | person_age
    what: str  # French, e.g. « un numéro d'affaire (RG, n°, Portalis) »
    level: str
    excerpt: str

    @property
    def is_error(self) -> bool:
        return self.level == ERROR


def normalise(text: str) -> str:
    """NFC, invisible characters removed, every space-like character a plain space."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return _SPACES.sub(" ", text)


_SEP = r"[ .\-]?"
_CASE_PATTERNS = [
    # RG 24/01234, RG n° 24-01234, R.G. : 24/1234, N° RG 24/01234
    re.compile(r"\bR\.?\s?G\.?\s*(?:n[°ºo]\.?\s*)?:?\s*\d{2}\s*[/\-]\s*\d{3,6}\b", re.IGNORECASE),
    # n° 24/01234, n°25/00412, No 24/01234
    re.compile(r"\bn(?:[°º]|o\.?|uméro)\s*:?\s*\d{2}\s*[/\-]\s*\d{4,6}\b", re.IGNORECASE),
    # a bare 24/01234 (two digits, slash, five digits: the civil case number)
    re.compile(r"(?<![\d/.,])\d{2}\s?/\s?\d{5}(?![\d/.,])"),
    # Portalis: the word followed by a reference, or the bare pattern DBVX-V-B7H-MXYZ
    re.compile(r"\bPortalis\b\s*(?:n[°º]\s*)?:?\s*[A-Z0-9]{3,5}[\- ]", re.IGNORECASE),
    re.compile(r"\b[A-Z]{4}-[A-Z0-9]-[A-Z0-9]{3}-[A-Z0-9]{3,6}\b"),
]
_SIREN_WORD = re.compile(r"\bSIRE[NT]\b\s*(?:n[°º]\s*)?:?\s*\d", re.IGNORECASE)
_DIGIT_RUN = re.compile(r"(?<![\d.,])\d(?:" + _SEP + r"\d){8,13}(?![\d])")
_MONEY_AFTER = re.compile(r"^\s*(?:€|euros?\b|EUR\b|k€|M€)", re.IGNORECASE)

_CIVILITY = r"(?:M\.|MM\.|Mme|Mmes|Mlle|Mlles|Me|Maître|Monsieur|Madame|Mademoiselle|Dr|Docteur)"
_TITLE_WORDS = {
    "le", "la", "les", "l", "du", "de", "des", "un", "une", "et", "ou", "en", "au", "aux",
    "président", "présidente", "procureur", "procureure", "bâtonnier", "bâtonnière", "juge", "greffier",
    "greffière", "directeur", "directrice", "maire", "préfet", "préfète", "ministre", "conseiller", "conseillère",
    "premier", "première", "délégué", "déléguée", "substitut", "avocat", "avocate", "huissier", "notaire",
    "commissaire", "défenseur", "défenseure", "médiateur", "médiatrice", "conciliateur", "conciliatrice",
    "secrétaire", "chef", "doyen", "doyenne", "vice", "adjoint", "adjointe", "x", "y", "z",
}
_NAME = r"(?:[A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ][a-zà-öø-ÿ'’\-]+|[A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ]{2,}|[A-Z]\.)"
_CIVILITY_NAME = re.compile(r"(?<![\w.])" + _CIVILITY + r"\s+(" + _NAME + r")")
_LEGAL_FORM = r"(?:SARL|SASU|SAS|SA|EURL|SCI|SNC|SCP|SELARL|SELAS|SELAFA|SCOP|SCA|GIE|EARL|GAEC|SCEA)"
_LEGAL_NAME = re.compile(r"(?<![\w-])" + _LEGAL_FORM + r"\s+(?:[«\"“]\s*)?(" + _NAME + r")")
_FIRST = r"(?:[A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ][a-zà-öø-ÿ]+(?:-[A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ][a-zà-öø-ÿ]+)?)"
_AGE = r"(?:âgée?\s+de\s+)?\d{1,3}\s*ans\b"
_BIRTH = r"(?:née?|né\(e\))\s+le\s+\d{1,2}(?:er)?(?:\s*[/.\-]\s*\d{1,2}|\s+[a-zéû]+)"
_PERSON_PATTERNS = [
    # Léa D., 8 ans / Léa D. (8 ans) / Léa D., née le 3 mars
    re.compile(_FIRST + r"\s+[A-Z]\.\s*,?\s*\(?\s*(?:" + _AGE + "|" + _BIRTH + ")"),
    # l'enfant Léa, 8 ans / le mineur Tom, âgé de 15 ans
    re.compile(r"\b(?:enfant|mineure?|jeune|fille|garçon|fils|bébé|nourrisson)\s+" + _FIRST
               + r"\s*,?\s*\(?\s*(?:" + _AGE + "|" + _BIRTH + ")", re.IGNORECASE),
    # Léa, 8 ans / Paul (15 ans)
    re.compile(r"(?<![.!?]\s)(?<!^)\b" + _FIRST + r"\s*(?:,\s*|\(\s*)" + _AGE),
    # Paul, né le 3 mars 2015 / Jeanne Martin née le 02/05/1950
    re.compile(_FIRST + r"(?:\s+" + _NAME + r")?\s*,?\s+" + _BIRTH),
]
_NOT_FIRST_NAMES = {"depuis", "pendant", "plus", "moins", "environ", "soit", "dont", "avec", "sur", "sous",
                    "pour", "par", "les", "des", "ces", "ans", "total", "durée", "délai", "âge", "enfants",
                    "mineurs", "jeunes", "chaque", "tous", "toutes", "entre", "près", "janvier", "février",
                    "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
                    "décembre", "personnes", "moyenne", "médiane", "il", "elle", "ils", "elles"}

_LABELS = {
    "case_number": "un numéro d'affaire (RG, n°, Portalis)",
    "siren": "un numéro SIREN ou SIRET",
    "civility_name": "une civilité suivie d'un nom de personne",
    "legal_form_name": "une forme sociale suivie d'un nom d'entreprise",
    "person_age": "un prénom avec un âge ou une date de naissance",
}


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d // 10 + d % 10
    return total % 10 == 0


def _finding(kind: str, level: str, text: str) -> Finding:
    return Finding(kind, _LABELS[kind], level, text.strip()[:80])


def hard_findings(text: str) -> list[Finding]:
    """Case numbers and SIREN / SIRET numbers in a text (each refuses the text)."""
    t = normalise(text)
    out: list[Finding] = []
    for pat in _CASE_PATTERNS:
        m = pat.search(t)
        if m:
            out.append(_finding("case_number", ERROR, m.group(0)))
            break
    m = _SIREN_WORD.search(t)
    if m:
        out.append(_finding("siren", ERROR, t[m.start():m.end() + 16]))
    else:
        for m in _DIGIT_RUN.finditer(t):
            digits = re.sub(r"\D", "", m.group(0))
            if len(digits) in (9, 14) and _luhn(digits) and not _MONEY_AFTER.match(t[m.end():]):
                out.append(_finding("siren", ERROR, m.group(0)))
                break
    return out


def warning_findings(text: str) -> list[Finding]:
    """Name-like patterns (civility / legal form + proper name, first name + age or birth date)."""
    t = normalise(text)
    out: list[Finding] = []
    for m in _CIVILITY_NAME.finditer(t):
        word = m.group(1).strip(".").casefold()
        if word not in _TITLE_WORDS:
            out.append(_finding("civility_name", WARNING, m.group(0)))
            break
    for m in _LEGAL_NAME.finditer(t):
        if m.group(1).casefold() not in ("et", "ou", "en", "de", "du", "des"):
            out.append(_finding("legal_form_name", WARNING, m.group(0)))
            break
    for pat in _PERSON_PATTERNS:
        hit = next((m for m in pat.finditer(t)
                    if not _starts_with_common_word(m.group(0))), None)
        if hit:
            out.append(_finding("person_age", WARNING, hit.group(0)))
            break
    return out


def _starts_with_common_word(excerpt: str) -> bool:
    words = re.findall(r"[\wà-ÿ]+", excerpt)
    if not words:
        return True
    first = words[0].casefold()
    if first in ("enfant", "mineur", "mineure", "jeune", "fille", "garçon", "fils", "bébé", "nourrisson"):
        first = words[1].casefold() if len(words) > 1 else ""
    return first in _NOT_FIRST_NAMES


def scan(text: str) -> list[Finding]:
    """Every finding of a free text: hard identifiers first (level ``erreur``), then name-like ones."""
    if not text or not text.strip():
        return []
    return hard_findings(text) + warning_findings(text)
