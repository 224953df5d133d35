"""Build cpc_toolkit/registers/data/emjpm_tribunaux.csv from the e-MJPM court list (SocialGouv/schema-pjm).

Usage: python scripts/emjpm_tribunaux.py --write  (run from the repository root). Tribunaux de proximité
are mapped to their TJ with the chambres de proximité of COJ Tableau IV (reference/data/courts.csv);
OVERRIDES are the names the automatic match cannot settle; every row is checked against the TJ départements.
"""
import csv
import re
import sys
import unicodedata
def norm(s):
    s = s.replace("Ã©","é").replace("Ã¨","è").replace("Ãª","ê").replace("Ã´","ô").replace("Ã§","ç").replace("Ã¢","â").replace("Ã®","î").replace("Ã»","û").replace("Ã‰","É")
    s = unicodedata.normalize("NFKD", s).encode("ascii","ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+","-",s).strip("-")
courts = list(csv.DictReader(open("cpc_toolkit/reference/data/courts.csv", encoding="utf-8")))
fi = [c for c in courts if c["kind"] in ("TJ","TPI")]
by_seat = {}
for c in fi:
    by_seat.setdefault(norm(c["court_id"].split("-",1)[1]), []).append(c)
tp = {}
for c in fi:
    for t in filter(None, c["chambres_de_proximite"].split(";")):
        tp.setdefault(norm(t), []).append(c["court_id"])
OVERRIDES = {
 "Tribunal judiciaire de Saint-Denis-de-La-Réunion": "tj-saint-denis-la-reunion",
 "Tribunal judiciaire de St Gaudens": "tj-saint-gaudens",
 "Tribunal judiciaire d'Evry": "tj-evry-courcouronnes",
 "Tribunal judiciaire de Saint-Pierre": "tj-saint-pierre-la-reunion",
 "Tribunal de proximité de Vire Normandie": "tj-caen",
 "Tribunal de proximité des Andelys": "tj-evreux",
 "Tribunal de proximité du Creusot": "tj-chalon-sur-saone",
 "Tribunal de proximité de Montreuil (62)": "tj-boulogne-sur-mer",
 "Tribunal de proximité de Montreuil (93)": "tj-bobigny",
 "Tribunal de proximité du Raincy": "tj-bobigny",
 "Tribunal de proximité de Saint-Ouen": "tj-bobigny",
}
rows = list(csv.DictReader(open("/work/shared/reference/external/emjpm/tribunaux.csv", encoding="utf-8")))
out=[]; bad=[]
for r in rows:
    name = r["nom"]
    m = re.match(r"(Tribunal judiciaire|Tribunal de Première Instance|Tribunal de première instance|Tribunal de proximité) (?:de la |de l'|du |des |de |d'|d’)?(.*)$", name)
    if not m: bad.append(("noparse",name)); continue
    kind, seat = m.groups()
    key = norm(seat)
    if name in OVERRIDES:
        out.append((r["siret"], name, "tribunal_de_proximite" if kind.startswith("Tribunal de proximité") else "tribunal_judiciaire", OVERRIDES[name], r["code_postal"])); continue
    if kind.startswith("Tribunal de proximité"):
        cands = tp.get(key) or tp.get(norm(re.sub(r"\s*\(\d+\)$","",seat)))
        if not cands: bad.append(("tp",name,key)); continue
        if len(cands)>1: bad.append(("tpmulti",name,cands)); continue
        out.append((r["siret"], name, "tribunal_de_proximite", cands[0], r["code_postal"]))
    else:
        cands = by_seat.get(key)
        if not cands:
            # try articles kept in ids (e.g. le-mans, la-rochelle)
            for k in (norm("le "+seat), norm("la "+seat), norm("les "+seat), norm("l "+seat)):
                if k in by_seat: cands = by_seat[k]; break
        if not cands: bad.append(("tj",name,key)); continue
        out.append((r["siret"], name, "tribunal_judiciaire" if kind=="Tribunal judiciaire" else "tribunal_premiere_instance", cands[0]["court_id"], r["code_postal"]))
print(len(rows), len(out)); 
for b in bad: print(b)
import collections
print(collections.Counter(o[2] for o in out))
sirets=[o[0] for o in out]; print("dup siret", len(sirets)-len(set(sirets)))
tjs=set(o[3] for o in out if o[2]!="tribunal_de_proximite"); print("tj covered", len(tjs), [c["court_id"] for c in fi if c["court_id"] not in tjs])
deps={c["court_id"]:c["departement_codes"].split(";") for c in fi}
def dep(cp):
    if cp.startswith("97") or cp.startswith("98"): return cp[:3]
    if cp.startswith("20"): return "2A" if int(cp)<20200 else "2B"
    return cp[:2]
for o in out:
    if dep(o[4]) not in deps[o[3]]: print("DEP MISMATCH", o)
if "--write" in sys.argv:
    with open("cpc_toolkit/registers/data/emjpm_tribunaux.csv","w",encoding="utf-8",newline="") as f:
        w=csv.writer(f); w.writerow(["siret","nom","nature","court_id","code_postal"])
        for o in sorted(out): w.writerow(o)
