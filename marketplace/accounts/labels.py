"""What the interface calls the values of account fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.accounts.models import SkalaUsaha

#: The UMKM scales (PP 7/2021), as shown to people.
SKALA_LABELS = {SkalaUsaha.MIKRO: _l("Micro"), SkalaUsaha.KECIL: _l("Small"), SkalaUsaha.MENENGAH: _l("Medium")}
