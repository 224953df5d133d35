"""Settings of the DACS channel: package defaults, overridden by ``<donnees>/remontees.yaml`` and env."""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from cpc_toolkit.errors import Location, ReasonCode, UsageError
from cpc_toolkit.settings import load_yaml

ENV_DESTINATION = "CPC_REMONTEES_DESTINATAIRE"
USER_FILE = "remontees.yaml"


@dataclass(frozen=True)
class RemonteesConfig:
    destinataire: str
    service_destinataire: str
    seuil_salaries: int
    objet: str
    lignes_classeur: int
    lignes_suivi: int


def _read_yaml(text: str, where: str) -> dict[str, Any]:
    try:
        data = load_yaml(text) or {}
    except yaml.YAMLError as exc:
        raise UsageError(f"Le fichier de réglages « {where} » est illisible : {exc}.", ReasonCode.USAGE,
                         Location(file=where)) from exc
    if not isinstance(data, dict):
        raise UsageError(f"Le fichier de réglages « {where} » doit contenir des paires clé : valeur.",
                         ReasonCode.USAGE, Location(file=where))
    return data


def load_config(root: Path | None = None) -> RemonteesConfig:
    """Package defaults < ``<root>/remontees.yaml`` < ``$CPC_REMONTEES_DESTINATAIRE``."""
    text = resources.files("cpc_toolkit.remontees").joinpath("remontees.yaml").read_text("utf-8")
    data = _read_yaml(text, "remontees.yaml (paquet)")
    if root is not None:
        user = Path(root) / USER_FILE
        if user.is_file():
            over = _read_yaml(user.read_text(encoding="utf-8"), str(user))
            unknown = sorted(set(over) - set(data))
            if unknown:
                raise UsageError(f"Réglage inconnu dans « {user} » : {', '.join(unknown)} "
                                 f"(réglages possibles : {', '.join(sorted(data))}).", ReasonCode.USAGE,
                                 Location(file=str(user)))
            data.update(over)
    env = os.environ.get(ENV_DESTINATION)
    if env:
        data["destinataire"] = env
    try:
        return RemonteesConfig(
            destinataire=str(data["destinataire"]), service_destinataire=str(data["service_destinataire"]),
            seuil_salaries=int(data["seuil_salaries"]), objet=str(data["objet"]),
            lignes_classeur=int(data["lignes_classeur"]), lignes_suivi=int(data["lignes_suivi"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(f"Réglages des remontées invalides : {exc}.", ReasonCode.USAGE) from exc
