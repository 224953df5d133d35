"""Remontées d'information to the DACS (circulaire du 27 juin 2025, §2.2) — CONFIDENTIAL channel.

Only this package, ``cpc_toolkit.cli.remontees`` (and the ``--remontees`` flag of ``cpc modeles``, the
demo step) may read ``<donnees>/confidentiel/``. CLPC / chef de cour reports and non-DACS dashboards
never import it.
"""
