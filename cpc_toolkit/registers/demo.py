"""Synthetic case registers for the demo (« données fictives »): vectorised (numpy), deterministic.

Volumes follow the demo inputs of each court-year (stock of measures, procedures opened by type,
OP requests), so that register indicators and collected figures have the same scale. Companies
are obviously fictitious (« Société Fictive Alpha 12 SAS ») with SIRENs whose Luhn key is valid.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import pandas as pd

from cpc_toolkit.registers import ordonnances, procedures, storage
from cpc_toolkit.registers.clocks import add_months
from cpc_toolkit.registers.importer import compute_values, records
from cpc_toolkit.store import Store

MEASURE_YEARS = (2025,)  # measures register: a snapshot at 31 December
CASE_YEARS = (2024, 2025)  # procedures and protection orders (kept short: one store submission per court-year)
DEMO_AS_OF = dt.date(2025, 12, 31)
GREEK = np.array(["Alpha", "Bêta", "Gamma", "Delta", "Epsilon", "Zêta", "Êta", "Thêta", "Iota", "Kappa",
                  "Lambda", "Mu", "Nu", "Xi", "Omicron", "Pi", "Rhô", "Sigma", "Tau", "Upsilon", "Phi",
                  "Khi", "Psi", "Oméga"])
LEGAL_FORMS = np.array(["SAS", "SARL", "SA", "SCI", "EURL", "SCEA", "association"])
NAF = np.array(["10.71C", "41.20A", "43.21A", "45.20A", "47.11F", "47.71Z", "49.41A", "56.10A", "62.01Z",
                "68.20A", "69.10Z", "70.22Z", "86.21Z", "93.12Z", "96.02A"])
NAF_AGRI = np.array(["01.11Z", "01.13Z", "01.21Z", "01.41Z", "01.47Z", "01.50Z", "02.10Z", "03.21Z"])


def _rng(seed: int, *key: object) -> np.random.Generator:
    h = hashlib.sha256(("registers|" + "|".join(map(str, (seed, *key)))).encode()).digest()
    return np.random.default_rng(int.from_bytes(h[:8], "little"))


def _days(rng: np.random.Generator, lo: float, hi: float, n: int) -> np.ndarray:
    return rng.integers(int(lo), int(hi) + 1, n).astype("timedelta64[D]")


def siren_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` random nine-digit SIRENs with a valid Luhn key (vectorised)."""
    body = rng.integers(0, 10, (n, 8))
    body[:, 0] = rng.integers(1, 10, n)
    doubled = body[:, 1::2] * 2
    total = body[:, 0::2].sum(axis=1) + (doubled // 10 + doubled % 10).sum(axis=1)
    check = (10 - total % 10) % 10
    digits = np.concatenate([body, check[:, None]], axis=1).astype(np.uint8) + 48
    return digits.view("S9").ravel().astype(str)


def _ids(prefix: str, years: np.ndarray, n: int) -> pd.Series:
    """Case numbers such as ``M25-000123`` (pyarrow string kernels: fast on millions of rows)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    yy = pc.utf8_lpad(pc.cast(pa.array(np.asarray(years) % 100), pa.string()), width=2, padding="0")
    seq = pc.utf8_lpad(pc.cast(pa.array(np.arange(1, n + 1)), pa.string()), width=6, padding="0")
    joined = pc.binary_join_element_wise(prefix, yy, "-", seq, "")
    return pd.Series(pd.array(joined, dtype="string"))


def _bool_or_na(values: np.ndarray, known: np.ndarray) -> pd.arrays.BooleanArray:
    """``values`` where ``known``, <NA> elsewhere (nullable boolean)."""
    return pd.arrays.BooleanArray(np.asarray(values, dtype=bool), ~np.asarray(known, dtype=bool))


def _cat(codes: np.ndarray, categories: np.ndarray | list[str] | pd.Index) -> pd.Categorical:
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64), categories=pd.Index(list(categories)))


def generate_measures(counts: pd.Series, year: int, seed: int, late_rate: pd.Series | None = None,
                      account_rates: pd.DataFrame | None = None,
                      type_shares: pd.DataFrame | None = None) -> pd.DataFrame:
    """A measures register at 31 Dec ``year``: ``counts`` = rows per court (index court_id)."""
    rng = _rng(seed, "mesures", year)
    idx = np.repeat(np.arange(len(counts)), counts.to_numpy().astype(np.int64))
    n = len(idx)
    ref = np.datetime64(f"{year}-12-31", "D")
    shares = (type_shares.reindex(counts.index).fillna({"tut": .40, "cur": .45, "sauv": .02, "hab": .13})
              if type_shares is not None else
              pd.DataFrame({"tut": .40, "cur": .45, "sauv": .02, "hab": .13}, index=counts.index))
    cum = shares[["tut", "cur", "sauv", "hab"]].div(shares.sum(axis=1), axis=0).cumsum(axis=1)
    cum_rows = cum.to_numpy()[idx]
    u = rng.random(n)
    k = (u[:, None] > cum_rows[:, :3]).sum(axis=1)  # 0 tutelle, 1 curatelle, 2 sauvegarde, 3 habilitation
    k = np.where((k == 1) & (rng.random(n) < 0.7), 4, k)  # 4 curatelle renforcée
    type_names = ["tutelle", "curatelle_simple", "sauvegarde_justice", "habilitation_familiale",
                  "curatelle_renforcee"]
    is_tut, is_sauv, is_hab = k == 0, k == 2, k == 3
    age = np.minimum(rng.exponential(7 * 365, n), 40 * 365).astype(np.int64)
    age = np.where(is_sauv, rng.integers(0, 700, n), age)
    opened = ref - age.astype("timedelta64[D]")
    dur = np.where(is_tut & (rng.random(n) < 0.2), 120, 60)
    dur = np.where(is_sauv, 12, np.where(is_hab, 120, dur))
    late = rng.random(n) < (late_rate.reindex(counts.index).fillna(0.03).to_numpy()[idx]
                            if late_rate is not None else 0.03)
    # overdue measures: term 1–400 days before the reference date, never renewed
    od = ref - _days(rng, 1, 400, n)
    opened = np.where(late, add_months(od, -dur), opened)
    initial_term = add_months(opened, dur)
    renewed = ~late & (initial_term < ref)
    r = rng.random(n)
    rdur = np.where(is_tut, np.where(r < 0.6, 60, np.where(r < 0.9, 120, 240)),
                    np.where(r < 0.85, 60, 120))
    rdur = np.where(is_hab, 120, np.where(is_sauv, 12, rdur))
    back = (rng.random(n) * (rdur * 30 - 1)).astype(np.int64).astype("timedelta64[D]")
    rdate = np.maximum(ref - back, initial_term - np.timedelta64(60, "D"))
    rdate = np.where(renewed, rdate, np.datetime64("NaT", "D"))
    ended = rng.random(n) < 0.05
    fin = np.maximum(ref - _days(rng, 0, 364, n), opened + np.timedelta64(1, "D"))
    fin = np.where(np.isnat(rdate), fin, np.maximum(fin, rdate + np.timedelta64(1, "D")))
    fin = np.where(ended & (fin <= ref), fin, np.datetime64("NaT", "D"))
    # comptes de gestion
    if account_rates is not None:
        ar = account_rates.reindex(counts.index)
        p_recv = ar["recv"].fillna(0.78).clip(0, 1).to_numpy()[idx]
        p_ver = ar["ver"].fillna(0.8).clip(0, 1).to_numpy()[idx]
    else:
        p_recv, p_ver = np.full(n, 0.78), np.full(n, 0.8)
    jan1 = np.datetime64(f"{year}-01-01", "D")
    on_time = rng.random(n) < p_recv
    late_recv = ~on_time & (rng.random(n) < 0.5)
    recv = np.where(on_time, jan1 + _days(rng, 14, 180, n),
                    np.where(late_recv, jan1 + _days(rng, 181, 330, n),
                             jan1 - _days(rng, 180, 300, n)))
    ver = np.minimum(recv + _days(rng, 15, 160, n), ref)
    verified = (recv >= jan1) & (rng.random(n) < p_ver)
    ver = np.where(verified, ver, np.datetime64("NaT", "D"))
    owes = (k == 0) | (k == 4)
    recv = np.where(owes & (recv > opened), recv, np.datetime64("NaT", "D"))
    ver = np.where(~np.isnat(recv), ver, np.datetime64("NaT", "D"))
    mand = np.searchsorted([0.45, 0.80, 0.95], rng.random(n))  # familial, service, individuel, préposé
    dispense = is_tut & (mand == 0) & (rng.random(n) < 0.03)
    return pd.DataFrame({
        "identifiant": _ids("M", opened.astype("datetime64[Y]").astype(np.int64) + 1970, n).to_numpy(),
        "juridiction": _cat(idx, counts.index),
        "type_mesure": _cat(k, type_names),
        "date_ouverture": opened.astype("datetime64[s]"),
        "duree_mois": dur.astype("float64"),
        "date_dernier_renouvellement": rdate.astype("datetime64[s]"),
        "duree_renouvellement_mois": np.where(renewed, rdur, np.nan).astype("float64"),
        "date_fin": fin.astype("datetime64[s]"),
        "date_dernier_compte_recu": recv.astype("datetime64[s]"),
        "date_dernier_compte_verifie": ver.astype("datetime64[s]"),
        "dispense_compte": pd.array(dispense, dtype="boolean"),
        "type_mandataire": _cat(mand, ["familial", "mjpm_service", "mjpm_individuel", "mjpm_prepose"]),
        "ligne": np.arange(2, n + 2, dtype=np.int64),
    })


PROCEDURE_INPUTS = {
    "mandat_ad_hoc": "ent_mandats_ad_hoc", "conciliation": "ent_conciliations",
    "sauvegarde": "ent_sauvegardes", "redressement_judiciaire": "ent_redressements",
    "liquidation_judiciaire": "ent_liquidations", "retablissement_professionnel": "ent_retablissements",
    "reglement_amiable_agricole": "agr_reglements_amiables",
}


def generate_procedures(counts: pd.DataFrame, seed: int, as_of: dt.date = DEMO_AS_OF) -> pd.DataFrame:
    """Procedures register: ``counts`` has columns court_id, year, type_procedure, n."""
    rng = _rng(seed, "procedures")
    counts = counts[counts["n"] > 0]
    rep = counts.loc[counts.index.repeat(counts["n"].astype(np.int64))]
    n = len(rep)
    court = rep["court_id"].to_numpy()
    year = rep["year"].to_numpy().astype(np.int64)
    typ = rep["type_procedure"].to_numpy().astype(str)
    ref = np.datetime64(as_of, "D")
    opened = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]") + _days(rng, 0, 364, n)
    opened = np.minimum(opened, ref)
    concil, rp, raa = typ == "conciliation", typ == "retablissement_professionnel", \
        typ == "reglement_amiable_agricole"
    coll = np.isin(typ, ("sauvegarde", "redressement_judiciaire", "liquidation_judiciaire"))
    late = rng.random(n)
    prorog = concil & (rng.random(n) < 0.3)
    climit = add_months(opened, np.where(prorog, 5, 4))
    end = opened + _days(rng, 30, 1500, n)
    end = np.where(typ == "mandat_ad_hoc", opened + _days(rng, 30, 300, n), end)
    end = np.where(concil, np.where(late < 0.08, climit + _days(rng, 1, 60, n), climit - _days(rng, 0, 90, n)),
                   end)
    rlimit = add_months(opened, 4)
    end = np.where(rp, np.where(late < 0.12, rlimit + _days(rng, 1, 90, n), rlimit - _days(rng, 0, 30, n)), end)
    has_stay = raa & (rng.random(n) < 0.7)
    stay_start = np.where(has_stay, opened + _days(rng, 0, 10, n), np.datetime64("NaT", "D"))
    stay_renewed = has_stay & (rng.random(n) < 0.4)
    slimit = add_months(stay_start, np.where(stay_renewed, 4, 2))
    stay_end = np.where(late < 0.06, slimit + _days(rng, 1, 40, n), slimit - _days(rng, 0, 20, n))
    stay_end = np.where(has_stay, stay_end, np.datetime64("NaT", "D"))
    end = np.where(raa, np.where(has_stay, stay_end, opened) + _days(rng, 0, 60, n), end)
    end = np.where(end > ref, np.datetime64("NaT", "D"), end)
    stay_end = np.where(stay_end > ref, np.datetime64("NaT", "D"), stay_end)
    big = coll & (rng.random(n) < 0.002)
    employees = np.minimum(np.round(np.exp(rng.normal(1.0, 1.3, n))) - 1, 250).clip(0)
    employees = np.where(big, rng.integers(251, 3000, n), employees)
    employees = np.where(rp, 0, employees)
    legal = np.where(rp, rng.random(n) < 0.05, rng.random(n) < 0.75)
    recent_emp = rp & (rng.random(n) < 0.03)
    assets = np.where(rp, np.where(rng.random(n) < 0.04, rng.uniform(15_001, 40_000, n),
                                   rng.uniform(500, 14_900, n)).round(0), np.nan)
    prev = np.where(rp & (late > 0.5) & (late < 0.52), opened - _days(rng, 100, 1700, n),
                    np.where(rp & (late > 0.9) & (late < 0.93), opened - _days(rng, 1900, 4000, n),
                             np.datetime64("NaT", "D")))
    agri = raa | (coll & (rng.random(n) < 0.08))
    naf = np.where(agri, NAF_AGRI[rng.integers(0, len(NAF_AGRI), n)], NAF[rng.integers(0, len(NAF), n)])
    strategic = coll & (big | (rng.random(n) < 0.001))
    greek = GREEK[rng.integers(0, len(GREEK), n)]
    num = rng.integers(1, 1000, n).astype(str)
    form = LEGAL_FORMS[rng.integers(0, len(LEGAL_FORMS), n)]
    name = np.where(legal, np.char.add(np.char.add(np.char.add(np.char.add("Société Fictive ", greek), " "),
                                                   np.char.add(num, " ")), form),
                    np.char.add(np.char.add("Entreprise individuelle fictive ", greek), np.char.add(" ", num)))
    running = np.isnat(end)
    o = rng.random(n)
    issue = np.select(
        [running, concil | (typ == "mandat_ad_hoc") | raa, rp, typ == "liquidation_judiciaire"],
        [np.array("en_cours"), np.where(o < 0.6, "accord_constate", "echec"),
         np.where(o < 0.85, "cloture_retablissement", "conversion_liquidation"),
         np.where(o < 0.9, "cloture_insuffisance_actif", "cloture_extinction_passif")],
        np.where(o < 0.5, "plan_adopte", np.where(o < 0.7, "cession", "conversion_liquidation")))
    return pd.DataFrame({
        "identifiant": _ids("P", year, n).to_numpy(),
        "juridiction": pd.array(court, dtype="string"),
        "type_procedure": pd.array(typ, dtype="string"),
        "date_ouverture": opened.astype("datetime64[s]"),
        "date_fin": end.astype("datetime64[s]"),
        "prorogation": _bool_or_na(prorog, known=concil),
        "date_debut_suspension": stay_start.astype("datetime64[s]"),
        "date_fin_suspension": stay_end.astype("datetime64[s]"),
        "suspension_renouvelee": _bool_or_na(stay_renewed, known=has_stay),
        "salaries": employees.astype("float64"),
        "salarie_6_derniers_mois": _bool_or_na(recent_emp, known=rp),
        "agricole": pd.array(agri, dtype="boolean"),
        "secteur_naf": pd.array(naf, dtype="string"),
        "issue": pd.array(issue, dtype="string"),
        "forme_debiteur": pd.array(np.where(legal, "personne_morale", "personne_physique"), dtype="string"),
        "profession_liberale_reglementee": pd.array(~legal & (rng.random(n) < 0.02), dtype="boolean"),
        "actif_declare": assets.astype("float64"),
        "date_procedure_precedente": prev.astype("datetime64[s]"),
        "strategique": pd.array(strategic, dtype="boolean"),
        "denomination": pd.array(name, dtype="string"),
        "siren": pd.array(siren_numbers(rng, n), dtype="string"),
        "ligne": np.arange(2, n + 2, dtype=np.int64),
    })


def generate_orders(counts: pd.DataFrame, seed: int) -> pd.DataFrame:
    """OP / OPPI register: ``counts`` columns court_id, year, n, p_decided, p_6j, n_oppi, p_24h."""
    rng = _rng(seed, "ordonnances")
    counts = counts[counts["n"] > 0].reset_index(drop=True)
    rep = counts.loc[counts.index.repeat(counts["n"].astype(np.int64))].reset_index(drop=True)
    n = len(rep)
    year = rep["year"].to_numpy().astype(np.int64)
    start_of_year = (year - 1970).astype("datetime64[Y]").astype("datetime64[s]")
    req = start_of_year + (rng.integers(0, 330, n) * 86400 + rng.integers(9 * 3600, 17 * 3600, n)
                           ).astype("timedelta64[s]")
    fix = req + (rng.integers(0, 3, n) * 86400).astype("timedelta64[s]")
    decided = rng.random(n) < rep["p_decided"].to_numpy()
    ontime = rng.random(n) < rep["p_6j"].to_numpy()
    delay_days = np.where(ontime, rng.integers(0, 7, n), rng.integers(7, 26, n))
    fix_day = fix.astype("datetime64[D]").astype("datetime64[s]")
    dec = fix_day + (delay_days * 86400 + rng.integers(9 * 3600, 18 * 3600, n)).astype("timedelta64[s]")
    dec = np.maximum(dec, fix + np.timedelta64(3600, "s"))  # never before the fixing order
    dec = np.where(decided, dec, np.datetime64("NaT", "s"))
    o = rng.random(n)
    issue = np.where(decided, np.where(o < 0.67, "accordee", np.where(o < 0.72, "accordee_partiellement",
                                                                       "rejetee")),
                     np.where(o < 0.5, "desistement", "caducite"))
    # OPPI (from 17 January 2025): the first n_oppi eligible requests of each court-year
    eligible = req >= np.datetime64("2025-01-17T00:00:00", "s")
    rank = pd.Series(eligible.astype(int)).groupby([rep["court_id"], rep["year"]]).cumsum().to_numpy()
    oppi = eligible & (rank <= rep["n_oppi"].to_numpy())
    seisin = req + rng.integers(0, 3 * 3600, n).astype("timedelta64[s]")
    in24 = rng.random(n) < rep["p_24h"].to_numpy()
    oppi_dec = seisin + np.where(in24, rng.integers(3600, 24 * 3600 + 1, n),
                                 rng.integers(24 * 3600 + 60, 72 * 3600, n)).astype("timedelta64[s]")
    return pd.DataFrame({
        "identifiant": _ids("OP", year, n).to_numpy(),
        "juridiction": pd.array(rep["court_id"].to_numpy(), dtype="string"),
        "date_demande": req.astype("datetime64[s]"),
        "date_fixation_audience": fix.astype("datetime64[s]"),
        "date_decision": dec.astype("datetime64[s]"),
        "issue": pd.array(issue, dtype="string"),
        "oppi_saisine": np.where(oppi, seisin, np.datetime64("NaT", "s")).astype("datetime64[s]"),
        "oppi_decision": np.where(oppi, oppi_dec, np.datetime64("NaT", "s")).astype("datetime64[s]"),
        "ligne": np.arange(2, n + 2, dtype=np.int64),
    })


def generate_registers(inputs: pd.DataFrame, seed: int, scale: float = 1.0) -> dict[str, pd.DataFrame]:
    """The three demo registers, sized on the demo inputs (store value rows). Pure."""
    ok = inputs[inputs["status"] == "ok"]
    wide = ok.pivot_table(index=["court_id", "year"], columns="indicator_id", values="value", aggfunc="first")
    present = inputs[["court_id", "year"]].drop_duplicates().set_index(["court_id", "year"]).index
    wide = wide.reindex(present).sort_index()

    def col(name: str) -> pd.Series:
        return wide[name].fillna(0.0) if name in wide else pd.Series(0.0, index=wide.index)

    out: dict[str, pd.DataFrame] = {}
    frames = []
    for year in MEASURE_YEARS:
        w = wide.xs(year, level="year") if year in wide.index.get_level_values("year") else None
        if w is None:
            continue
        g = {k: col(k).xs(year, level="year") for k in ("pjm_mesures_tutelle", "pjm_mesures_curatelle",
                                                         "pjm_mesures_sauvegarde", "pjm_mesures_habilitation",
                                                         "pjm_echues_sans_decision", "pjm_comptes_attendus",
                                                         "pjm_comptes_recus_30juin",
                                                         "pjm_comptes_verifies_31dec")}
        stock = g["pjm_mesures_tutelle"] + g["pjm_mesures_curatelle"] + g["pjm_mesures_sauvegarde"] + \
            g["pjm_mesures_habilitation"]
        counts = (stock * scale).round().astype(np.int64)
        counts = counts[counts > 0]
        shares = pd.DataFrame({"tut": g["pjm_mesures_tutelle"], "cur": g["pjm_mesures_curatelle"],
                               "sauv": g["pjm_mesures_sauvegarde"], "hab": g["pjm_mesures_habilitation"]})
        late = (g["pjm_echues_sans_decision"] / stock.where(stock > 0)).clip(0, 0.5)
        acc = pd.DataFrame({"recv": g["pjm_comptes_recus_30juin"] / g["pjm_comptes_attendus"].where(
            g["pjm_comptes_attendus"] > 0), "ver": g["pjm_comptes_verifies_31dec"] / g[
            "pjm_comptes_recus_30juin"].where(g["pjm_comptes_recus_30juin"] > 0)})
        df = generate_measures(counts, year, seed, late, acc, shares)
        df["register_year"] = year
        frames.append(df)
    out["mesures"] = pd.concat(frames, ignore_index=True)
    wide = wide[wide.index.get_level_values("year").isin(CASE_YEARS)]
    inputs = inputs[inputs["year"].isin(CASE_YEARS)]
    pc = []
    for t, iid in PROCEDURE_INPUTS.items():
        s = col(iid)
        # courts whose procedures moved to the TAE in 2025 (NAP) keep a few misrouted cases
        nap = inputs[(inputs["indicator_id"] == iid) & (inputs["status"] == "NAP")]
        prev = s.rename("n").reset_index()
        frame = prev.assign(type_procedure=t)
        if len(nap):
            before = s.reset_index().set_index(["court_id", "year"])[iid]
            key = list(zip(nap["court_id"], nap["year"] - 1, strict=True))
            extra = np.ceil(before.reindex(key).fillna(0).to_numpy() * 0.04)
            fill = pd.DataFrame({"court_id": nap["court_id"].to_numpy(), "year": nap["year"].to_numpy(),
                                 "n_extra": extra})
            frame = frame.merge(fill, on=["court_id", "year"], how="left")
            frame["n"] = np.where(frame["n_extra"].notna(), frame["n_extra"], frame["n"])
            frame = frame.drop(columns="n_extra")
        pc.append(frame)
    counts_all: pd.DataFrame = pd.concat(pc, ignore_index=True)
    counts_all["n"] = (counts_all["n"] * scale).round().astype(np.int64)
    out["procedures"] = generate_procedures(counts_all.sort_values(["court_id", "year", "type_procedure"],
                                                               ignore_index=True), seed)
    dem = col("vif_op_demandees")
    decided = col("vif_op_accordees") + col("vif_op_rejetees")
    oc = pd.DataFrame({
        "n": (dem * scale).round().astype(np.int64),
        "p_decided": (decided / dem.where(dem > 0)).clip(0, 1).fillna(0.9),
        "p_6j": (col("vif_op_decidees_6j") / decided.where(decided > 0)).clip(0, 1).fillna(0.85),
        "n_oppi": (col("vif_oppi_demandees") * scale).round().astype(np.int64),
        "p_24h": (col("vif_oppi_24h") / col("vif_oppi_demandees").where(col("vif_oppi_demandees") > 0)
                  ).clip(0, 1).fillna(0.9),
    }).reset_index()
    out["ordonnances"] = generate_orders(oc, seed)
    return out


def write_demo_registers(store: Store, seed: int, scale: float = 1.0) -> dict[str, int]:
    """Demo step: generate the registers, keep their rows and write their results (demo=True)."""
    inputs = store.values()
    regs = generate_registers(inputs, seed, scale)
    recs = []
    sizes: dict[str, int] = {}
    with storage.locked(store.root):
        for rtype, rows in regs.items():
            if rtype == "mesures":
                years = rows.pop("register_year")
            elif rtype == "procedures":
                years = procedures.row_years(rows)
            else:
                years = ordonnances.row_years(rows)
            values = compute_values(rtype, rows, years, DEMO_AS_OF)
            recs.extend(records(values, rtype, "", "demo", demo=True))
            storage.write_rows(store.root, rtype, rows, years)
            sizes[rtype] = len(rows)
        store.write(recs)
    return sizes
