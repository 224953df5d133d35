"""The accessibility statement (« déclaration d'accessibilité », RGAA 4.1 model) of the reports
and dashboards: one standalone French page written beside the campaign index, linked from every
report's footer, from the index and from the dashboards."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from cpc_toolkit.fr import format_date
from cpc_toolkit.render.html import report_css
from cpc_toolkit.store import atomic_write_bytes

__all__ = ["LINK_LABEL", "STATEMENT_FILE", "STATUS", "statement_href", "statement_html", "summary_html", "write_statement"]

STATEMENT_FILE = "accessibilite.html"
STATUS = "partiellement conforme"
LINK_LABEL = f"Accessibilité : {STATUS}"
RGAA = "RGAA 4.1.2"
CONTACT = ("le référent accessibilité de la direction des affaires civiles et du sceau (DACS), ministère de la "
           "Justice, 13 place Vendôme, 75042 Paris Cedex 01, ou le service de politique civile de votre cour d'appel")

LIMITS = (
    "Graphiques : les informations affichées au survol ne sont pas accessibles au clavier ni aux lecteurs "
    "d'écran. Chaque graphique est accompagné d'une phrase donnant ses valeurs clés et de son tableau de "
    "données (« Données du graphique »), qui en sont l'alternative.",
    "Cartes et tableaux colorés : la couleur n'est jamais la seule information ; les valeurs figurent dans le "
    "tableau de données et les écarts favorables ou défavorables sont signalés par ▲ / ▼ et par un texte.",
    "Version PDF : imprimée par Chromium, elle n'est pas balisée (PDF/UA) ; la version HTML du même rapport est "
    "la version accessible.",
    "Annexes Excel : les feuilles ne comportent pas de description alternative ; leurs en-têtes de colonnes sont "
    "explicites et les mêmes données figurent dans la version HTML.",
    "Tableaux de bord : les composants interactifs (listes de choix, onglets) n'ont pas fait l'objet d'un audit "
    "manuel complet ; l'ordre de tabulation et la restitution par les lecteurs d'écran peuvent être imparfaits.",
)


def _body(today: dt.date) -> str:
    e = html.escape
    limits = "".join(f"<li>{e(x)}</li>" for x in LIMITS)
    return f"""<h1>Déclaration d'accessibilité</h1>
<p>Le ministère de la Justice s'engage à rendre ses services numériques accessibles, conformément à l'article 47 de
la loi n° 2005-102 du 11 février 2005. Cette déclaration d'accessibilité s'applique aux rapports de politique civile
(versions HTML, PDF et Excel) et aux tableaux de bord produits par cpc_toolkit.</p>
<h2 class="cpc-nobreak" id="etat">État de conformité</h2>
<p>Les rapports et tableaux de bord sont <strong>{e(STATUS)}s</strong> avec le référentiel général d'amélioration de
l'accessibilité ({e(RGAA)}), en raison des limites énumérées ci-dessous.</p>
<h2 class="cpc-nobreak" id="tests">Résultats des tests</h2>
<p>Aucun audit complet de conformité n'a encore été réalisé : le taux de conformité n'est pas mesuré. Un contrôle
automatisé (axe-core, navigateur Chromium) est exécuté à chaque version sur un rapport de chaque type (conseil local
de politique civile, chef de cour, national) : il ne relève aucune erreur de gravité sérieuse ou critique, et vérifie
que chaque graphique a une alternative textuelle non vide.</p>
<h2 class="cpc-nobreak" id="limites">Contenus non accessibles et limites connues</h2>
<ul>{limits}</ul>
<h2 class="cpc-nobreak" id="etablissement">Établissement de cette déclaration</h2>
<p>Cette déclaration a été établie le {e(format_date(today))}. Technologies utilisées : HTML5, CSS, JavaScript
(plotly.js, inclus dans le fichier, sans ressource en ligne). Les rapports respectent la typographie française et
sont lisibles à l'impression A4.</p>
<h2 class="cpc-nobreak" id="contact">Retour d'information et contact</h2>
<p>Si vous n'arrivez pas à accéder à un contenu ou à un service, vous pouvez contacter {e(CONTACT)} pour être
orienté vers une alternative accessible ou obtenir le contenu sous une autre forme.</p>
<h2 class="cpc-nobreak" id="recours">Voies de recours</h2>
<p>Si vous constatez un défaut d'accessibilité vous empêchant d'accéder à un contenu ou à une fonctionnalité, que
vous nous le signalez et que vous ne parvenez pas à obtenir une réponse rapide, vous êtes en droit de faire parvenir
vos doléances ou une demande de saisine au Défenseur des droits :</p>
<ul><li>par le formulaire en ligne du Défenseur des droits ;</li>
<li>en contactant le délégué du Défenseur des droits de votre région ;</li>
<li>par courrier (gratuit, sans affranchissement) : Défenseur des droits, Libre réponse 71120,
75342 Paris Cedex 07.</li></ul>"""


def statement_html(today: dt.date | None = None) -> str:
    """The statement as a self-contained French HTML page (no network resource)."""
    body = _body(today or dt.date.today())
    return (f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Déclaration d\'accessibilité — '
            f'rapports et tableaux de bord de politique civile</title><style>{report_css()}</style></head>'
            f'<body class="cpc-rapport"><main>{body}</main></body></html>')


def summary_html(href: str | None = None) -> str:
    """A one-line mention for the dashboards (link to the full statement when ``href`` is given)."""
    label = html.escape(LINK_LABEL)
    if href:
        return f'<p class="cpc-muted"><a href="{html.escape(href)}">{label}</a> (déclaration d\'accessibilité)</p>'
    return (f'<p class="cpc-muted">{label} avec le {RGAA} ; pour obtenir un contenu sous une autre forme, '
            f"contactez {html.escape(CONTACT)}.</p>")


def statement_href(page: Path, year_dir: Path) -> str:
    """Relative link from a report ``page`` to the statement of its campaign ``year_dir``."""
    import os

    return Path(os.path.relpath(Path(year_dir) / STATEMENT_FILE, Path(page).parent)).as_posix()


def write_statement(year_dir: Path, today: dt.date | None = None) -> Path:
    """Write ``accessibilite.html`` in ``year_dir``; return its path."""
    path = Path(year_dir) / STATEMENT_FILE
    atomic_write_bytes(path, statement_html(today).encode("utf-8"))
    return path
