"""Case-level registers (mesures de protection, procédures, ordonnances de protection) and the
confidential register of remontées d'information. Individual rows never leave this stage except
through `cpc registre echeances` (court's internal use) and the DACS remontées channel."""
