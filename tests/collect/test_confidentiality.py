"""The confidentiality scan of free texts: a corpus of real-looking references and of legitimate texts."""

from __future__ import annotations

import pytest

from cpc_toolkit.confidentiality import ERROR, WARNING, scan

# (text, expected level of the first finding, expected kind)
TRUE_POSITIVES: list[tuple[str, str, str]] = [
    ("Décision RG 24/01234 du TJ", ERROR, "case_number"),
    ("affaire RG 24-01234 renvoyée", ERROR, "case_number"),
    ("voir RG n° 23/04567", ERROR, "case_number"),
    ("R.G. : 22/1234", ERROR, "case_number"),
    ("N° RG 24/01234", ERROR, "case_number"),
    ("dossier n° 24/01234", ERROR, "case_number"),
    ("jugement n° 25/00412 du 3 mars", ERROR, "case_number"),
    ("n°25/00412", ERROR, "case_number"),
    ("No 24/01234", ERROR, "case_number"),
    ("l'affaire 24/01234 a été évoquée", ERROR, "case_number"),
    ("RG\u00a024/01234", ERROR, "case_number"),
    ("n°\u202f24/01234", ERROR, "case_number"),
    ("RG 24/\u200b01234", ERROR, "case_number"),
    ("Portalis DBVX-V-B7H-MXYZ", ERROR, "case_number"),
    ("N° Portalis : DBVX-V-B7I-NB3Q", ERROR, "case_number"),
    ("référence DBVX-V-B7H-MXYZ au greffe", ERROR, "case_number"),
    ("Partenariat avec la société 552 100 554", ERROR, "siren"),
    ("société 552100554", ERROR, "siren"),
    ("SIREN 552 100 554", ERROR, "siren"),
    ("siret : 55210055400013", ERROR, "siren"),
    ("SIRET 552 100 554 00013", ERROR, "siren"),
    ("entreprise 552\u202f100\u202f554", ERROR, "siren"),
    ("entreprise 552\u00a0100\u00a0554", ERROR, "siren"),
    ("entreprise 552.100.554", ERROR, "siren"),
    ("entreprise 552-100-554", ERROR, "siren"),
    ("entreprise 552\u200b100\u200b554", ERROR, "siren"),
    ("entreprise 5\u200d5\u200d2\u200d1\u200d0\u200d0\u200d5\u200d5\u200d4", ERROR, "siren"),
    ("SIREN n° 123", ERROR, "siren"),
    ("SARL Boulangerie Martin ; M. Jean Dupont", WARNING, "civility_name"),
    ("audition de M. Dupont", WARNING, "civility_name"),
    ("Mme Léa Martin a été entendue", WARNING, "civility_name"),
    ("Me Durand, avocat", WARNING, "civility_name"),
    ("Maître Lefebvre a plaidé", WARNING, "civility_name"),
    ("Monsieur Bernard", WARNING, "civility_name"),
    ("la SARL Boulangerie Martin", WARNING, "legal_form_name"),
    ("la SAS Dupont Frères est en redressement", WARNING, "legal_form_name"),
    ("SCI Les Tilleuls", WARNING, "legal_form_name"),
    ("EURL Garage Petit", WARNING, "legal_form_name"),
    ("la SA « Conserveries Réunies »", WARNING, "legal_form_name"),
    ("l'enfant Léa D., 8 ans", WARNING, "person_age"),
    ("Léa D. (8 ans)", WARNING, "person_age"),
    ("le mineur Tom, âgé de 15 ans", WARNING, "person_age"),
    ("audition de Paul, 15 ans, au tribunal", WARNING, "person_age"),
    ("Jeanne Martin née le 02/05/1950", WARNING, "person_age"),
    ("Paul, né le 3 mars 2015", WARNING, "person_age"),
]

LEGITIMATE: list[str] = [
    "la SARL est une forme sociale fréquente",
    "M. le bâtonnier a présenté le bilan",
    "Mme la présidente du tribunal",
    "M. le procureur de la République",
    "Mme la directrice de greffe",
    "les SAS et les SA ont été sensibilisées",
    "une SCI sur dix",
    "Réunion du CLPC le 12/03/2025 avec le barreau",
    "Depuis 10 ans, la médiation progresse",
    "Pendant 3 ans le dispositif a été testé",
    "Plus de 25 ans d'expérience",
    "Les enfants de moins de 13 ans",
    "Entre 2023 et 2025, 1 234 mesures ont été ouvertes",
    "Budget de 123 456 789 euros",
    "Budget de 123 456 789 €",
    "Téléphone du greffe : 04 72 00 00 00",
    "Taux de 12,5 % en 2025",
    "Circulaire du 27 juin 2025, § 1.2",
    "Article 1240 du code civil",
    "Décret n° 2023-357 du 11 mai 2023",
    "loi n° 2019-222 du 23 mars 2019",
    "article L. 611-2 du code de commerce",
    "Délai moyen de 14,2 mois",
    "Un stock de 12 345 affaires",
    "Permanence de 9 h à 12 h",
    "Partenariat avec l'ordre des avocats et la chambre des notaires",
    "Conciliateurs de justice : 12 actifs",
    "Priorité : réduire les délais de la JAF",
    "Projet d'audience de règlement amiable",
    "Le juge des contentieux de la protection",
    "Mme la bâtonnière et M. le premier président",
    "Réunion avec M. le maire et Mme la préfète",
    "Audience du 3 mars 2025 à 14 h",
    "Rapport 2024/2025 du conseil",
    "Semaine 12/52",
    "Ratio 3/4 des dossiers",
    "Code NAF 47.24Z, secteur boulangerie",
    "Le Sénat a adopté la loi",
    "Une entreprise de plus de 250 salariés",
    "SA majorité des dossiers",
    "Les jeunes de 16 ans et plus",
    "Durée moyenne, 3 ans",
    "Total, 12 ans de données",
    "En 2025, 45 % des affaires",
]


@pytest.mark.parametrize(("text", "level", "kind"), TRUE_POSITIVES)
def test_true_positive_found(text: str, level: str, kind: str) -> None:
    found = scan(text)
    assert found, text
    assert found[0].level == level and found[0].kind == kind, (text, found)


@pytest.mark.parametrize("text", LEGITIMATE)
def test_legitimate_text_not_flagged(text: str) -> None:
    assert scan(text) == [], text


def test_corpus_sizes() -> None:
    assert len(TRUE_POSITIVES) >= 40 and len(LEGITIMATE) >= 40
