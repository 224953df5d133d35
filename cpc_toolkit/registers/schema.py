"""Column mappings of the three case registers (documented in README.md, section « Registres d'affaires »; `cpc registre colonnes`).

Each register is a table exported by the court's case-management software, one row per case.
Headers are matched after normalisation (lower case, accents removed, any run of non-alphanumeric
characters → ``_``), so « Date d'ouverture », ``date_ouverture`` and ``DATE OUVERTURE`` are the same
column; each column also accepts a few aliases. Coded values (type, issue…) are matched the same
way and accept aliases (« Curatelle renforcée » → ``curatelle_renforcee``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

REGISTER_TYPES = ("mesures", "procedures", "ordonnances")
REGISTER_LABELS = {
    "mesures": "registre des mesures de protection",
    "procedures": "registre des procédures amiables et collectives",
    "ordonnances": "registre des ordonnances de protection",
}
# column kinds: text, date, datetime, int, float, bool, enum, court, siren, naf


@dataclass(frozen=True)
class Column:
    """One column of a register: canonical (French) name, meaning, type and accepted aliases."""

    name: str
    label: str
    kind: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    choice_aliases: dict[str, str] = field(default_factory=dict)
    min: float | None = None
    max: float | None = None
    confidential: bool = False


def normalise(text: object) -> str:
    """Header / code normalisation: lower case, no accents, ``_`` between words."""
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


MEASURE_TYPES = ("tutelle", "curatelle_simple", "curatelle_renforcee", "sauvegarde_justice",
                 "habilitation_familiale")
# measures for which an annual compte de gestion is due (art. 510 and 472 C. civ.)
MEASURES_WITH_ACCOUNTS = ("tutelle", "curatelle_renforcee")
MANDATAIRE_TYPES = ("familial", "mjpm_service", "mjpm_individuel", "mjpm_prepose")

AMICABLE_TYPES = ("mandat_ad_hoc", "conciliation", "reglement_amiable_agricole")
COLLECTIVE_TYPES = ("sauvegarde", "redressement_judiciaire", "liquidation_judiciaire")
PROCEDURE_TYPES = (*AMICABLE_TYPES, *COLLECTIVE_TYPES, "retablissement_professionnel")
PROCEDURE_OUTCOMES = ("en_cours", "accord_constate", "accord_homologue", "echec", "plan_adopte",
                      "cession", "conversion_liquidation", "cloture_insuffisance_actif",
                      "cloture_extinction_passif", "cloture_retablissement", "autre")
DEBTOR_KINDS = ("personne_physique", "personne_morale")
OP_OUTCOMES = ("accordee", "accordee_partiellement", "rejetee", "irrecevable", "desistement",
               "caducite", "en_cours")

MESURES: tuple[Column, ...] = (
    Column("identifiant", "numéro de la mesure (répertoire général ou numéro de dossier)", "text",
           True, ("id", "numero", "numero_mesure", "n_mesure", "numero_rg", "rg", "dossier")),
    Column("juridiction", "identifiant de la juridiction (ex. tj-lyon) ou son nom", "court", True,
           ("tribunal", "court_id", "code_juridiction")),
    Column("type_mesure", "tutelle, curatelle_simple, curatelle_renforcee, sauvegarde_justice, "
           "habilitation_familiale", "enum", True, ("type", "nature", "nature_mesure", "mesure"),
           MEASURE_TYPES,
           {"curatelle": "curatelle_simple", "sauvegarde": "sauvegarde_justice",
            "sauvegarde_de_justice": "sauvegarde_justice", "habilitation": "habilitation_familiale",
            "tutelle_aux_biens": "tutelle", "tutelle_a_la_personne": "tutelle",
            "curatelle_renforcee_art_472": "curatelle_renforcee"}),
    Column("date_ouverture", "date du jugement d'ouverture", "date", True,
           ("date_d_ouverture", "date_jugement", "ouverture", "date_decision_ouverture")),
    Column("duree_mois", "durée fixée à l'ouverture, en mois (60 = 5 ans ; 120 au plus, art. 441)",
           "int", True, ("duree", "duree_initiale", "duree_initiale_mois", "duree_fixee_mois"),
           min=1, max=120),
    Column("date_dernier_renouvellement", "date du dernier jugement de renouvellement", "date", False,
           ("date_renouvellement", "dernier_renouvellement")),
    Column("duree_renouvellement_mois", "durée fixée au dernier renouvellement, en mois (240 au plus, "
           "art. 442)", "int", False, ("duree_renouvellement", "duree_dernier_renouvellement"),
           min=1, max=240),
    Column("date_fin", "date de fin de la mesure (mainlevée, décès, caducité), vide si en cours",
           "date", False, ("date_de_fin", "date_mainlevee", "fin", "date_cloture")),
    Column("date_dernier_compte_recu", "date de réception du dernier compte de gestion annuel", "date",
           False, ("dernier_compte_recu", "date_reception_compte", "compte_recu")),
    Column("date_dernier_compte_verifie", "date de vérification (approbation) du dernier compte de "
           "gestion", "date", False, ("dernier_compte_verifie", "date_verification_compte",
                                      "compte_verifie", "date_approbation_compte")),
    Column("dispense_compte", "dispense de compte de gestion (art. 513 C. civ.) : oui / non", "bool",
           False, ("dispense", "dispense_comptes")),
    Column("type_mandataire", "familial, mjpm_service, mjpm_individuel, mjpm_prepose", "enum", False,
           ("mandataire", "nature_mandataire", "type_de_mandataire"), MANDATAIRE_TYPES,
           {"famille": "familial", "mandataire_familial": "familial", "service": "mjpm_service",
            "association": "mjpm_service", "individuel": "mjpm_individuel",
            "prepose": "mjpm_prepose", "prepose_d_etablissement": "mjpm_prepose"}),
)

PROCEDURES: tuple[Column, ...] = (
    Column("identifiant", "numéro de la procédure (répertoire général)", "text", True,
           ("id", "numero", "numero_rg", "rg", "dossier", "numero_procedure")),
    Column("juridiction", "identifiant de la juridiction (ex. tj-lyon) ou son nom", "court", True,
           ("tribunal", "court_id", "code_juridiction")),
    Column("type_procedure", ", ".join(PROCEDURE_TYPES), "enum", True,
           ("type", "nature", "nature_procedure", "procedure"), PROCEDURE_TYPES,
           {"mandat": "mandat_ad_hoc", "rj": "redressement_judiciaire", "lj": "liquidation_judiciaire",
            "redressement": "redressement_judiciaire", "liquidation": "liquidation_judiciaire",
            "rp": "retablissement_professionnel", "retablissement": "retablissement_professionnel",
            "raa": "reglement_amiable_agricole", "reglement_amiable": "reglement_amiable_agricole",
            "sauvegarde_acceleree": "sauvegarde"}),
    Column("date_ouverture", "date d'ouverture (désignation du mandataire ad hoc ou du conciliateur, "
           "jugement d'ouverture)", "date", True,
           ("date_d_ouverture", "ouverture", "date_jugement_ouverture", "date_designation")),
    Column("date_fin", "date de fin (fin de mission, clôture, conversion), vide si en cours", "date",
           False, ("date_de_fin", "date_cloture", "fin")),
    Column("prorogation", "conciliation prorogée (art. L. 611-6 C. com.) : oui / non", "bool", False,
           ("prorogee", "conciliation_prorogee")),
    Column("date_debut_suspension", "règlement amiable agricole : début de la suspension provisoire "
           "des poursuites", "date", False, ("debut_suspension", "date_suspension")),
    Column("date_fin_suspension", "règlement amiable agricole : fin de la suspension provisoire des "
           "poursuites", "date", False, ("fin_suspension",)),
    Column("suspension_renouvelee", "suspension des poursuites renouvelée (art. L. 351-5 C. rur.) : "
           "oui / non", "bool", False, ("renouvellement_suspension",)),
    Column("salaries", "nombre de salariés à l'ouverture", "int", False,
           ("nombre_salaries", "effectif", "nb_salaries", "effectif_salarie"), min=0, max=1_000_000),
    Column("salarie_6_derniers_mois", "un salarié a été employé dans les 6 mois précédant la demande "
           ": oui / non", "bool", False, ("salarie_6_mois", "salaries_6_mois")),
    Column("agricole", "exploitation agricole : oui / non", "bool", False,
           ("exploitation_agricole", "activite_agricole")),
    Column("secteur_naf", "code NAF (ex. 01.11Z)", "naf", False, ("naf", "code_naf", "ape", "code_ape",
                                                                   "secteur")),
    Column("issue", ", ".join(PROCEDURE_OUTCOMES), "enum", False, ("resultat", "decision", "issue_procedure"),
           PROCEDURE_OUTCOMES, {"accord": "accord_constate", "homologation": "accord_homologue",
                                "plan": "plan_adopte", "conversion": "conversion_liquidation"}),
    Column("forme_debiteur", "personne_physique ou personne_morale", "enum", True,
           ("debiteur", "nature_debiteur", "forme_juridique", "type_debiteur"), DEBTOR_KINDS,
           {"physique": "personne_physique", "pp": "personne_physique",
            "entrepreneur_individuel": "personne_physique", "ei": "personne_physique",
            "morale": "personne_morale", "pm": "personne_morale", "societe": "personne_morale"}),
    Column("profession_liberale_reglementee", "profession libérale réglementée (avocat, notaire…), "
           "hors compétence du TAE : oui / non", "bool", False, ("profession_reglementee",)),
    Column("actif_declare", "actif déclaré en euros, hors biens insaisissables", "float", False,
           ("actif", "montant_actif", "actif_euros"), min=0),
    Column("date_procedure_precedente", "date de clôture de la dernière liquidation pour insuffisance "
           "d'actif ou du dernier rétablissement professionnel", "date", False,
           ("procedure_precedente", "date_precedente_procedure")),
    Column("strategique", "entreprise stratégique ou sous attention médiatique (circulaire § 2.2) : "
           "oui / non", "bool", False, ("signalement", "enjeu_strategique")),
    Column("denomination", "dénomination de l'entreprise (confidentiel)", "text", False,
           ("raison_sociale", "nom", "entreprise", "nom_entreprise", "debiteur_nom"), confidential=True),
    Column("siren", "numéro SIREN, 9 chiffres avec clé de Luhn (confidentiel)", "siren", False,
           ("numero_siren", "n_siren"), confidential=True),
)

ORDONNANCES: tuple[Column, ...] = (
    Column("identifiant", "numéro de la demande (répertoire général)", "text", True,
           ("id", "numero", "numero_rg", "rg", "dossier")),
    Column("juridiction", "identifiant de la juridiction (ex. tj-lyon) ou son nom", "court", True,
           ("tribunal", "court_id", "code_juridiction")),
    Column("date_demande", "date de la requête ou de l'assignation", "datetime", True,
           ("date_requete", "date_saisine", "demande")),
    Column("date_fixation_audience", "date de l'ordonnance fixant la date d'audience (point de départ "
           "des 6 jours, art. 515-11 C. civ.)", "datetime", False,
           ("date_ordonnance_fixation", "ordonnance_fixation", "date_fixation")),
    Column("date_decision", "date de la décision sur l'ordonnance de protection", "datetime", False,
           ("decision", "date_ordonnance")),
    Column("issue", ", ".join(OP_OUTCOMES), "enum", False, ("resultat", "sens_decision"), OP_OUTCOMES,
           {"accord": "accordee", "acceptee": "accordee", "partielle": "accordee_partiellement",
            "rejet": "rejetee", "refus": "rejetee", "refusee": "rejetee"}),
    Column("oppi_saisine", "OPPI : date et heure de saisine du juge (art. 515-13-1 C. civ.)", "datetime",
           False, ("date_saisine_oppi", "saisine_oppi")),
    Column("oppi_decision", "OPPI : date et heure de la décision", "datetime", False,
           ("date_decision_oppi", "decision_oppi")),
)

SCHEMAS: dict[str, tuple[Column, ...]] = {
    "mesures": MESURES, "procedures": PROCEDURES, "ordonnances": ORDONNANCES,
}


def schema(register_type: str) -> tuple[Column, ...]:
    """Columns of a register type (``mesures``, ``procedures``, ``ordonnances``)."""
    from cpc_toolkit.errors import ReasonCode, UsageError

    if register_type not in SCHEMAS:
        raise UsageError(f"Type de registre inconnu : « {register_type} » (attendus : "
                         f"{', '.join(REGISTER_TYPES)}).", ReasonCode.USAGE)
    return SCHEMAS[register_type]


_STOP_WORDS = {"de", "d", "du", "des", "la", "le", "l", "les", "en", "au", "aux", "a"}


def header_key(text: object) -> str:
    """Header normalisation: ``normalise`` without French articles (« Date d'ouverture » →
    ``date_ouverture``, « Type de mesure » → ``type_mesure``)."""
    return "_".join(w for w in normalise(text).split("_") if w not in _STOP_WORDS)


def header_map(register_type: str) -> dict[str, str]:
    """Normalised header or alias → canonical column name."""
    out: dict[str, str] = {}
    for col in schema(register_type):
        out[header_key(col.name)] = col.name
        for alias in col.aliases:
            out.setdefault(header_key(alias), col.name)
    return out


def column_doc(register_type: str) -> list[dict[str, str]]:
    """Documentation rows of a register's columns (name, type, required, aliases, meaning)."""
    kinds = {"text": "texte", "date": "date", "datetime": "date et heure", "int": "entier",
             "float": "nombre", "bool": "oui / non", "enum": "code", "court": "juridiction",
             "siren": "SIREN", "naf": "code NAF"}
    return [{"colonne": c.name, "type": kinds[c.kind], "obligatoire": "oui" if c.required else "non",
             "alias": ", ".join(c.aliases), "contenu": c.label} for c in schema(register_type)]
