"""Publication stage: open-data bundles built from engine results (never from confidential data).

Stage order: … → render → publish → remontees → dashboard → cli. It only reads the store, the
engine results, the catalogue and the reference data.
"""

from cpc_toolkit.compute.digest import (
    catalogue_version,
    changed_figures,
    data_digest,
    figures_snapshot,
    load_snapshot,
    resubmissions_between,
    save_snapshot,
    stamp,
    stamp_text,
)
from cpc_toolkit.publish.opendata import BundleResult, build_bundle, level_table

__all__ = [
    "BundleResult",
    "build_bundle",
    "catalogue_version",
    "changed_figures",
    "data_digest",
    "figures_snapshot",
    "level_table",
    "load_snapshot",
    "resubmissions_between",
    "save_snapshot",
    "stamp",
    "stamp_text",
]
