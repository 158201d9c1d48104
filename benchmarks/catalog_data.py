"""Realistic Indonesian catalog rows for the benchmarks: cooperatives, UMKM makers and their products.

Everything is generated from a seeded random generator, so two runs load the same catalog. Rows are plain tuples in
the column order of `COLUMNS`, ready for PostgreSQL's COPY. `generate` makes a whole catalog in memory (the search
benchmark, 100,000 products); `CatalogGenerator` makes it product by product, so the feed benchmark can load
1,000,000 products in chunks and choose which cooperative each product belongs to.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from marketplace.catalog.search.index import search_parts
from marketplace.core.money import with_ppn
from marketplace.reference.regions import child_regions

#: (category path, unit, KBKI code, name pattern, {placeholder: choices}, price range per unit in rupiah)
FAMILIES = [
    (("Bahan Pokok", "Beras dan Serealia", "Beras"), "Karung", "2316110001", "Beras {jenis} {asal} {berat} kg",
     {"jenis": ["Premium", "Medium", "Pandan Wangi", "Rojolele", "Mentik Wangi", "IR64", "Merah Organik",
                "Hitam Organik", "Setra Ramos"], "asal": ["Mojokerto", "Jombang", "Ngawi", "Lamongan", "Bojonegoro",
                "Kediri", "Madiun"], "berat": ["5", "10", "25"]}, (60_000, 350_000)),
    (("Bahan Pokok", "Minyak dan Lemak", "Minyak Goreng"), "Botol", "2163110001", "Minyak Goreng {jenis} {isi}",
     {"jenis": ["Sawit", "Kelapa", "Sawit Premium", "Kelapa Murni"], "isi": ["1 L", "2 L", "5 L Jeriken", "18 L"]},
     (18_000, 320_000)),
    (("Bahan Pokok", "Gula", "Gula Pasir"), "Kilogram", "2352110001", "Gula {jenis} {berat}",
     {"jenis": ["Pasir Kristal Putih", "Pasir Lokal", "Merah Kelapa", "Aren Cetak", "Semut Aren"],
      "berat": ["1 kg", "500 g", "50 kg"]}, (9_000, 850_000)),
    (("Bahan Pokok", "Telur", "Telur Ayam"), "Kilogram", "0231100001", "Telur {jenis} {isi}",
     {"jenis": ["Ayam Ras", "Ayam Kampung", "Ayam Omega", "Bebek Asin"], "isi": ["1 kg", "isi 10", "1 Peti 15 kg"]},
     (25_000, 420_000)),
    (("Bahan Pokok", "Tepung", "Tepung Terigu"), "Kilogram", "2311110001", "Tepung {jenis} {berat}",
     {"jenis": ["Terigu Protein Tinggi", "Terigu Serbaguna", "Beras", "Tapioka", "Maizena", "Ketan Putih"],
      "berat": ["500 g", "1 kg", "25 kg"]}, (8_000, 300_000)),
    (("Tekstil", "Batik", "Batik Tulis"), "Lembar", "2614100001", "Batik Tulis {motif} {kain} {ukuran}",
     {"motif": ["Surya Majapahit", "Mrico Bolong", "Gringsing", "Sekar Jagad", "Kawung", "Parang Rusak",
                "Bunga Teratai", "Buah Maja", "Candi Brahu"], "kain": ["Katun Primisima", "Sutra", "Katun Prima",
                "Dobby"], "ukuran": ["2 x 1,15 m", "2,5 x 1,15 m"]}, (250_000, 2_500_000)),
    (("Tekstil", "Batik", "Batik Cap"), "Lembar", "2614100002", "Batik Cap {motif} {kain}",
     {"motif": ["Surya Majapahit", "Mrico Bolong", "Kawung", "Parang", "Truntum"], "kain": ["Katun Prima",
      "Katun Primisima", "Rayon"]}, (90_000, 450_000)),
    (("Tekstil", "Pakaian Jadi", "Seragam"), "Buah", "2822100001", "Kemeja {bahan} {motif} Lengan {lengan} {ukuran}",
     {"bahan": ["Batik", "Katun"], "motif": ["Surya Majapahit", "Kawung", "Polos", "Seragam Dinas"],
      "lengan": ["Panjang", "Pendek"], "ukuran": ["S", "M", "L", "XL", "XXL"]}, (120_000, 650_000)),
    (("Makanan Olahan", "Kue Tradisional", "Onde-onde"), "Dus", "2391900001", "Onde-onde Isi {isi} (isi {n})",
     {"isi": ["Kacang Hijau", "Cokelat", "Keju", "Ubi Ungu"], "n": ["10", "20", "50"]}, (20_000, 150_000)),
    (("Makanan Olahan", "Makanan Ringan", "Kerupuk"), "Pak", "2399900001", "Kerupuk {jenis} {berat}",
     {"jenis": ["Udang", "Ikan Tenggiri", "Rambak Kulit Sapi", "Puli", "Bawang", "Bandeng"],
      "berat": ["250 g", "500 g", "1 kg"]}, (12_000, 140_000)),
    (("Makanan Olahan", "Makanan Ringan", "Keripik"), "Pak", "2399900002", "Keripik {jenis} {rasa} {berat}",
     {"jenis": ["Tempe", "Singkong", "Pisang", "Kentang", "Sukun"], "rasa": ["Original", "Pedas Manis", "Balado",
      "Bawang"], "berat": ["200 g", "500 g"]}, (10_000, 75_000)),
    (("Alas Kaki", "Sepatu", "Sepatu Kulit"), "Buah", "2953100001", "Sepatu {jenis} Kulit {warna} Ukuran {n}",
     {"jenis": ["Pantofel", "PDH", "Boot Safety", "Kerja"], "warna": ["Hitam", "Cokelat"],
      "n": [str(n) for n in range(38, 45)]}, (180_000, 900_000)),
    (("Alas Kaki", "Sandal", "Sandal"), "Buah", "2953200001", "Sandal {jenis} {bahan}",
     {"jenis": ["Jepit", "Selop", "Gunung", "Hotel"], "bahan": ["Kulit", "Karet", "Anyaman Pandan"]},
     (15_000, 250_000)),
    (("Jasa", "Katering", "Nasi Kotak"), "Porsi", "6331000001", "Nasi Kotak {lauk} untuk {acara}",
     {"lauk": ["Ayam Bakar", "Ayam Goreng Kremes", "Rendang Sapi", "Ikan Bandeng Presto", "Rawon", "Pecel"],
      "acara": ["Rapat", "Pelatihan", "Kegiatan Dinas", "Posyandu"]}, (18_000, 60_000)),
    (("Jasa", "Katering", "Kue dan Snack"), "Porsi", "6331000002", "Snack Box {isi}",
     {"isi": ["Kue Tradisional", "Roti dan Kue Basah", "Lemper dan Risoles", "Onde-onde dan Lumpia"]},
     (8_000, 25_000)),
    (("Minuman", "Kopi dan Teh", "Kopi Bubuk"), "Pak", "2392100001", "Kopi Bubuk {jenis} {asal} {berat}",
     {"jenis": ["Robusta", "Arabika", "Excelsa", "Luwak"], "asal": ["Dampit", "Ijen", "Kelud", "Arjuno"],
      "berat": ["100 g", "250 g", "1 kg"]}, (15_000, 400_000)),
    (("Minuman", "Jamu", "Jamu Tradisional"), "Botol", "2399100001", "Jamu {jenis} {isi}",
     {"jenis": ["Kunyit Asam", "Beras Kencur", "Temulawak", "Jahe Merah Instan"], "isi": ["250 ml", "1 L"]},
     (8_000, 60_000)),
    (("Minuman", "Madu", "Madu"), "Botol", "0290100001", "Madu {jenis} {isi}",
     {"jenis": ["Hutan Murni", "Kelengkeng", "Randu", "Klanceng"], "isi": ["250 ml", "500 ml", "1 kg"]},
     (45_000, 350_000)),
    (("Minuman", "Air Minum", "Air Mineral"), "Dus", "2441000001", "Air Mineral {isi}",
     {"isi": ["600 ml Dus isi 24", "330 ml Dus isi 48", "Galon 19 L"]}, (18_000, 60_000)),
    (("Kebersihan", "Sabun", "Sabun Cuci"), "Botol", "3532100001", "Sabun {jenis} {isi}",
     {"jenis": ["Cuci Piring Jeruk Nipis", "Cuci Tangan Antiseptik", "Lantai Wangi Sereh", "Deterjen Bubuk"],
      "isi": ["500 ml", "1 L", "5 L Jeriken"]}, (9_000, 120_000)),
    (("Alat Tulis Kantor", "Kertas", "Kertas HVS"), "Rim", "3212900001", "Kertas HVS {ukuran} {gram} gsm",
     {"ukuran": ["A4", "F4", "A3"], "gram": ["70", "75", "80"]}, (45_000, 95_000)),
    (("Alat Tulis Kantor", "Map dan Arsip", "Map"), "Lusin", "3219300001", "Map {jenis} {warna}",
     {"jenis": ["Snelhecter", "Plastik Kancing", "Ordner", "Batik Jinjing"], "warna": ["Biru", "Merah", "Hijau",
      "Kuning"]}, (12_000, 180_000)),
    (("Mebel", "Kursi", "Kursi Kayu"), "Unit", "3811100001", "Kursi {jenis} Kayu {kayu}",
     {"jenis": ["Kantor", "Tamu", "Lipat", "Sekolah"], "kayu": ["Jati", "Mahoni", "Sengon", "Trembesi"]},
     (250_000, 3_500_000)),
    (("Mebel", "Meja", "Meja Kayu"), "Unit", "3812100001", "Meja {jenis} Kayu {kayu} {ukuran}",
     {"jenis": ["Kerja", "Rapat", "Guru", "Murid"], "kayu": ["Jati", "Mahoni", "Sengon"],
      "ukuran": ["120 x 60 cm", "160 x 80 cm", "240 x 120 cm"]}, (400_000, 6_000_000)),
    (("Kerajinan", "Anyaman", "Tas Anyaman"), "Buah", "3899900001", "Tas Anyaman {bahan} {model}",
     {"bahan": ["Pandan", "Rotan", "Eceng Gondok", "Bambu"], "model": ["Jinjing", "Selempang", "Seminar Kit"]},
     (35_000, 350_000)),
    (("Hasil Pertanian", "Sayuran", "Sayuran Segar"), "Kilogram", "0121000001", "{sayur} Segar {berat}",
     {"sayur": ["Cabai Rawit Merah", "Bawang Merah", "Bawang Putih", "Tomat", "Kentang", "Wortel", "Kubis"],
      "berat": ["1 kg", "5 kg", "10 kg"]}, (8_000, 700_000)),
    (("Hasil Pertanian", "Daging dan Unggas", "Daging"), "Kilogram", "2111100001", "Daging {jenis} {potongan}",
     {"jenis": ["Sapi", "Ayam Kampung", "Kambing", "Ayam Broiler"], "potongan": ["Has Dalam", "Paha", "Utuh",
      "Fillet"]}, (35_000, 160_000)),
    (("Makanan Olahan", "Lauk Olahan", "Tahu dan Tempe"), "Pak", "2399200001", "{jenis} {kemasan}",
     {"jenis": ["Tempe Kedelai", "Tahu Putih", "Tahu Kuning", "Tempe Mendoan"], "kemasan": ["Daun Pisang",
      "Plastik isi 10", "Balok Besar"]}, (4_000, 35_000)),
    (("Jasa", "Percetakan dan Konveksi", "Sablon dan Bordir"), "Paket", "8914000001", "Jasa {jenis}",
     {"jenis": ["Sablon Kaos Kegiatan", "Bordir Logo Seragam", "Cetak Spanduk dan Banner",
                "Dokumentasi Foto dan Video Kegiatan", "Sewa Tenda dan Kursi", "Cetak Buku Laporan"]},
     (500_000, 15_000_000)),
    (("Makanan Olahan", "Bumbu", "Sambal"), "Botol", "2399300001", "Sambal {jenis} {isi}",
     {"jenis": ["Bawang", "Terasi", "Bajak", "Petis", "Ijo", "Bumbu Pecel"], "isi": ["150 g", "250 g", "500 g"]},
     (12_000, 60_000)),
]  # fmt: skip

QUALITIES = [
    "Dipilih dari hasil panen petani lokal dan diproses dengan bersih.",
    "Dikemas higienis, rapi dan tahan lama dalam penyimpanan.",
    "Cocok untuk kebutuhan kantor, sekolah, puskesmas dan kegiatan dinas.",
    "Dibuat oleh pengrajin berpengalaman dengan bahan pilihan.",
    "Bersertifikat halal dan telah terdaftar PIRT.",
    "Pengiriman cepat dengan armada sendiri; pesanan besar dikirim bertahap.",
    "Kualitas terjaga, harga terjangkau, stok tersedia sepanjang tahun.",
    "Produk unggulan desa yang mendukung perekonomian warga sekitar.",
    "Tanpa bahan pengawet dan pewarna buatan.",
    "Dapat dipesan dengan label atau logo instansi.",
]
BRAND_PARTS = (
    ["Sumber", "Sri", "Mitra", "Karya", "Berkah", "Sinar", "Dewi", "Putra", "Tunas", "Cahaya"],
    [
        "Rejeki",
        "Makmur",
        "Sentosa",
        "Majapahit",
        "Wilwatikta",
        "Trowulan",
        "Brantas",
        "Penanggungan",
        "Arjuno",
        "Welirang",
        "Mandiri",
        "Lestari",
    ],
)
BUSINESS_PREFIXES = ["UD", "CV", "Toko", "Usaha", "Kelompok Usaha", "Industri Rumah Tangga", "Rumah Produksi"]
FIRST_NAMES = ["Siti", "Sri", "Budi", "Agus", "Dewi", "Slamet", "Wahyu", "Endang", "Rina", "Joko", "Lestari", "Eko"]
LAST_NAMES = ["Rahayu", "Santoso", "Wulandari", "Hidayat", "Susanti", "Prasetyo", "Handayani", "Setiawan"]
NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)

COLUMNS = {
    "cooperatives": "id code name nib npwp is_pkp address region_code datafeed_key is_active stock_needs_review "
    "validity_needs_review created_at updated_at",
    "users": "id email full_name locale is_enabled cooperative_id created_at updated_at",
    "user_roles": "user_id role",
    "seller_profiles": "id user_id business_name nib npwp nik skala_usaha kbli_codes address region_code "
    "created_at updated_at",
    "memberships": "id user_id cooperative_id status created_at updated_at",
    "categories": "id parent_id name level position is_active",
    "kbki_codes": "code title level",
    "products": "id cooperative_id seller_id sku status live_revision_id stock valid_until published_at "
    "feed_changed_at created_at updated_at",
    "product_revisions": "id product_id number status author_id submitted_at decided_at decided_by_id name brand "
    "category_id kbki_code unit_id price ppn_percent shipping_cost national_price stock min_order valid_until "
    "is_domestic tkdn_x100 tkdn_certificate bmp_x100 sni_number weight_grams short_description description "
    "specifications created_at updated_at",
    "regional_prices": "revision_id region_code price shipping_cost",
    "product_images": "id product_id storage_key content_type width height byte_size sizes uploaded_by_id created_at",
    "revision_images": "revision_id image_id position is_main",
    "catalog_entries": "product_id revision_id cooperative_id seller_id category_id category_l1_id category_l2_id "
    "name brand price price_with_ppn national_price regional_prices is_domestic tkdn_bmp_x100 tkdn_x100 "
    "skala_usaha seller_regency_code stock published_at main_image_id cooperative_name seller_name unit_name "
    "ppn_percent shipping_cost search_text",
}
#: Per entry (same order as `catalog_entries`): the words of the name, the brand and the rest, that PostgreSQL's
#: `search_vector` is made of (`search.index.SEARCH_VECTOR_SQL`); not a table, the loader turns them into vectors.
ENTRY_WORDS = "product_id name brand rest"


@dataclass
class Catalog:
    """Generated rows per table, and a few ids the query mix refers to."""

    rows: dict[str, list[tuple]] = field(default_factory=lambda: {name: [] for name in COLUMNS})
    category_ids: dict[str, int] = field(default_factory=dict)
    regencies: list[str] = field(default_factory=list)
    regency_names: dict[str, str] = field(default_factory=dict)
    #: `ENTRY_WORDS` rows, one per catalog entry.
    entry_words: list[tuple] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Maker:
    """An UMKM member who makes products, with what each of its products copies."""

    user_id: int
    cooperative_id: int
    families: list[int]
    skala: str
    regency: str
    brand: str
    is_pkp: bool
    manager_id: int
    #: What the product's catalog entry shows: the cooperative's name and the maker's business name.
    cooperative_name: str = ""
    business: str = ""


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _places(count: int) -> list[tuple[str, str]]:
    """(kelurahan/desa code, name) spread over Jawa Timur's regencies, Mojokerto first."""
    regencies = [r.code for r in child_regions("35")]
    regencies.sort(key=lambda code: (code not in ("35.76", "35.16"), code))
    places: list[tuple[str, str]] = []
    while len(places) < count:
        for regency in regencies:
            districts = child_regions(regency)
            district = districts[len(places) // len(regencies) % len(districts)]
            villages = child_regions(district.code)
            village = villages[len(places) // (3 * len(regencies)) % len(villages)]
            places.append((village.code, village.name))
            if len(places) == count:
                break
    return places


def _categories(catalog: Catalog) -> dict[tuple[str, ...], int]:
    """The category tree of the families; returns the id of each path."""
    ids: dict[tuple[str, ...], int] = {}
    for path, *_ in FAMILIES:
        for level in range(1, 4):
            key = path[:level]
            if key not in ids:
                ids[key] = len(ids) + 1
                parent = ids.get(key[:-1]) if level > 1 else None
                catalog.rows["categories"].append((ids[key], parent, key[-1], level, len(ids), True))
                catalog.category_ids[" › ".join(key)] = ids[key]
    return ids


class CatalogGenerator:
    """Seeded rows of a benchmark catalog, made product by product so a large catalog can be loaded in chunks.

    The constructor makes the small tables (categories, KBKI codes, cooperatives, their managers, UMKM makers with
    profiles and memberships); `add_product` appends one approved product's rows; `take_rows` hands over what was
    made since the last call. With `entries=False` no `catalog_entries` rows are made (the search text is the
    slow part, and only search needs them).
    """

    def __init__(
        self,
        *,
        cooperatives: int,
        sellers_per_cooperative: int,
        units: dict[str, int],
        seed: int = 7,
        entries: bool = True,
    ) -> None:
        self.rng = random.Random(seed)
        self.catalog = Catalog()
        self.units = units
        self.entries = entries
        self.paths = _categories(self.catalog)
        kbki = {family[2]: family[0][-1] for family in FAMILIES}
        self.catalog.rows["kbki_codes"] = [(code, title, 10) for code, title in kbki.items()]
        places = _places(cooperatives)
        self.catalog.regencies = sorted({code[:5] for code, _ in places})
        self.catalog.regency_names = {region.code: region.name for region in child_regions("35")}
        self.makers: list[Maker] = []
        self._add_parties(places, sellers_per_cooperative)
        self.makers_by_cooperative: dict[int, list[Maker]] = {}
        for maker in self.makers:
            self.makers_by_cooperative.setdefault(maker.cooperative_id, []).append(maker)

    def _add_parties(self, places: list[tuple[str, str]], sellers_per_cooperative: int) -> None:
        """Cooperatives (every fifth one PKP), a manager each and their UMKM makers."""
        rng, rows = self.rng, self.catalog.rows
        user_id = 0
        for index, (village, village_name) in enumerate(places, start=1):
            is_pkp, cooperative_name = index % 5 == 0, f"KKMP {village_name} {index}"
            rows["cooperatives"].append((
                index, f"kkmp-bench-{index}", cooperative_name, _digits(rng, 13), _digits(rng, 16),
                is_pkp, f"Jl. Raya {village_name} No. {index}", village, _digits(rng, 40), True, False, True, NOW,
                NOW,
            ))  # fmt: skip
            user_id += 1
            rows["users"].append(
                (user_id, f"pengurus{index}@bench.test", f"Pengurus {village_name}", "id", True, index, NOW, NOW)
            )
            rows["user_roles"].append((user_id, "coop_manager"))
            manager = user_id
            for _ in range(sellers_per_cooperative):
                user_id += 1
                brand = f"{rng.choice(BRAND_PARTS[0])} {rng.choice(BRAND_PARTS[1])}"
                business = f"{rng.choice(BUSINESS_PREFIXES)} {brand}"
                skala = rng.choices(["mikro", "kecil", "menengah"], weights=[70, 25, 5])[0]
                full_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                rows["users"].append((user_id, f"umkm{user_id}@bench.test", full_name, "id", True, None, NOW, NOW))
                rows["user_roles"].append((user_id, "seller"))
                rows["seller_profiles"].append((
                    user_id, user_id, business, _digits(rng, 13), _digits(rng, 16), _digits(rng, 16), skala,
                    json.dumps(["10793"]), f"Dusun {village_name} RT 01/RW 02", village, NOW, NOW,
                ))  # fmt: skip
                rows["memberships"].append((user_id, user_id, index, "active", NOW, NOW))
                families = rng.sample(range(len(FAMILIES)), 2)
                maker = Maker(user_id, index, families, skala, village[:5], brand, is_pkp, manager)
                self.makers.append(replace(maker, cooperative_name=cooperative_name, business=business))

    def take_rows(self) -> dict[str, list[tuple]]:
        """The rows made since the last call (each table's list is handed over and started anew)."""
        taken = self.catalog.rows
        self.catalog.rows = {name: [] for name in COLUMNS}
        return taken

    def add_product(self, pid: int, maker: Maker) -> None:
        """Append the rows of one approved product: product, revision, regional prices, image (and entry)."""
        rng, catalog = self.rng, self.catalog
        path, unit, kbki, pattern, choices, (low, high) = FAMILIES[rng.choice(maker.families)]
        name = pattern.format(**{key: rng.choice(values) for key, values in choices.items()})
        price = rng.randrange(low // 100, high // 100) * 100
        ppn = 11 if maker.is_pkp else 0
        domestic = rng.random() > 0.05
        tkdn = rng.randrange(2000, 9000) if domestic else 0
        bmp = rng.randrange(0, 1500) if domestic else 0
        published = NOW - timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
        valid_until = date(2027, 1, 1) + timedelta(days=rng.randrange(0, 200))
        stock = rng.choice([0, 5, 20, 50, 100, 250, 1000])
        national = rng.random() > 0.05
        regional = []
        if not national or rng.random() < 0.25:
            codes = rng.sample(["35", maker.regency, rng.choice(catalog.regencies)], rng.randint(1, 3))
            regional = [
                (pid, code, max(100, price + rng.randrange(-20, 20) * 100), rng.choice([0, 5000]))
                for code in dict.fromkeys(codes)
            ]
        description = " ".join(rng.sample(QUALITIES, 3))
        short = f"{name} dari {maker.brand}, {path[-1].lower()} berkualitas untuk pengadaan pemerintah."
        specs = [
            {"label": "Merek", "value": maker.brand},
            {"label": "Asal", "value": catalog.regency_names[maker.regency]},
            {"label": "Kemasan", "value": rng.choice(["Plastik", "Karton", "Karung", "Botol", "Besek bambu"])},
        ]
        category_ids = [self.paths[path[:level]] for level in (1, 2, 3)]
        rows, seller_id = catalog.rows, maker.user_id
        rows["products"].append((
            pid, maker.cooperative_id, seller_id, f"BNC-{pid:06d}", "active", pid, stock, valid_until, published,
            published, published, published,
        ))  # fmt: skip
        shipping = rng.choice([0, 0, 10_000, 25_000])
        rows["product_revisions"].append((
            pid, pid, 1, "approved", seller_id, published, published, maker.manager_id, name, maker.brand,
            category_ids[2], kbki, self.units[unit], price, ppn, shipping, national, stock,
            rng.choice([1, 1, 5, 10]), valid_until, domestic, tkdn,
            f"TKDN-{pid}" if tkdn and rng.random() < 0.4 else None, bmp, None, rng.randrange(100, 30_000), short,
            description, json.dumps(specs), published, published,
        ))  # fmt: skip
        rows["regional_prices"].extend(regional)
        rows["product_images"].append((
            pid, pid, f"products/{pid}/bench.jpg", "image/jpeg", 800, 800, 120_000, "[50, 100, 300, 800]", seller_id,
            published,
        ))  # fmt: skip
        rows["revision_images"].append((pid, pid, 0, True))
        if not self.entries:
            return
        revision = SimpleNamespace(
            name=name, brand=maker.brand, short_description=short, description=description, specifications=specs
        )
        categories = [SimpleNamespace(name=n) for n in path]
        parts = search_parts(revision, categories)
        regional_json = json.dumps({code: [amount, cost] for _, code, amount, cost in regional}) if regional else None
        rows["catalog_entries"].append((
            pid, pid, maker.cooperative_id, seller_id, category_ids[2], category_ids[0], category_ids[1], name,
            maker.brand, price, with_ppn(price, ppn), national, regional_json, domestic, tkdn + bmp, tkdn, maker.skala,
            maker.regency, stock, published, pid, maker.cooperative_name, maker.business, unit, ppn, shipping,
            parts.text,
        ))  # fmt: skip
        catalog.entry_words.append((pid, *parts))


def generate(*, products: int, cooperatives: int, sellers_per_cooperative: int, units: dict[str, int], seed: int = 7):
    """Every row of the benchmark catalog, in memory: each product made by a maker drawn at random."""
    generator = CatalogGenerator(
        cooperatives=cooperatives, sellers_per_cooperative=sellers_per_cooperative, units=units, seed=seed
    )
    for product_id in range(1, products + 1):
        generator.add_product(product_id, generator.rng.choice(generator.makers))
    return generator.catalog


def rows_of(catalog: Catalog, table: str) -> Iterator[tuple]:
    yield from catalog.rows[table]
