"""Build cpc_toolkit/registers/data/emjpm_tribunaux.csv from the e-MJPM court list (SocialGouv/schema-pjm).

Usage, from the repository root: ``python scripts/emjpm_tribunaux.py SOURCE.csv [--write]`` where SOURCE is
``datas/tribunaux.csv`` of SocialGouv/schema-pjm (columns nom, code_postal, ville, siret, adresse).

A tribunal de proximité is mapped to the TJ whose chambres de proximité (COJ Tableau IV,
``reference/data/courts.csv``) list it; OVERRIDES settle the names the automatic match cannot. Every row is
checked: the postcode's département must belong to the TJ's ressort. Without ``--write`` it only reports.
"""

from __future__ import annotations

import csv
import re
import sys
import unicodedata
from collections import Counter

COURTS = "cpc_toolkit/reference/data/courts.csv"
TARGET = "cpc_toolkit/registers/data/emjpm_tribunaux.csv"
MOJIBAKE = {"Ã©": "é", "Ã¨": "è", "Ãª": "ê", "Ã´": "ô", "Ã§": "ç", "Ã¢": "â", "Ã®": "î", "Ã»": "û", "Ã‰": "É"}
OVERRIDES = {
    "Tribunal judiciaire de Saint-Denis-de-La-Réunion": "tj-saint-denis-la-reunion",
    "Tribunal judiciaire de St Gaudens": "tj-saint-gaudens",
    "Tribunal judiciaire d'Evry": "tj-evry-courcouronnes",
    "Tribunal judiciaire de Saint-Pierre": "tj-saint-pierre-la-reunion",  # postcode 97410
    "Tribunal de proximité de Vire Normandie": "tj-caen",
    "Tribunal de proximité des Andelys": "tj-evreux",  # the only TJ of the Eure
    "Tribunal de proximité du Creusot": "tj-chalon-sur-saone",
    "Tribunal de proximité de Montreuil (62)": "tj-boulogne-sur-mer",
    "Tribunal de proximité de Montreuil (93)": "tj-bobigny",
    "Tribunal de proximité du Raincy": "tj-bobigny",
    "Tribunal de proximité de Saint-Ouen": "tj-bobigny",
}
NAME_RE = re.compile(r"(Tribunal judiciaire|Tribunal de [Pp]remière [Ii]nstance|Tribunal de proximité) "
                     r"(?:de la |de l'|du |des |de |d'|d’)?(.*)$")


def norm(text: str) -> str:
    for bad, good in MOJIBAKE.items():
        text = text.replace(bad, good)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def departement(postcode: str) -> str:
    if postcode.startswith(("97", "98")):
        return postcode[:3]
    if postcode.startswith("20"):
        return "2A" if int(postcode) < 20200 else "2B"
    return postcode[:2]


def build(source: str) -> tuple[list[tuple[str, str, str, str, str]], list[str]]:
    with open(COURTS, encoding="utf-8") as fh:
        first = [c for c in csv.DictReader(fh) if c["kind"] in ("TJ", "TPI")]
    by_seat: dict[str, list[str]] = {}
    chambers: dict[str, list[str]] = {}
    for c in first:
        by_seat.setdefault(norm(c["court_id"].split("-", 1)[1]), []).append(c["court_id"])
        for ch in filter(None, c["chambres_de_proximite"].split(";")):
            chambers.setdefault(norm(ch), []).append(c["court_id"])
    deps = {c["court_id"]: c["departement_codes"].split(";") for c in first}
    with open(source, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out, problems = [], []
    for r in rows:
        name = r["nom"]
        m = NAME_RE.match(name)
        if not m:
            problems.append(f"nom non reconnu : {name}")
            continue
        kind, seat = m.groups()
        nature = {"Tribunal judiciaire": "tribunal_judiciaire", "Tribunal de proximité": "tribunal_de_proximite"}.get(
            kind, "tribunal_premiere_instance")
        if name in OVERRIDES:
            cands = [OVERRIDES[name]]
        elif nature == "tribunal_de_proximite":
            cands = chambers.get(norm(seat), [])
        else:  # ids keep the article the name elides: « du Havre » → tj-le-havre
            cands = next((by_seat[k] for k in (norm(a + seat) for a in ("", "le ", "la ", "les ", "l "))
                          if k in by_seat), [])
        if len(cands) != 1:
            problems.append(f"{name} : {cands or 'aucune juridiction'}")
            continue
        if departement(r["code_postal"]) not in deps[cands[0]]:
            problems.append(f"{name} : département {r['code_postal']} hors du ressort de {cands[0]}")
            continue
        out.append((r["siret"], name, nature, cands[0], r["code_postal"]))
    if len({o[0] for o in out}) != len(out):
        problems.append("SIRET en double")
    return sorted(out), problems


def main(argv: list[str]) -> int:
    out, problems = build(argv[1])
    print(len(out), "tribunaux ;", dict(Counter(o[2] for o in out)))
    for p in problems:
        print("problème :", p)
    if "--write" in argv and not problems:
        with open(TARGET, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["siret", "nom", "nature", "court_id", "code_postal"])
            w.writerows(out)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
