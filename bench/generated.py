"""The generated catalog the page and search benchmarks read: N products shaped like the sandbox's.

`generate(count, seed)` makes the bench database hold exactly those products (and nothing else in the
catalog). A marker table, bench_catalog, names the size, seed and generator version of what is there, so a
later run of the same set reuses it instead of seeding again.

PostgreSQL: one transaction of TRUNCATE, then COPY … FREEZE of every table (no row-by-row INSERT, and no
hint bits left for the first reads to set), then VACUUM ANALYZE (which also empties the GIN pending list).
The indexes stay in place during the load: the generator's Python is the slower side, and dropping them
and building them afterwards measured no faster at 1,000,000 products. SQLite: bulk_create.
Rows are streamed either way, so memory does not grow with N.
"""

import functools
import random
import re
import time
from collections.abc import Iterable, Iterator
from decimal import Decimal

from bench import _common as common

GENERATED_BASE = 600_000_000_000
VERSION = 1  # bump when the generated data changes, so a seeded database of an older version is not reused
SETS = {"3k": 3_000, "100k": 100_000, "1m": 1_000_000}
CHUNK = 5_000
DETAILED = 2_000  # products with SKUs and price history (the product and list pages')
SUPPLIERS = 2_500
PROVINCES = [
    ("浙江省", "义乌市"),
    ("广东省", "深圳市"),
    ("江苏省", "苏州市"),
    ("福建省", "泉州市"),
    ("山东省", "青岛市"),
]
MARKER = "bench_catalog"


def size(text: str) -> int:
    """A number of products from a set's name (100k, 1m) or digits (250000, 250_000)."""
    text = text.strip().lower().replace("_", "").replace(",", "")
    if text in SETS:
        return SETS[text]
    found = re.fullmatch(r"(\d+)([km]?)", text)
    if not found:
        raise ValueError(f"{text!r}: expected {', '.join(SETS)} or a number of products")
    return int(found.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[found.group(2)]


# --- the marker ---
def _marker_table(cursor) -> None:
    cursor.execute(f"CREATE TABLE IF NOT EXISTS {MARKER} (products bigint NOT NULL, seed bigint NOT NULL, "
                   "version integer NOT NULL, seconds double precision NOT NULL, seeded_at varchar(40) NOT NULL)")  # fmt: skip


def seeded() -> dict | None:
    """What the marker says the database holds (products, seed, version, seconds, seeded_at), if anything."""
    from django.db import connection

    with connection.cursor() as cursor:
        _marker_table(cursor)
        cursor.execute(f"SELECT products, seed, version, seconds, seeded_at FROM {MARKER}")
        row = cursor.fetchone()
    return dict(zip(("products", "seed", "version", "seconds", "seeded_at"), row, strict=True)) if row else None


def _mark(cursor, *, count: int, seed: int, seconds: float) -> None:
    from django.utils import timezone

    cursor.execute(f"DELETE FROM {MARKER}")
    cursor.execute(f"INSERT INTO {MARKER} VALUES (%s, %s, %s, %s, %s)",
                   [count, seed, VERSION, seconds, timezone.now().isoformat(timespec="seconds")])  # fmt: skip


def is_seeded(count: int, seed: int) -> bool:
    """The database holds this set: the marker says so and the catalog is exactly its products."""
    from sourcing.catalog.models import Product

    marker = seeded()
    if not marker or (marker["products"], marker["seed"], marker["version"]) != (count, seed, VERSION):
        return False
    return Product.objects.count() == count == Product.objects.filter(offer_id__gte=GENERATED_BASE).count()


# --- the rows ---
def _categories():
    from sandbox.catalog import categories
    from sourcing.catalog.models import Category

    for c in sorted(categories(), key=lambda c: c.level):
        yield Category(id=c.id, parent_id=c.parent_id, name=c.name, name_en=c.name_en, level=c.level,
                       is_leaf=c.is_leaf)  # fmt: skip


def _suppliers():
    from sourcing.catalog.models import Supplier

    for i in range(SUPPLIERS):
        province, city = PROVINCES[i % 5]
        yield Supplier(open_id=f"BBBbench{i:08d}", company_name=f"{city}示例{i}号贸易有限公司", province=province,
                       city=city, years=1 + i % 15, service_score=Decimal("3.5") + Decimal(i % 15) / 10)  # fmt: skip


def _supplier_ids() -> list[tuple[int, str]]:
    from sourcing.catalog.models import Supplier

    return list(Supplier.objects.values_list("pk", "province"))  # in the model's order, by name


def _attributes(brand: str) -> list[dict]:
    return [{"name": "品牌", "value": brand, "name_en": "Brand", "value_en": "Other"},
            {"name": "产地", "value": "中国大陆", "name_en": "Origin", "value_en": "Mainland China"}]  # fmt: skip


@functools.lru_cache(maxsize=150_000)  # the generator's vocabulary makes 128,250 distinct documents
def _search_columns(title: str, title_en: str, brand: str) -> dict:
    """The search columns the app's upsert writes for a product with this title and brand (the same
    title and brand come back ~8 times at 1,000,000 products: built once each)."""
    from sourcing.catalog.models import Product
    from sourcing.catalog.services.upsert import _search_columns as app_search_columns

    return app_search_columns(Product(title=title, title_en=title_en, attributes=_attributes(brand)))


def _products(count: int, seed: int, supplier_ids: list[tuple[int, str]]) -> Iterator:
    """The products, one at a time."""
    from sandbox.catalog import FEATURES, PREFIXES, SUFFIXES, categories
    from sourcing.catalog.models import Product

    rng = random.Random(seed)
    leaves = [c for c in categories() if c.is_leaf]
    for i in range(count):
        leaf = rng.choice(leaves)
        prefix, feature, suffix = rng.choice(PREFIXES), rng.choice(FEATURES), rng.choice(SUFFIXES)
        title = f"{prefix[0]}{feature[0]}{leaf.name}{' ' + suffix[0] if suffix[0] else ''}"
        title_en = " ".join(w for w in (prefix[1], feature[1], leaf.name_en, suffix[1]) if w)
        supplier_id, province = supplier_ids[i % len(supplier_ids)]
        brand = rng.choice(["其他", "OEM", "自有品牌"])
        price = Decimal(str(round(rng.uniform(1, 300), 2)))
        yield Product(
            offer_id=GENERATED_BASE + i, title=title, title_en=title_en, category_id=leaf.id, supplier_id=supplier_id,
            province=province, price_min=price, price_max=price + 2, moq=rng.choice([1, 2, 5, 10, 50]),
            month_sold=int(rng.paretovariate(1.2) * 20), attributes=_attributes(brand),
            image_url="https://img.example/x.png",
            price_tiers=[{"min_quantity": 1, "price": str(price + 2)}, {"min_quantity": 100, "price": str(price)}],
            **_search_columns(title, title_en, brand),
        )  # fmt: skip


def _details(detailed: list[tuple[int, Decimal]]):
    from sourcing.catalog.models import PriceHistory, Sku

    skus = (Sku(product_id=pk, sku_id=f"{pk}{n}", price=price, stock=100 + n, position=n,
                attributes=[{"name": "颜色", "value": f"色{n}"}]) for pk, price in detailed for n in range(8))  # fmt: skip
    history = (PriceHistory(product_id=pk, price_min=price + n, price_max=price + n, stock=100)
               for pk, price in detailed for n in range(6))  # fmt: skip
    return skus, history


def _progress(rows: Iterable, every: int, started: float) -> Iterator:
    for n, row in enumerate(rows, 1):
        yield row
        if n % every == 0:
            print(f"  {n:,} products, {time.perf_counter() - started:.0f} s", flush=True)


# --- writing them ---
def _copy(model, rows: Iterable) -> None:
    """COPY model instances into the model's table: every stored column the app writes (none generated by the
    database, no serial key), listed from the model so a new field is never left out."""
    from django.db import connection
    from django.db.models import JSONField
    from django.db.models.fields import AutoFieldMixin

    fields = [f for f in model._meta.concrete_fields
              if not getattr(f, "generated", False) and not isinstance(f, AutoFieldMixin)]  # fmt: skip
    # psycopg adapts the plain values (str, int, Decimal, datetime, None) itself; JSON must be wrapped as the ORM
    # does (a list would otherwise go as an array)
    json = [isinstance(f, JSONField) for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN (FREEZE)"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            values = [getattr(row, f.attname) for f in fields]
            copy.write_row([f.get_db_prep_save(v, connection) if j else v
                            for f, v, j in zip(fields, values, json, strict=True)])  # fmt: skip


def _seed_postgresql(count: int, seed: int, started: float) -> None:
    from django.db import connection, transaction

    from sourcing.catalog.models import Category, PriceHistory, Product, Sku, Supplier

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE sourcing_sku, sourcing_pricehistory, sourcing_productview, sourcing_product, "
                       "sourcing_supplier, sourcing_category CASCADE")  # fmt: skip
        _copy(Category, _categories())
        _copy(Supplier, _suppliers())
        supplier_ids = _supplier_ids()
        _copy(Product, _progress(_products(count, seed, supplier_ids), 100_000, started))
        detailed = list(Product.objects.order_by("pk").values_list("pk", "price_min")[:DETAILED])
        skus, history = _details(detailed)
        _copy(Sku, skus)
        _copy(PriceHistory, history)
        _mark(cursor, count=count, seed=seed, seconds=time.perf_counter() - started)
    with connection.cursor() as cursor:
        for model in (Category, Supplier, Product, Sku, PriceHistory):
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")


def _seed_sqlite(count: int, seed: int, started: float) -> None:
    from itertools import islice

    from django.db import connection

    from sourcing.catalog.models import Category, PriceHistory, Product, Sku, Supplier

    common.reset_wanted()
    for model in (Sku, PriceHistory, Product, Supplier, Category):
        model.objects.all().delete()
    Category.objects.bulk_create(_categories())
    Supplier.objects.bulk_create(_suppliers(), batch_size=SUPPLIERS)
    supplier_ids = _supplier_ids()
    rows = _progress(_products(count, seed, supplier_ids), 100_000, started)
    while chunk := list(islice(rows, CHUNK)):
        Product.objects.bulk_create(chunk)
    skus, history = _details(list(Product.objects.order_by("pk").values_list("pk", "price_min")[:DETAILED]))
    Sku.objects.bulk_create(skus, batch_size=CHUNK)
    PriceHistory.objects.bulk_create(history, batch_size=CHUNK)
    with connection.cursor() as cursor:
        _mark(cursor, count=count, seed=seed, seconds=time.perf_counter() - started)
        cursor.execute("ANALYZE")


def generate(count: int, seed: int = 1688, *, force: bool = False) -> float | None:
    """Make the catalog hold exactly `count` generated products of this seed; the seconds it took, or None
    when the database already held them (and `force` is off)."""
    from django.db import connection

    if not force and is_seeded(count, seed):
        return None
    print(f"generating {count:,} products (seed {seed}) ...", flush=True)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        _marker_table(cursor)
        cursor.execute(f"DELETE FROM {MARKER}")  # a load that fails halfway leaves no marker behind
    (_seed_postgresql if connection.vendor == "postgresql" else _seed_sqlite)(count, seed, started)
    common.flush_redis()  # bulk writes send no signals: nothing cached from the catalog before may be served
    seconds = time.perf_counter() - started
    print(f"generated in {seconds:.0f} s", flush=True)
    return seconds
