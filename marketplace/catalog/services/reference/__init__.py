"""The operator's reference data: the three-level category tree, the units and the KBKI code list.

Every change is audited (`category.*`, `unit.*`, `kbki.import`). Names are unique among siblings (categories)
or overall (units), ignoring case. The KBKI list is imported from a CSV (`kode,judul`) as a whole or not at all.
"""

from marketplace.catalog.services.reference.categories import (
    MAX_LEVEL,
    CategoryNode,
    category_parent_choices,
    category_tree,
    create_category,
    get_category,
    move_category,
    set_category_active,
    update_category,
)
from marketplace.catalog.services.reference.kbki import (
    KbkiImportFailed,
    KbkiImportResult,
    import_kbki_csv,
    kbki_query,
)
from marketplace.catalog.services.reference.units import (
    create_unit,
    get_unit,
    set_unit_active,
    units_query,
    update_unit,
)

__all__ = [
    "MAX_LEVEL",
    "CategoryNode",
    "KbkiImportFailed",
    "KbkiImportResult",
    "category_parent_choices",
    "category_tree",
    "create_category",
    "create_unit",
    "get_category",
    "get_unit",
    "import_kbki_csv",
    "kbki_query",
    "move_category",
    "set_category_active",
    "set_unit_active",
    "units_query",
    "update_category",
    "update_unit",
]
