"""Valid-looking Indonesian identifiers for demo data: NIB, NPWP, NIK, phone numbers and bank accounts.

Every number passes the checks in `marketplace.core.validators`; none belongs to a real person or business.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from stdnum import luhn

#: Kode KPP (tax office) of KPP Pratama Mojokerto, the last-but-one part of a legacy NPWP.
KPP_MOJOKERTO = "602"

#: Legacy NPWP type digits: government treasurers, businesses (badan), individuals running a business.
NPWP_KIND = {"instansi": ("00",), "badan": ("01", "02", "03"), "orang": ("07", "08", "09")}

#: KBLI 2020 codes used by the demo businesses, with their official titles.
KBLI = {
    "10710": "Industri produk roti dan kue",
    "10761": "Industri pengolahan kopi",
    "10793": "Industri kerupuk, keripik, peyek dan sejenisnya",
    "13134": "Industri batik",
    "14111": "Industri pakaian jadi (konveksi) dari tekstil",
    "15201": "Industri alas kaki untuk keperluan sehari-hari",
    "18111": "Industri percetakan umum",
    "46311": "Perdagangan besar beras",
    "47112": "Perdagangan eceran yang utamanya makanan, minuman atau tembakau bukan di minimarket",
    "56210": "Jasa boga untuk suatu event tertentu (event catering)",
}

#: Banks common in Kota Mojokerto and the length of their account numbers.
BANKS = {
    "Bank Jatim": 10,
    "BRI": 15,
    "BNI": 10,
    "Bank Mandiri": 13,
    "BSI": 10,
    "BCA": 10,
}

MOBILE_PREFIXES = ("0812", "0813", "0821", "0822", "0852", "0853", "0856", "0857", "0858", "0877", "0878", "0896")


@dataclass
class IdentityMaker:
    """Deterministic generator of unique identifiers from a seeded `random.Random`."""

    rng: random.Random
    _used: set[str] = field(default_factory=set)

    def claim(self, value: str) -> bool:
        """Reserve `value` (an identifier or a person's full name); False when it was already taken."""
        if value in self._used:
            return False
        self._used.add(value)
        return True

    def _unique(self, make) -> str:
        for _ in range(1000):
            value = make()
            if value not in self._used:
                self._used.add(value)
                return value
        raise RuntimeError("could not draw a unique identifier")

    def nib(self) -> str:
        """A 13-digit NIB in the OSS RBA style (starting 912)."""
        return self._unique(lambda: f"912{self.rng.randrange(10**10):010d}")

    def npwp(self, kind: str = "orang") -> str:
        """A 16-digit NPWP: 0, two type digits, six serial digits, a Luhn check digit, KPP and branch codes."""

        def make() -> str:
            head = f"{self.rng.choice(NPWP_KIND[kind])}{self.rng.randrange(10**6):06d}"
            return f"0{head}{luhn.calc_check_digit(head)}{KPP_MOJOKERTO}000"

        return self._unique(make)

    def nik(self, *, kecamatan_code: str, birth_date: date, female: bool) -> str:
        """A NIK from a Kota Mojokerto kecamatan (`35.76.02` → 357602); women's birth day is increased by 40."""
        region = kecamatan_code.replace(".", "")
        day = birth_date.day + (40 if female else 0)
        stamp = f"{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}"
        return self._unique(lambda: f"{region}{stamp}{self.rng.randrange(1, 10000):04d}")

    def birth_date(self, *, youngest: int = 24, oldest: int = 62) -> date:
        """A real date between `oldest` and `youngest` years before 2025-01-01."""
        start = date(2025 - oldest, 1, 1)
        span = (date(2025 - youngest, 1, 1) - start).days
        return start + timedelta(days=self.rng.randrange(span))

    def phone(self) -> str:
        """An Indonesian mobile number in E.164 form (+62…), as `check_phone` stores it."""
        national = self._unique(lambda: f"{self.rng.choice(MOBILE_PREFIXES)}{self.rng.randrange(10**8):08d}")
        return f"+62{national[1:]}"

    def bank_account(self, bank: str | None = None) -> tuple[str, str]:
        """A (bank name, account number) pair with the bank's usual number length."""
        name = bank or self.rng.choice(sorted(BANKS))
        length = BANKS[name]
        number = self._unique(
            lambda: f"{self.rng.randrange(1, 10):d}{self.rng.randrange(10 ** (length - 1)):0{length - 1}d}"
        )
        return name, number
