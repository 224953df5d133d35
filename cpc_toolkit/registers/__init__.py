"""Case-level registers (mesures de protection, procédures, ordonnances de protection) and the
confidential register of remontées d'information. Individual rows never leave this stage except
through `cpc registre echeances` (court's internal use) and the DACS remontées channel
(`procedures_over_threshold`)."""

from cpc_toolkit.registers.procedures import OVER_THRESHOLD_COLUMNS, procedures_over_threshold
from cpc_toolkit.registers.schema import REGISTER_TYPES

__all__ = ["OVER_THRESHOLD_COLUMNS", "REGISTER_TYPES", "procedures_over_threshold"]
