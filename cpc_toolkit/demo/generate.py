"""Generation of the demo submissions (pure: returns DataFrames, writes nothing)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import cast

import numpy as np
import pandas as pd

from cpc_toolkit import catalogue, reference

DEMO_YEARS = (2021, 2022, 2023, 2024, 2025)
# court-years deliberately absent from the demo (a realistic imperfection)
# (Guingamp, formerly listed here, is a chambre de proximité of Saint-Brieuc, not a court id.)
MISSING_COURT_YEARS = (("tj-lisieux", 2022), ("tj-cusset", 2024), ("tj-privas", 2025))

NATIONAL_CIVIL_INFLOW = 1_450_000
SHARES = {"cg": 0.40, "jaf": 0.28, "jcp": 0.22, "refere": 0.10}
DELAY_MONTHS = {"cg": 13.0, "jaf": 11.0, "jcp": 6.5, "refere": 2.2}
DTES_MONTHS = {"cg": 12.0, "jaf": 9.0, "jcp": 6.5, "refere": 2.0}
# exits per ETPT and per year (synthetic orders of magnitude) for the optional staffing inputs
EXITS_PER_ETPT = {"magistrats": {"cg": 230.0, "jaf": 650.0, "jcp": 800.0, "refere": 900.0},
                  "greffe": {"cg": 160.0, "jaf": 420.0, "jcp": 380.0, "refere": 700.0}}
STAFFING_SHARE = 0.85  # share of court-years filling the optional staffing cells
BIG = {
    "tj-paris": 9.0, "tj-marseille": 4.0, "tj-lyon": 4.0, "tj-nanterre": 3.5, "tj-bobigny": 4.0,
    "tj-creteil": 3.2, "tj-lille": 3.5, "tj-bordeaux": 3.0, "tj-toulouse": 3.0, "tj-nice": 2.6,
    "tj-evry-courcouronnes": 2.6, "tj-pontoise": 2.6, "tj-versailles": 2.5, "tj-nantes": 2.3,
    "tj-montpellier": 2.3, "tj-rennes": 2.0, "tj-strasbourg": 2.0, "tj-grenoble": 2.0,
    "tj-meaux": 2.0, "tj-aix-en-provence": 1.8, "tj-toulon": 1.9, "tj-rouen": 1.7,
}
SMALL = {"tpi-mata-utu": 0.02, "tpi-saint-pierre": 0.03, "tpi-noumea": 0.5, "tpi-papeete": 0.5}

TEXTS = {
    "clpc_priorites_locales": [
        "Réduire le stock du contentieux général et développer l'audience de règlement amiable.",
        "Renforcer le suivi des mesures de protection et la vérification des comptes de gestion.",
        "Accélérer le traitement des ordonnances de protection et mieux repérer le contrôle coercitif.",
        "Accompagner les exploitations agricoles en difficulté en lien avec la chambre d'agriculture.",
    ],
    "clpc_organisation_audiences": [
        "Audiences collégiales réservées aux affaires complexes ; juge unique pour les autres.",
        "Création d'une audience dédiée aux référés d'urgence deux fois par semaine.",
    ],
    "clpc_circuits": [
        "Circuit court pour les ordonnances de protection avec fixation d'audience sous 48 heures.",
        "Orientation systématique vers l'ARA des litiges de voisinage et de construction.",
    ],
    "clpc_projets": [
        "Permanence d'information sur la médiation avec le barreau ; guide de l'amiable.",
        "Dématérialisation des minutes civiles et généralisation de la signature électronique.",
    ],
    "clpc_decisions_marquantes": [
        "Présentation de décisions de principe en matière de baux d'habitation et de copropriété.",
        "Jurisprudence récente sur l'autorité parentale en contexte de violences intrafamiliales.",
    ],
}


# members of a demo conseil: (qualité, institution) — names are visibly fictitious
DEMO_MEMBERS = (
    ("Maire de la ville siège", "Commune"), ("Bâtonnier de l'ordre des avocats", "Barreau"),
    ("Président du tribunal de commerce", "Tribunal de commerce"),
    ("Présidente du conseil de prud'hommes", "Conseil de prud'hommes"),
    ("Députée de la circonscription", "Assemblée nationale"), ("Sénateur du département", "Sénat"),
    ("Présidente de la chambre des notaires", "Chambre départementale des notaires"),
    ("Représentant des commissaires de justice", "Chambre régionale des commissaires de justice"),
    ("Directrice", "Union départementale des associations familiales"),
    ("Responsable du service d'aide aux victimes", "Association d'aide aux victimes"),
    ("Conciliatrice de justice", "Association des conciliateurs de justice"),
    ("Médiateur familial", "Association de médiation familiale"),
    ("Vice-présidente chargée de l'action sociale", "Conseil départemental"),
    ("Procureur de la République", "Parquet du tribunal judiciaire"),
)
DEMO_FIRST = ("Camille", "Dominique", "Claude", "Alix", "Sacha", "Lou", "Morgan", "Charlie")
DEMO_LAST = ("Exemple", "Fictif", "Modèle", "Essai", "Démo", "Spécimen")
DEMO_SUITES = (
    ("Étendre l'audience de règlement amiable aux litiges de construction", "Présidence du tribunal", "juin"),
    ("Réunir les mandataires sur la remise des comptes de gestion", "Service des tutelles", "mars"),
    ("Diffuser le guide de l'amiable auprès des mairies", "Magistrat référent amiable", "avril"),
    ("Point d'étape sur les ordonnances de protection", "Juge aux affaires familiales coordonnateur", "septembre"),
)


def demo_conseil(seed: int, court_id: str, year: int) -> tuple[dict[str, str], dict[str, list[dict[str, str]]]]:
    """Texts and lists of a demo conseil (own random stream: the other demo figures do not move)."""
    r = _rng(seed, "conseil", court_id, year)
    n = int(r.integers(7, len(DEMO_MEMBERS) + 1))
    picks = sorted(r.choice(len(DEMO_MEMBERS), size=n, replace=False))
    members = []
    for k in picks:
        qual, inst = DEMO_MEMBERS[int(k)]
        name = f"{DEMO_FIRST[int(r.integers(0, len(DEMO_FIRST)))]} {DEMO_LAST[int(r.integers(0, len(DEMO_LAST)))]}"
        members.append({"qualite": qual, "institution": inst, "nom": f"{name} (fictif)", "invite": "oui",
                        "present": "oui" if r.random() < 0.8 else "non"})
    agenda = [{"point": p} for p in (
        "Priorités juridictionnelles locales", "Organisation des audiences et collégialité",
        "Politique de l'amiable : audience de règlement amiable et médiation",
        "Protection des majeurs : révisions et comptes de gestion", "Ordonnances de protection",
        "Dématérialisation", "Questions diverses")]
    suites = [{"decision": d, "pilote": who, "echeance": f"{when} {year + 1}"}
              for d, who, when in DEMO_SUITES[: int(r.integers(2, len(DEMO_SUITES) + 1))]]
    texts = {"clpc_lieu": "Données fictives. Salle des audiences solennelles du tribunal",
             "clpc_echanges": "Données fictives. Les partenaires ont souligné l'intérêt de l'audience de règlement "
                              "amiable et demandé un calendrier des réunions sur la protection des majeurs."}
    return texts, {"clpc_membres_liste": members, "clpc_ordre_du_jour": agenda, "clpc_suites": suites}


def _rng(seed: int, *keys: object) -> np.random.Generator:
    digest = hashlib.sha256(repr((seed, *keys)).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def court_sizes(seed: int = 2025) -> pd.Series:
    """Relative size of each of the 168 courts (sums to 1): log-normal, big courts boosted."""
    seed = int(seed)  # numpy integers would change the key of the random streams
    ids = list(reference.first_instance_courts().index)
    w = []
    for cid in ids:
        r = _rng(seed, "size", cid)
        base = float(r.lognormal(0.0, 0.45))
        w.append(base * BIG.get(cid, 1.0) * SMALL.get(cid, 1.0))
    s = pd.Series(w, index=ids, name="size")
    return s / s.sum()


def _clip_int(x: float) -> int:
    return int(max(0, round(x)))


def generate_inputs(seed: int = 2025, years: tuple[int, ...] = DEMO_YEARS) -> pd.DataFrame:
    """Input-indicator values of every demo court-year, as store rows (without submission_id).

    Columns: court_id, year, indicator_id, value, text, status.
    """
    seed = int(seed)
    years = tuple(int(y) for y in years)
    for cid, _ in MISSING_COURT_YEARS:
        reference.court(cid)  # a typo here would silently drop the imperfection
    sizes = court_sizes(seed)
    inputs = {i.id: i for i in catalogue.input_indicators()}
    rows: list[tuple[str, int, str, float, str | None, str]] = []
    missing = set(MISSING_COURT_YEARS)
    for cid, share in zip(sizes.index.astype(str), sizes.to_numpy(dtype=float), strict=True):
        r = _rng(seed, "court", cid)
        # court-specific persistent traits
        cover_bias = r.normal(0.0, 0.035)
        delay_bias = r.lognormal(0.0, 0.18)
        pjm_bias = r.lognormal(0.0, 0.25)
        op_speed = min(0.99, max(0.55, r.normal(0.86, 0.09)))
        amiable_bias = r.lognormal(0.0, 0.6)
        stocks = {c: share * NATIONAL_CIVIL_INFLOW * SHARES[c] * DTES_MONTHS[c] / 12 * delay_bias
                  for c in SHARES}
        pjm_stock = share * 820_000 * pjm_bias
        for year in years:
            ry = _rng(seed, "court-year", cid, year)
            trend = 1.0 + 0.012 * (year - 2021)
            vals: dict[str, float | str | None] = {}
            status: dict[str, str] = {}
            for c, sh in SHARES.items():
                entrees = share * NATIONAL_CIVIL_INFLOW * sh * trend * ry.lognormal(0, 0.05)
                cover = 0.982 + cover_bias + ry.normal(0, 0.03)
                sorties = entrees * cover
                debut = stocks[c]
                e, s, d = _clip_int(entrees), _clip_int(sorties), _clip_int(debut)
                f = d + e - s
                if f < 0:
                    s, f = d + e, 0
                vals[f"act_{c}_entrees"], vals[f"act_{c}_sorties"] = e, s
                vals[f"act_{c}_stock_debut"], vals[f"act_{c}_stock_fin"] = d, f
                vals[f"act_{c}_delai_moyen"] = round(DELAY_MONTHS[c] * delay_bias * ry.lognormal(0, 0.06)
                                                     * (1.05 - 0.02 * (year - 2021)), 1)
                stocks[c] = float(f)
            # optional staffing (own random stream: the other demo values do not move)
            rs = _rng(seed, "staff", cid, year)
            if rs.random() < STAFFING_SHARE:
                for c in SHARES:
                    for cat, prod in EXITS_PER_ETPT.items():
                        exits = cast(int, vals[f"act_{c}_sorties"])  # set above from _clip_int
                        etpt = float(exits) / prod[c] * rs.lognormal(0, 0.12)
                        vals[f"act_{c}_etpt_{cat}"] = max(0.1, round(etpt, 1))
            # CLPC (created by the circulaire of 27 June 2025)
            if year >= 2025:
                held = ry.random() < 0.78
                vals["clpc_tenu"] = 1.0 if held else 0.0
                if held:
                    day = dt.date(2025, 9, 15) + dt.timedelta(days=int(ry.integers(0, 90)))
                    vals["clpc_date"] = day.isoformat()
                    for k, mu in (("elus_locaux", 6), ("parlementaires", 1.2), ("professions_droit", 8),
                                  ("associations", 5), ("presidents_tc_cph", 2), ("autres", 4)):
                        vals[f"clpc_membres_{k}"] = int(ry.poisson(mu * (0.6 + 3 * share ** 0.5)))
                    for k, options in TEXTS.items():
                        vals[k] = "Données fictives. " + options[int(ry.integers(0, len(options)))]
                    conseil_texts, conseil_lists = demo_conseil(seed, cid, year)
                    vals.update(conseil_texts)
                else:
                    for k in ("clpc_date", "clpc_lieu", "clpc_echanges", *TEXTS):
                        status[k] = "NA"
            else:
                for k in ("clpc_tenu", "clpc_date", "clpc_lieu", "clpc_echanges", *TEXTS):
                    status[k] = "NAP"
                for k in ("elus_locaux", "parlementaires", "professions_droit", "associations",
                          "presidents_tc_cph", "autres"):
                    status[f"clpc_membres_{k}"] = "NAP"
            # Amiable (ARA from 1 Nov 2023; référent from the dépêche of 7 Feb 2025)
            vals["ami_referent_designe"] = 1.0 if (year >= 2025 and ry.random() < 0.88) or \
                (year == 2024 and ry.random() < 0.3) else 0.0
            vals["ami_comite_pilotage"] = 1.0 if ry.random() < (0.15 + 0.12 * (year - 2021)) else 0.0
            vals["ami_projet_juridiction"] = 1.0 if ry.random() < (0.2 + 0.13 * (year - 2021)) else 0.0
            vals["ami_magistrats_formes_ara"] = _clip_int(share * 1500 * max(0, year - 2022) / 3
                                                          * ry.lognormal(0, 0.3))
            ara_scale = {2021: 0, 2022: 0, 2023: 80, 2024: 1600, 2025: 4200}.get(year, 4200)
            if year <= 2022:
                for k in ("ami_ara_ordonnees", "ami_ara_tenues", "ami_ara_accord_total",
                          "ami_ara_accord_partiel", "ami_ara_echec"):
                    status[k] = "NAP"
            else:
                ordonnees = _clip_int(ara_scale * share * amiable_bias * ry.lognormal(0, 0.2))
                tenues = _clip_int(ordonnees * ry.uniform(0.7, 0.95))
                total = _clip_int(tenues * ry.uniform(0.3, 0.5))
                partiel = _clip_int((tenues - total) * ry.uniform(0.15, 0.35))
                vals.update(ami_ara_ordonnees=ordonnees, ami_ara_tenues=tenues, ami_ara_accord_total=total,
                            ami_ara_accord_partiel=partiel, ami_ara_echec=tenues - total - partiel)
            vals["ami_mediations_ordonnees"] = _clip_int(share * 9000 * amiable_bias * trend * ry.lognormal(0, 0.2))
            vals["ami_injonctions_mediateur"] = _clip_int(share * 6000 * amiable_bias * ry.lognormal(0, 0.3))
            vals["ami_conciliations_deleguees"] = _clip_int(share * 4000 * ry.lognormal(0, 0.3))
            vals["ami_conciliateurs_actifs"] = max(1, _clip_int(share * 2300 * ry.lognormal(0, 0.1)))
            # Majeurs protégés
            ouvertures = share * 100_000 * pjm_bias * (1 + 0.015 * (year - 2021)) * ry.lognormal(0, 0.05)
            pjm_stock = pjm_stock * 1.012
            vals["pjm_mesures_tutelle"] = _clip_int(pjm_stock * 0.40)
            vals["pjm_mesures_curatelle"] = _clip_int(pjm_stock * 0.45)
            vals["pjm_mesures_sauvegarde"] = _clip_int(pjm_stock * 0.02)
            vals["pjm_mesures_habilitation"] = _clip_int(pjm_stock * (0.10 + 0.01 * (year - 2021)))
            vals["pjm_ouvertures"] = _clip_int(ouvertures)
            vals["pjm_renouvellements"] = _clip_int(pjm_stock * 0.10 * ry.lognormal(0, 0.08))
            vals["pjm_mainlevees"] = _clip_int(pjm_stock * 0.06 * ry.lognormal(0, 0.1))
            late_rate = max(0.0, ry.normal(0.03, 0.02) * delay_bias)
            vals["pjm_echues_sans_decision"] = _clip_int(pjm_stock * late_rate)
            attendus = _clip_int(pjm_stock * 0.72)
            recus = _clip_int(attendus * min(1.0, max(0.3, ry.normal(0.78, 0.1))))
            verifies = _clip_int(recus * min(1.0, max(0.3, ry.normal(0.82, 0.1))))
            vals.update(pjm_comptes_attendus=attendus, pjm_comptes_recus_30juin=recus,
                        pjm_comptes_verifies_31dec=verifies)
            vals["pjm_mandats_protection_future"] = _clip_int(share * 2500 * ry.lognormal(0, 0.3))
            vals["pjm_controles_mjpm"] = _clip_int(share * 3000 * ry.lognormal(0, 0.4))
            vals["pjm_signalements_mjpm"] = _clip_int(share * 600 * ry.lognormal(0, 0.5))
            vals["pjm_referent_protection"] = 1.0 if ry.random() < 0.35 + 0.1 * (year - 2021) else 0.0
            vals["pjm_conventions_sanitaires_sociales"] = int(ry.poisson(1.0 + 0.3 * (year - 2021)))
            # Agricole / entreprises: from 2025 the TAE take them in their ressorts
            tae = reference.has_tae(cid, year)
            agr_keys = ("agr_reglements_amiables", "agr_conciliations", "agr_entretiens_prevention",
                        "agr_sauvegardes", "agr_redressements", "agr_liquidations")
            if tae:
                for k in agr_keys:
                    status[k] = "NAP"
            else:
                a = share * ry.lognormal(0, 0.3)
                vals["agr_reglements_amiables"] = _clip_int(a * 900)
                vals["agr_conciliations"] = _clip_int(a * 150)
                vals["agr_entretiens_prevention"] = _clip_int(a * 600)
                vals["agr_sauvegardes"] = _clip_int(a * 60)
                vals["agr_redressements"] = _clip_int(a * 520)
                vals["agr_liquidations"] = _clip_int(a * 420)
            vals["agr_referent"] = 1.0 if ry.random() < 0.25 + 0.08 * (year - 2021) else 0.0
            e = share * ry.lognormal(0, 0.25) * (1.0 + 0.05 * (year - 2021))
            ent_keys = ("ent_mandats_ad_hoc", "ent_conciliations", "ent_sauvegardes",
                        "ent_sauvegardes_accelerees", "ent_redressements", "ent_liquidations",
                        "ent_retablissements", "ent_entretiens_prevention")
            if tae:
                for k in ent_keys:
                    status[k] = "NAP"
            else:
                vals.update(ent_mandats_ad_hoc=_clip_int(e * 500), ent_conciliations=_clip_int(e * 400),
                            ent_sauvegardes=_clip_int(e * 120), ent_sauvegardes_accelerees=_clip_int(e * 5),
                            ent_redressements=_clip_int(e * 2300), ent_liquidations=_clip_int(e * 5600),
                            ent_retablissements=_clip_int(e * 300), ent_entretiens_prevention=_clip_int(e * 1500))
            # reporting to the DACS was asked by the circulaire of 27 June 2025
            if year >= 2025:
                vals["ent_procedures_signalees"] = int(ry.poisson(3 * share ** 0.5))
            else:
                status["ent_procedures_signalees"] = "NAP"
            # VIF (OPPI from 17 January 2025)
            dem = share * (5900 + 400 * (year - 2021)) * ry.lognormal(0, 0.15)
            d = _clip_int(dem)
            acc = _clip_int(d * min(0.9, max(0.4, ry.normal(0.64, 0.06))))
            rej = _clip_int((d - acc) * ry.uniform(0.75, 0.95))
            within = _clip_int((acc + rej) * min(1.0, op_speed + ry.normal(0.01 * (year - 2021), 0.03)))
            vals.update(vif_op_demandees=d, vif_op_accordees=acc, vif_op_rejetees=rej,
                        vif_op_decidees_6j=min(within, acc + rej),
                        vif_op_delai_moyen=round(max(2.0, (1 - op_speed) * 30 + ry.normal(4.5, 0.8)), 1))
            if year >= 2025:
                o = _clip_int(share * 900 * ry.lognormal(0, 0.4))
                vals.update(vif_oppi_demandees=o, vif_oppi_delivrees=_clip_int(o * ry.uniform(0.6, 0.9)),
                            vif_oppi_24h=_clip_int(o * min(1.0, ry.normal(0.9, 0.06))))
            else:
                for k in ("vif_oppi_demandees", "vif_oppi_delivrees", "vif_oppi_24h"):
                    status[k] = "NAP"
            vals["vif_interventions_parquet"] = _clip_int(share * 8000 * (1 + 0.1 * (year - 2021))
                                                          * ry.lognormal(0, 0.3))
            # Dématérialisation (minutier électronique since October 2024)
            minutes = _clip_int(sum((float(cast(float, vals[f"act_{c}_sorties"])) for c in SHARES), 0.0) * 0.8)
            sig_share = min(0.98, max(0.0, 0.05 + 0.14 * (year - 2021) + ry.normal(0, 0.05)))
            vals["dem_minutes_civiles"] = minutes
            vals["dem_minutes_signees_electroniquement"] = _clip_int(minutes * sig_share)
            if year >= 2024:
                vals["dem_ordonnances_minutier"] = _clip_int(minutes * 0.2 * (sig_share if year == 2025 else 0.1))
            else:
                status["dem_ordonnances_minutier"] = "NAP"
            vals["dem_ged_experimentation"] = 1.0 if (year >= 2025 and ry.random() < 0.2) else 0.0
            # a few realistic NA cells
            if ry.random() < 0.06:
                k = ["act_jcp_delai_moyen", "pjm_mandats_protection_future", "ami_injonctions_mediateur",
                     "vif_interventions_parquet", "pjm_signalements_mjpm"][int(ry.integers(0, 5))]
                vals.pop(k, None)
                status[k] = "NA"
            if (cid, year) in missing:
                continue
            for iid, ind in inputs.items():
                st = status.get(iid, "ok")
                v = vals.get(iid)
                if st == "ok" and v is None:
                    st = "NA"
                if st != "ok":
                    rows.append((cid, year, iid, np.nan, None, st))
                elif ind.numeric:
                    rows.append((cid, year, iid, float(cast(float, v)), None, "ok"))
                else:
                    rows.append((cid, year, iid, np.nan, str(v), "ok"))
            if year >= 2025 and vals.get("clpc_tenu") == 1.0:
                for lid, items in conseil_lists.items():
                    rows.append((cid, year, lid, np.nan, json.dumps(items, ensure_ascii=False, sort_keys=True), "ok"))
    return pd.DataFrame(rows, columns=["court_id", "year", "indicator_id", "value", "text", "status"])
