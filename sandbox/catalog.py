"""A deterministic 1688-style catalog: categories, suppliers and offers with Chinese titles.

`build_catalog(offers=N, seed=S)` replaces the catalog; the same N and S give the same catalog.
Prices and stock are stored as a base and drift with time when served (see `drift`).
"""

import base64
import hashlib
import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db import transaction

from . import images
from .models import SandboxCategory, SandboxOffer, SandboxSupplier

# The 12 top categories of the original project, each with 1688-style subcategories:
# (zh, en, [(sub zh, sub en, [(product zh, product en), ...]), ...], price range in yuan, units)
COLORS = [("黑色", "Black"), ("白色", "White"), ("红色", "Red"), ("蓝色", "Blue"), ("粉色", "Pink"), ("灰色", "Gray"),
          ("绿色", "Green"), ("卡其色", "Khaki")]  # fmt: skip
SIZES = [("S", "S"), ("M", "M"), ("L", "L"), ("XL", "XL"), ("XXL", "XXL")]
KIDS_SIZES = [("73cm", "73cm"), ("80cm", "80cm"), ("90cm", "90cm"), ("100cm", "100cm"), ("110cm", "110cm")]
CAPACITY = [("350ml", "350ml"), ("500ml", "500ml"), ("750ml", "750ml"), ("1000ml", "1000ml")]
SPEC = [("标准款", "Standard"), ("升级款", "Upgraded"), ("豪华套装", "Deluxe set")]
WEIGHT = [("250g", "250g"), ("500g", "500g"), ("1kg", "1kg"), ("2.5kg", "2.5kg")]

TOP_CATEGORIES = [
    ("电子产品", "Electronics", [
        ("蓝牙耳机", "Bluetooth earphones", [("无线蓝牙耳机", "wireless Bluetooth earbuds"), ("头戴式耳机", "over-ear headphones"), ("运动耳机", "sports earphones")]),
        ("手机配件", "Phone accessories", [("手机壳", "phone case"), ("数据线", "charging cable"), ("充电宝", "power bank"), ("手机支架", "phone stand")]),
        ("智能穿戴", "Wearables", [("智能手表", "smart watch"), ("运动手环", "fitness band")]),
        ("电脑周边", "Computer peripherals", [("机械键盘", "mechanical keyboard"), ("无线鼠标", "wireless mouse"), ("USB集线器", "USB hub"), ("笔记本电脑支架", "laptop stand")]),
    ], (8, 260), [("个", "piece"), ("件", "piece")], [("颜色", "Color", COLORS), ("规格", "Version", SPEC)]),
    ("服装服饰", "Apparel", [
        ("女装", "Women's clothing", [("连衣裙", "dress"), ("针织开衫", "knit cardigan"), ("阔腿裤", "wide-leg trousers"), ("卫衣", "hoodie")]),
        ("男装", "Men's clothing", [("纯棉T恤", "cotton T-shirt"), ("休闲裤", "casual pants"), ("夹克外套", "jacket")]),
        ("童装", "Kids' clothing", [("儿童套装", "kids' outfit set"), ("婴儿连体衣", "baby romper")]),
        ("内衣袜子", "Underwear & socks", [("纯棉袜子", "cotton socks"), ("运动内衣", "sports bra")]),
    ], (6, 180), [("件", "piece"), ("套", "set")], [("颜色", "Color", COLORS), ("尺码", "Size", SIZES)]),
    ("家居园艺", "Home & Garden", [
        ("厨房用品", "Kitchenware", [("不锈钢保温杯", "stainless steel vacuum cup"), ("硅胶锅铲", "silicone spatula"), ("玻璃杯子", "glass cup")]),
        ("收纳整理", "Storage", [("收纳盒", "storage box"), ("衣架", "clothes hanger")]),
        ("园艺工具", "Gardening tools", [("园艺剪刀", "garden shears"), ("花盆", "flower pot")]),
        ("家纺", "Home textiles", [("四件套", "bedding set"), ("抱枕", "throw pillow")]),
    ], (3, 150), [("个", "piece"), ("套", "set"), ("箱", "carton")], [("颜色", "Color", COLORS), ("容量", "Capacity", CAPACITY)]),
    ("美容个护", "Beauty", [
        ("彩妆", "Makeup", [("口红", "lipstick"), ("眼影盘", "eyeshadow palette"), ("化妆刷", "makeup brush set")]),
        ("护肤", "Skin care", [("补水面膜", "hydrating face mask"), ("精华液", "serum")]),
        ("美发工具", "Hair tools", [("卷发棒", "curling iron"), ("发夹", "hair clip")]),
    ], (2, 90), [("支", "stick"), ("盒", "box"), ("套", "set")], [("色号", "Shade", COLORS[:6]), ("规格", "Version", SPEC)]),
    ("玩具母婴", "Toys & Baby", [
        ("益智玩具", "Educational toys", [("积木", "building blocks"), ("拼图", "jigsaw puzzle"), ("磁力片", "magnetic tiles")]),
        ("毛绒玩具", "Plush toys", [("毛绒公仔", "plush doll"), ("抱枕玩偶", "plush pillow")]),
        ("婴儿用品", "Baby supplies", [("奶瓶", "baby bottle"), ("口水巾", "baby bib")]),
    ], (4, 120), [("个", "piece"), ("套", "set"), ("盒", "box")], [("颜色", "Color", COLORS), ("尺码", "Size", KIDS_SIZES)]),
    ("运动户外", "Sports & Outdoors", [
        ("健身器材", "Fitness equipment", [("瑜伽垫", "yoga mat"), ("弹力带", "resistance band"), ("哑铃", "dumbbell")]),
        ("户外装备", "Outdoor gear", [("露营帐篷", "camping tent"), ("折叠椅", "folding chair"), ("登山包", "hiking backpack")]),
        ("骑行", "Cycling", [("骑行手套", "cycling gloves"), ("自行车灯", "bike light")]),
    ], (5, 320), [("个", "piece"), ("件", "piece"), ("套", "set")], [("颜色", "Color", COLORS), ("规格", "Version", SPEC)]),
    ("食品饮料", "Food & Beverages", [
        ("休闲零食", "Snacks", [("饼干", "biscuits"), ("坚果", "mixed nuts"), ("牛肉干", "beef jerky")]),
        ("茶叶", "Tea", [("绿茶", "green tea"), ("普洱茶", "Pu'er tea"), ("花茶", "flower tea")]),
        ("调味品", "Condiments", [("辣椒酱", "chili sauce"), ("火锅底料", "hot pot base")]),
    ], (3, 200), [("袋", "bag"), ("箱", "carton"), ("盒", "box")], [("口味", "Flavor", [("原味", "Original"), ("香辣", "Spicy"), ("五香", "Five-spice")]), ("净含量", "Net weight", WEIGHT)]),
    ("办公文教", "Office", [
        ("书写工具", "Writing", [("中性笔", "gel pen"), ("马克笔", "marker pen"), ("钢笔", "fountain pen")]),
        ("本册纸品", "Notebooks & paper", [("笔记本", "notebook"), ("便利贴", "sticky notes")]),
        ("办公设备", "Office equipment", [("订书机", "stapler"), ("文件夹", "file folder")]),
    ], (1, 60), [("支", "stick"), ("本", "book"), ("盒", "box"), ("箱", "carton")], [("颜色", "Color", COLORS[:5]), ("规格", "Version", SPEC)]),
    ("汽车用品", "Automotive", [
        ("车载电器", "Car electronics", [("车载充电器", "car charger"), ("行车记录仪", "dash cam")]),
        ("汽车装饰", "Car decoration", [("汽车香薰", "car air freshener"), ("方向盘套", "steering wheel cover")]),
        ("清洁养护", "Car care", [("洗车毛巾", "car wash towel"), ("车蜡", "car wax")]),
    ], (5, 280), [("个", "piece"), ("套", "set")], [("颜色", "Color", COLORS[:4]), ("规格", "Version", SPEC)]),
    ("工业品", "Industrial", [
        ("五金工具", "Hardware tools", [("螺丝刀套装", "screwdriver set"), ("扳手", "wrench"), ("电钻", "electric drill")]),
        ("劳保用品", "Safety supplies", [("劳保手套", "work gloves"), ("安全帽", "safety helmet")]),
        ("包装材料", "Packaging", [("快递袋", "mailing bags"), ("气泡膜", "bubble wrap"), ("纸箱", "cardboard box")]),
    ], (1, 400), [("个", "piece"), ("套", "set"), ("箱", "carton"), ("卷", "roll")], [("规格", "Version", SPEC), ("颜色", "Color", COLORS[:3])]),
    ("珠宝首饰", "Jewelry", [
        ("时尚饰品", "Fashion jewelry", [("耳环", "earrings"), ("项链", "necklace"), ("手链", "bracelet")]),
        ("银饰", "Silver jewelry", [("925银戒指", "925 silver ring"), ("银手镯", "silver bangle")]),
    ], (2, 160), [("对", "pair"), ("条", "piece"), ("个", "piece")], [("颜色", "Color", [("金色", "Gold"), ("银色", "Silver"), ("玫瑰金", "Rose gold")]), ("规格", "Version", SPEC)]),
    ("农业", "Agriculture", [
        ("种子种苗", "Seeds", [("蔬菜种子", "vegetable seeds"), ("花卉种子", "flower seeds")]),
        ("农资", "Farm supplies", [("有机肥料", "organic fertilizer"), ("滴灌带", "drip irrigation tape")]),
        ("园林机械", "Garden machinery", [("喷雾器", "sprayer"), ("割草机", "lawn mower")]),
    ], (2, 500), [("袋", "bag"), ("卷", "roll"), ("台", "unit")], [("规格", "Version", SPEC), ("净含量", "Net weight", WEIGHT)]),
]  # fmt: skip

PREFIXES = [("新款", "New"), ("爆款", "Hot-selling"), ("厂家直销", "Factory direct"), ("跨境专供", "Cross-border"),
            ("批发", "Wholesale"), ("2026", "2026"), ("ins风", "INS style"), ("高品质", "High quality"), ("定制", "Custom")]  # fmt: skip
FEATURES = [("便携", "portable"), ("加厚", "thickened"), ("多功能", "multi-function"), ("简约", "minimalist"),
            ("韩版", "Korean style"), ("防水", "waterproof"), ("环保", "eco-friendly"), ("大容量", "large-capacity"),
            ("可爱", "cute"), ("复古", "retro")]  # fmt: skip
SUFFIXES = [
    ("一件代发", "dropshipping"),
    ("源头工厂", "source factory"),
    ("支持定制logo", "custom logo"),
    ("现货", "in stock"),
    ("", ""),
]

PLACES = [
    ("广东", ["广州", "深圳", "东莞", "佛山", "汕头"]), ("浙江", ["义乌", "杭州", "宁波", "温州", "金华"]),
    ("江苏", ["苏州", "南京", "常州", "南通"]), ("福建", ["泉州", "厦门", "莆田"]), ("山东", ["青岛", "临沂", "潍坊"]),
    ("河北", ["石家庄", "保定", "沧州"]), ("上海", ["上海"]), ("河南", ["郑州"]), ("湖北", ["武汉"]), ("四川", ["成都"]),
]  # fmt: skip
COMPANY_WORDS = [
    "鑫源",
    "华盛",
    "恒达",
    "宏图",
    "金辉",
    "博远",
    "瑞丰",
    "佳美",
    "永利",
    "盛世",
    "鼎新",
    "优品",
    "卓越",
    "汇通",
    "星辰",
]
COMPANY_KINDS = {"电子产品": "电子科技", "服装服饰": "服饰", "家居园艺": "家居用品", "美容个护": "化妆品", "玩具母婴": "玩具",
                 "运动户外": "体育用品", "食品饮料": "食品", "办公文教": "文具", "汽车用品": "汽车用品", "工业品": "五金制品",
                 "珠宝首饰": "饰品", "农业": "农业科技"}  # fmt: skip

OFFER_ID_BASE = 600000000000
OFFERS_PER_SUPPLIER = 12
# Same items (issue 22): about SAME_ITEM_SHARE of the items are sold by 2-5 shops; resellers edit the photos
# (images.RESELLER_EDITS), rewrite the title, pick other options and units. LOOK_ALIKE_SHARE of the items have
# a look-alike that is NOT the same item: another colour or size of the line, or a similar shape.
SAME_ITEM_SHARE = 0.45
LOOK_ALIKE_SHARE = 0.2
LINE_SIZES = [("小号", "Small"), ("中号", "Medium"), ("大号", "Large"), ("加大号", "Extra large"), ("迷你款", "Mini")]
SHOTS = (0, 3)  # the two photos of an item
IMAGES_PER_FAMILY = 3  # without same items: offers in a row sharing a composition


@dataclass
class Item:
    """What the offers of one same-item group share (the generator's truth: `same_item_group`)."""

    group: int | None
    family: int
    size: tuple[str, str]
    colour: tuple[str, str]
    look: int = 0  # images.py: 1-6 another colour of the family's composition, 9 a similar shape
    edit: int = 0
    price: float = 0
    unit: tuple[str, str] | None = None
    size_in_title: bool = False
    line_attributes: bool = True
    shots: tuple[int, int] = SHOTS

    @property
    def variants(self) -> list[int]:
        return [self.look * 100 + self.edit * 10 + shot for shot in self.shots]


def open_uid_of(login_id: str) -> str:
    """The encrypted member id 1688 hands out for a login id: "BBB" + 22 base64url characters.

    Deterministic here, and the same id in every answer (sellerOpenId, openUid); whether 1688's
    are the same across APIs and apps is not documented (docs/1688-answers.md).
    """
    digest = hashlib.sha256(f"open:{login_id}".encode()).digest()
    return "BBB" + base64.urlsafe_b64encode(digest).decode()[:22]


def categories() -> list[SandboxCategory]:
    """Three levels: root 0's children are the 12 tops, then subcategories, then product leaves."""
    rows = []
    for t, (name, name_en, subs, *_rest) in enumerate(TOP_CATEGORIES, start=1):
        top_id = 1000 + t
        rows.append(SandboxCategory(id=top_id, parent_id=None, name=name, name_en=name_en, level=1, is_leaf=False))
        for s, (sub, sub_en, products) in enumerate(subs, start=1):
            sub_id = top_id * 100 + s
            rows.append(SandboxCategory(id=sub_id, parent_id=top_id, name=sub, name_en=sub_en, level=2, is_leaf=False))
            for p, (product, product_en) in enumerate(products, start=1):
                rows.append(
                    SandboxCategory(
                        id=sub_id * 100 + p, parent_id=sub_id, name=product, name_en=product_en, level=3, is_leaf=True
                    )
                )
    return rows


def _leaves():
    """(top index, leaf id, product zh, product en) for every leaf category."""
    for t, (_name, _en, subs, *_rest) in enumerate(TOP_CATEGORIES, start=1):
        for s, (_sub, _sub_en, products) in enumerate(subs, start=1):
            for p, (product, product_en) in enumerate(products, start=1):
                yield t - 1, (1000 + t) * 100 * 100 + s * 100 + p, product, product_en


def _supplier(i: int, rng: random.Random, top_index: int) -> SandboxSupplier:
    province, cities = rng.choice(PLACES)
    city = rng.choice(cities)
    top_name = TOP_CATEGORIES[top_index][0]
    company = f"{city}市{rng.choice(COMPANY_WORDS)}{COMPANY_KINDS[top_name]}有限公司"
    login = f"{rng.choice(COMPANY_WORDS)}{COMPANY_KINDS[top_name][:2]}{i}"
    domain = f"shop{hashlib.md5(login.encode(), usedforsecurity=False).hexdigest()[:10]}.1688.com"
    return SandboxSupplier(
        login_id=login,
        member_id=f"b2b-{2200000000 + i * 37}",
        open_uid=open_uid_of(login),
        company_name=company,
        province=province,
        city=f"{city}市" if not city.endswith("市") else city,
        years=rng.randint(1, 18),
        service_score=Decimal(str(round(rng.uniform(3.5, 5.0), 1))),
        repurchase_rate=rng.randint(8, 65),
        domain=domain,
        main_category_id=1000 + top_index + 1,
    )


def _offer(i: int, rng: random.Random, supplier_pk: int, leaf, started: datetime, *, item: "Item") -> SandboxOffer:
    top_index, leaf_id, product, product_en = leaf
    _, _, _, (low, high), units, axes = TOP_CATEGORIES[top_index]
    prefix, feature, suffix = rng.choice(PREFIXES), rng.choice(FEATURES), rng.choice(SUFFIXES)
    size = f"{item.size[0]} " if item.size_in_title else ""
    subject = f"{prefix[0]}{feature[0]}{size}{product}{' ' + suffix[0] if suffix[0] else ''}"
    subject_en = " ".join(
        w
        for w in (
            prefix[1],
            feature[1],
            item.size_in_title and item.size[1],
            product_en,
            suffix[1] and f"({suffix[1]})",
        )
        if w
    )
    unit, unit_en = item.unit or rng.choice(units)
    base_price = (
        Decimal(str(round(item.price * rng.uniform(0.85, 1.2), 2)))
        if item.price
        else Decimal(str(round(rng.uniform(low, high), 2)))
    )
    tiers = [[1 if rng.random() < 0.4 else rng.choice([2, 3, 5, 10]), 1.0]]
    for _ in range(rng.randint(0, 3)):
        tiers.append([tiers[-1][0] * rng.choice([5, 10]), round(tiers[-1][1] * rng.uniform(0.82, 0.95), 3)])
    sku_axes = []
    for name, name_en, values in axes[: rng.randint(1, 2)]:
        chosen = rng.sample(values, k=rng.randint(2, min(5, len(values))))
        sku_axes.append([name, name_en, [list(v) for v in chosen]])
    line = [["尺寸", "Size", *item.size], ["主色", "Main colour", *item.colour]] if item.line_attributes else []
    return SandboxOffer(
        offer_id=OFFER_ID_BASE + i * 7 + 3,
        supplier_id=supplier_pk,
        category_id=leaf_id,
        subject=subject,
        subject_en=subject_en,
        unit=unit,
        unit_en=unit_en,
        min_order_quantity=tiers[0][0],
        base_price=base_price,
        price_tiers=tiers,
        sku_axes=sku_axes,
        attributes=[
            ["品牌", "Brand", rng.choice(["其他", "OEM", "自有品牌"]), rng.choice(["Other", "OEM", "Own brand"])],
            ["产地", "Origin", "中国大陆", "Mainland China"],
            ["货号", "Item No.", f"HX-{i:06d}", f"HX-{i:06d}"],
            *line,
            *pack_attribute(unit, i),
        ],
        image_family=item.family,
        image_variants=item.variants,
        image_hash=images.hash_of(item.family, item.variants[0]),
        same_item_group=item.group,
        month_sold=int(rng.paretovariate(1.2) * 20),
        weight_grams=rng.randint(20, 3000),
        created_at=started - timedelta(days=rng.randint(1, 1500), seconds=rng.randint(0, 86400)),
    )


def _item_offers(i, rng, groups, supplier_pks, supplier_tops, leaves_by_top, started) -> list[SandboxOffer]:
    """The offers of one new item (its shop and its resellers) and perhaps of a look-alike item and its resellers."""
    supplier_index = rng.randrange(len(supplier_pks))
    top = supplier_tops[supplier_index]
    leaf = rng.choice(leaves_by_top[top])
    group = next(groups)
    item = Item(group=group, family=group, size=rng.choice(LINE_SIZES), colour=rng.choice(COLORS),
                size_in_title=rng.random() < 0.5)  # fmt: skip
    items = [item]
    if rng.random() < LOOK_ALIKE_SHARE:
        kind = rng.choice(("colour", "size", "shape"))
        other = replace(item, group=next(groups))
        if kind == "colour":
            other = replace(other, look=rng.randint(1, 6), colour=rng.choice([c for c in COLORS if c != item.colour]))
        elif kind == "size":
            other = replace(other, size=rng.choice([z for z in LINE_SIZES if z != item.size]), size_in_title=True)
            item.size_in_title = True  # a line sold in sizes names the size
        else:
            other = replace(other, look=images.OTHER_SHAPE)
        items.append(other)
    same_top = [n for n, t in enumerate(supplier_tops) if t == top]
    offers = []
    for one in items:
        first = _offer(i + len(offers), rng, supplier_pks[supplier_index], leaf, started, item=one)
        offers.append(first)
        copies = rng.randint(1, 4) if rng.random() < SAME_ITEM_SHARE else 0
        for _ in range(copies):
            reseller = supplier_pks[rng.choice(same_top)]
            offers.append(_offer(i + len(offers), rng, reseller, leaf, started, item=_resold(one, first, rng, top)))
    return offers


def _resold(item: Item, first: SandboxOffer, rng: random.Random, top: int) -> Item:
    """The item as a reseller lists it: an edited photo, maybe another unit of the same meaning, attributes
    sometimes left out (then the size goes into the title); the title and options are drawn afresh."""
    units = [u for u in TOP_CATEGORIES[top][4] if u[1] == first.unit_en]
    keeps = rng.random() < 0.85
    return replace(item, edit=rng.randint(1, len(images.RESELLER_EDITS) - 1), price=float(first.base_price),
                   unit=rng.choice(units) if units else (first.unit, first.unit_en), line_attributes=keeps,
                   size_in_title=item.size_in_title or not keeps)  # fmt: skip


PACK_UNITS = ("箱", "盒")


def pack_attribute(unit: str, i: int) -> list[list[str]]:
    """Offers sold by the carton or box say how many pieces one holds, as 1688 sellers do in the attributes."""
    if unit not in PACK_UNITS:
        return []
    n = (6, 12, 24, 48)[i % 4]
    return [["包装数量", "Pieces per pack", f"{n}个", f"{n} pcs"]]


def _single_offers(i, rng, _groups, supplier_pks, supplier_tops, leaves_by_top, started) -> list[SandboxOffer]:
    """One offer and no same-item truth (same_items=False): the catalog as before issue 22, offer for offer, where
    every IMAGES_PER_FAMILY offers in a row share a composition (near-duplicates for image search)."""
    supplier_index = rng.randrange(len(supplier_pks))
    leaf = rng.choice(leaves_by_top[supplier_tops[supplier_index]])
    shot = i % IMAGES_PER_FAMILY
    item = Item(group=None, family=i // IMAGES_PER_FAMILY, size=("", ""), colour=("", ""), line_attributes=False,
                shots=(shot, shot + IMAGES_PER_FAMILY))  # fmt: skip
    return [_offer(i, rng, supplier_pks[supplier_index], leaf, started, item=item)]


def build_catalog(*, offers: int = 5000, seed: int = 1688, progress=None, same_items: bool = False) -> int:
    """Replace the catalog with `offers` generated offers; returns how many were written.

    same_items: make same-item groups, resellers and look-alikes with their truth (the demo's `sandbox_seed`,
    bench/same_item.py); off, the catalog is the one the tests' word counts were written against."""
    rng = random.Random(seed)
    leaves = list(_leaves())
    started = datetime(2026, 11, 1, tzinfo=UTC)
    batch = 2000
    with transaction.atomic():
        SandboxOffer.objects.all().delete()
        SandboxSupplier.objects.all().delete()
        SandboxCategory.objects.all().delete()
        SandboxCategory.objects.bulk_create(sorted(categories(), key=lambda c: c.level))
        supplier_count = max(1, -(-offers // OFFERS_PER_SUPPLIER))
        # Each supplier sells within one top category, like real 1688 shops.
        supplier_tops = [rng.randrange(len(TOP_CATEGORIES)) for _ in range(supplier_count)]
        suppliers = [_supplier(i, rng, top) for i, top in enumerate(supplier_tops)]
        for start in range(0, len(suppliers), batch):
            SandboxSupplier.objects.bulk_create(suppliers[start : start + batch])
        supplier_pks = list(SandboxSupplier.objects.order_by("pk").values_list("pk", flat=True))
        leaves_by_top = {}
        for leaf in leaves:
            leaves_by_top.setdefault(leaf[0], []).append(leaf)
        written, groups = 0, iter(range(1, 10**9))
        while written < offers:
            chunk = []
            while len(chunk) < batch and written + len(chunk) < offers:
                chunk += (_item_offers if same_items else _single_offers)(
                    written + len(chunk), rng, groups, supplier_pks, supplier_tops, leaves_by_top, started
                )
            chunk = chunk[: offers - written]
            SandboxOffer.objects.bulk_create(chunk)
            written += len(chunk)
            if progress:
                progress(written, offers)
    return written


def drift(offer: SandboxOffer, period_seconds: int, now: datetime | None = None) -> tuple[Decimal, int]:
    """The offer's price and stock right now: they move a few percent each period."""
    bucket = int((now or datetime.now(UTC)).timestamp()) // max(1, period_seconds)
    h = int(hashlib.sha256(f"{offer.offer_id}:{bucket}".encode()).hexdigest()[:8], 16)
    factor = Decimal(1) + (Decimal(h % 1001) - 500) / Decimal(10000)  # within ±5 %
    price = (offer.base_price * factor).quantize(Decimal("0.01"))
    stock = 0 if is_sold_out(offer) else 50 + (h >> 12) % 20000
    return max(price, Decimal("0.01")), stock


SOLD_OUT_EVERY = 41  # about one offer in 41 has nothing on sale, so "out of stock" shows up


def is_sold_out(offer: SandboxOffer) -> bool:
    return offer.offer_id % SOLD_OUT_EVERY == 0


def sales_count(offer: SandboxOffer) -> int:
    """All-time sales (queryProductDetail's `soldOut`), at least a month's worth."""
    return offer.month_sold * (3 + offer.offer_id % 20) + offer.offer_id % 97


def quote_type(offer: SandboxOffer) -> int:
    """1688's quoteType: 0 no SKUs; 1 priced per SKU; 2 SKUs priced together by quantity."""
    if not offer.sku_axes:
        return 0
    return 2 if len(offer.price_tiers) > 1 else 1


def shipping_guarantee(offer: SandboxOffer) -> str:
    return "shipIn24Hours" if offer.offer_id % 3 == 0 else "shipIn48Hours"


def tier_prices(offer: SandboxOffer, price: Decimal) -> list[tuple[int, Decimal]]:
    return [
        (int(start), (price * Decimal(str(factor))).quantize(Decimal("0.01"))) for start, factor in offer.price_tiers
    ]
