"""Create the demo cast and alice's connected sandbox app (safe to run again)."""

import contextlib
import io
import json
import random
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from sourcing.accounts.models import Membership, Team, User
from sourcing.alerts.models import Alert
from sourcing.alerts.services import alert_create, alerts_evaluate
from sourcing.alibaba import api as apis
from sourcing.alibaba.errors import TransientError
from sourcing.alibaba.oauth import parse_token_answer
from sourcing.catalog.models import CatalogJob, Category, PriceHistory, SearchQuery
from sourcing.catalog.pricing import price_at_quantity
from sourcing.catalog.services import categories as catalog_categories
from sourcing.catalog.services import fetch as catalog
from sourcing.catalog.services import offers as catalog_offers
from sourcing.connections.models import (
    ApiCallLog,
    ApiPermission,
    ApiPermissionChange,
    ApiUsage,
    AppCredential,
    ConnectionCheck,
)
from sourcing.connections.services.checks import check_start
from sourcing.connections.services.credentials import credential_create, credential_update
from sourcing.connections.services.permissions import permission_set_status
from sourcing.connections.services.tokens import callback_url, token_store
from sourcing.core.beijing import beijing_today
from sourcing.core.enqueue import enqueue
from sourcing.inquiries.models import Inquiry
from sourcing.inquiries.services import inquiry_create, inquiry_log_reply, inquiry_mark_sent
from sourcing.lists import services as list_services
from sourcing.lists.models import ExchangeRate, ListItem, ProductList
from sourcing.lists.selectors import item_quote
from sourcing.messages.services.catchup import messages_catch_up
from sourcing.orders.models import RateCard, ShipAddress
from sourcing.orders.services import addresses as address_services
from sourcing.orders.services import rates as rate_services

DEMO_PASSWORD = "sourcing-demo"
DEMO_APP_KEY, DEMO_APP_SECRET = "30051688", "demo-app-secret-5f1c2e9a"
DEMO_1688_LOGIN = "acme采购01"

# team, [(username, role, is_superuser)]
CAST = [
    ("Acme Sourcing", [("alice", Membership.Role.OWNER, True), ("bob", Membership.Role.BUYER, False)]),
    ("Globex Trading", [("carol", Membership.Role.OWNER, False)]),
]
S = ApiPermission.Status
PERMISSIONS = {
    apis.KEYWORD_SEARCH.id: (S.APPROVED, ""),
    apis.PRODUCT_DETAIL.id: (S.APPROVED, ""),
    apis.CATEGORY_GET.id: (S.APPROVED, ""),
    apis.CATEGORY_TRANSLATION.id: (S.APPROVED, ""),
    apis.SELLER_OFFERS.id: (S.APPROVED, ""),
    apis.SUPPLIER_INFO.id: (S.APPROVED, ""),
    apis.IMAGE_UPLOAD.id: (S.APPROVED, ""),
    apis.IMAGE_SEARCH.id: (S.APPROVED, ""),
    apis.PRODUCT_GET.id: (S.REJECTED, "需要支付宝企业认证 (Alipay enterprise verification required)"),
    apis.OPENUID_ENCRYPT.id: (S.UNDER_REVIEW, ""),
    apis.WANGWANG_URL.id: (S.APPROVED, ""),  # "Contact supplier" fetches the chat link through a worker
}
SANDBOX_GRANTS = [api_id for api_id, (status, _r) in PERMISSIONS.items() if status == S.APPROVED]
WARM_SEARCHES = ["保温杯", "手机壳", "laptop stand"]


class Command(BaseCommand):
    help = "Create or refresh the demo users, teams and alice's connected sandbox app (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--catalog-offers", type=int, default=5000, help="offers in a new sandbox catalog")

    def handle(self, *args, catalog_offers=5000, **options):
        # The sandbox is the "1688 side": its catalog is built through its own command, never its code.
        call_command("sandbox_seed", "--if-empty", "--offers", str(catalog_offers), stdout=io.StringIO())
        with transaction.atomic():
            users = self._cast()
        self._sandbox_app()
        credential = self._credential(users["alice"])
        queued = self._catalog(credential, users["alice"])
        queued += self._messages(credential)
        queued += demo_lists_start()
        queued += demo_market_start()
        self.stdout.write(self.style.SUCCESS(f"Demo users alice, bob, carol (password: {DEMO_PASSWORD}); alice's sandbox "
                                             f"app {DEMO_APP_KEY} is connected as {DEMO_1688_LOGIN} and shared with "
                                             f"{users['alice'].current_team}."))  # fmt: skip
        if queued:
            self.stdout.write(f"Queued for the worker: {', '.join(queued)}.")

    def _catalog(self, credential: AppCredential, alice: User) -> list[str]:
        """Share alice's app with Acme, have a worker confirm it, load categories and warm a few searches.

        Everything is queued: a worker that is not running yet does it when it starts (the checks first;
        catalog jobs wait for the key check they depend on).
        """
        credential_update(credential=credential, user=alice, shared_with_team=alice.current_team)
        queued = []
        credential.refresh_from_db()
        pending = ConnectionCheck.objects.filter(credential=credential, kind=ConnectionCheck.Kind.CREDENTIAL,
                                                 state__in=[ConnectionCheck.State.QUEUED, ConnectionCheck.State.RUNNING])  # fmt: skip
        if not credential.is_verified and not pending.exists():
            check_start(credential=credential, user=alice, kind=ConnectionCheck.Kind.CREDENTIAL)
            queued.append("the App Key check")
        if not Category.objects.filter(fetched_at__isnull=False).exists():
            if catalog_categories.category_tree_fetch_start(user=alice).job:
                queued.append("the category tree")
        for query in WARM_SEARCHES:
            if catalog.search_fetch_start(user=alice, query=query).job:
                queued.append(f"the search “{query}”")
        return queued

    def _cast(self) -> dict[str, User]:
        users = {}
        for team_name, members in CAST:
            team, _ = Team.objects.get_or_create(name=team_name)
            for username, role, superuser in members:
                user, _ = User.objects.get_or_create(username=username)
                user.email = f"{username}@example.com"
                user.is_staff = user.is_superuser = superuser
                user.set_password(DEMO_PASSWORD)
                user.current_team = team
                user.save()
                Membership.objects.update_or_create(user=user, team=team, defaults={"role": role})
                users[username] = user
        return users

    def _sandbox_app(self):
        # The sandbox is the "1688 side": reach it through its commands, never its code.
        args = ["--app-key", DEMO_APP_KEY, "--app-secret", DEMO_APP_SECRET, "--redirect-uri", callback_url(),
                "--name", "Acme 采购门户", "--owner", "alice", "--no-grant-all", "--qps", "10", "--daily-quota", "5000"]  # fmt: skip
        for api_id in SANDBOX_GRANTS + [ref.id for ref in apis.MESSAGE_APIS]:  # 1688 messages: follow, list, confirm
            args += ["--grant", api_id]
        for api_id in set(PERMISSIONS) - set(SANDBOX_GRANTS):
            args += ["--revoke", api_id]
        call_command("sandbox_app", *args, stdout=io.StringIO())

    def _messages(self, credential: AppCredential) -> list[str]:
        """1688 messages for alice's app: the sandbox app POSTs to its callback (every topic), and a first read of
        its message list (a worker) sets the feed up; beat then follows the watched offers."""
        hook = f"{settings.SITE_URL}{reverse('message_hook', args=[credential.pk])}"
        call_command("sandbox_app", "--app-key", DEMO_APP_KEY, "--message-callback", hook, "--all-topics",
                     stdout=io.StringIO())  # fmt: skip
        enqueue("messages_catchup", credential.pk)
        return ["the first read of 1688 messages"]

    def _credential(self, alice: User):
        credential = AppCredential.objects.filter(owner=alice, app_key=DEMO_APP_KEY).first()
        if credential is None:
            credential = credential_create(
                owner=alice, app_key=DEMO_APP_KEY, app_secret=DEMO_APP_SECRET, name="Acme sandbox app",
                account_type=AppCredential.AccountType.BUSINESS, gateway=AppCredential.Gateway.SANDBOX,
                callback_url=callback_url(), daily_quota=1000, qps=8,
            )  # fmt: skip
        out = io.StringIO()
        call_command("sandbox_token", "--app-key", DEMO_APP_KEY, "--login-id", DEMO_1688_LOGIN, stdout=out)
        token_store(credential=credential, tokens=parse_token_answer(json.loads(out.getvalue())), user=alice)
        for api_id, (status, reason) in PERMISSIONS.items():
            permission, _ = ApiPermission.objects.get_or_create(credential=credential, api=api_id)
            if permission.status != status:
                permission_set_status(permission=permission, status=S.PENDING, user=alice)
                if status != S.PENDING:
                    permission_set_status(permission=permission, status=status, user=alice, reason=reason)
        self._history(credential)
        return credential

    def _history(self, credential: AppCredential):
        """Three weeks of usage, and a few errors worth explaining on the status page."""
        if ApiUsage.objects.filter(app=credential.app_identity, day__lt=beijing_today()).exists():
            return
        rng = random.Random(1688)
        today = beijing_today()
        rows = []
        for days_ago in range(1, 22):
            day = today - timedelta(days=days_ago)
            weekday_factor = 0.5 if day.weekday() >= 5 else 1.0
            for api_id, base in [(apis.KEYWORD_SEARCH.id, 420), (apis.PRODUCT_DETAIL.id, 610), (apis.CATEGORY_GET.id, 35),
                                 (apis.SUPPLIER_INFO.id, 80)]:  # fmt: skip
                calls = int(base * weekday_factor * rng.uniform(0.6, 1.3))
                rows.append(ApiUsage(app=credential.app_identity, credential=credential, api=api_id, day=day, calls=min(calls, credential.daily_quota),
                                     errors=rng.randint(0, calls // 60), throttled=rng.randint(0, 3)))  # fmt: skip
        ApiUsage.objects.bulk_create(rows)
        now = timezone.now()
        ApiCallLog.objects.bulk_create([
            ApiCallLog(credential=credential, api=apis.OPENUID_ENCRYPT.id, at=now - timedelta(hours=5),
                       outcome=ApiCallLog.Outcome.ERROR, error_code="gw.APIACLDecline",
                       message="AppKey is not allowed(acl)", latency_ms=84),
            ApiCallLog(credential=credential, api=apis.KEYWORD_SEARCH.id, at=now - timedelta(days=2, hours=3),
                       outcome=ApiCallLog.Outcome.THROTTLED, error_code="gw.QosAppFrequencyLimit",
                       message="App call exceeds limited frequency", latency_ms=31),
        ])  # fmt: skip
        ApiPermissionChange.objects.filter(permission__credential=credential).update(changed_at=now - timedelta(days=3))


# --- team lists: Acme's "Spring kitchen range" (bob comments on it) and a Globex list of its own ---
# The items are offers the warm searches bring in: on a fresh install the worker fetches those after this
# command, so the lists are filled by a task that waits for them (demo_lists_fill), or at once when they exist.
ACME_LIST, GLOBEX_LIST = "Spring kitchen range", "Trade show giveaways"
# (status, target quantity, target price as a share of the quoted unit price, note); "below" = under the MOQ
ACME_PLAN = [
    ("shortlisted", 500, "0.90", "主推款 · lead item for the spring catalogue; ask for a quote with our logo printed."),
    ("sampling", 300, "0.95", "3 samples ordered, arriving next week. 样品3个，下周到。"),
    ("idea", 1000, None, "Cheaper option if the budget shrinks."),
    ("ordered", 200, "1.05", "PO A-1043 placed; delivery by the end of the month."),
    ("rejected", 120, "0.80", "Lid leaks in the sample — 盖子漏水."),
    ("shortlisted", "below", None, "Trial order below their minimum: will they accept it?"),
]
GLOBEX_PLAN = [
    ("shortlisted", 2000, "0.90", "Booth giveaway, printed with the Globex logo."),
    ("idea", 500, None, ""),
    ("sampling", 1000, "1.00", "Two colours to compare."),
]
BOB_COMMENT = "样品已到，做工不错；盖子密封还要再测一下。Samples arrived: good finish, the lid seal needs another test."
DEMO_RATES = [("USD", "0.1379", 30), ("USD", "0.1384", 2), ("EUR", "0.1268", 30), ("EUR", "0.1271", 2),
              ("GBP", "0.1092", 2)]  # (currency, units per ¥1, days ago)  # fmt: skip


DEMO_ADDRESSES = {
    "Acme Sourcing": {"label": "义乌仓 (顺达货代)", "contact_name": "张伟", "phone": "13957900001", "province": "浙江省",
                      "city": "金华市", "district": "义乌市", "street": "稠州北路1号3楼", "post_code": "322000"},
    "Globex Trading": {"label": "广州仓 (速达货代)", "contact_name": "李娜", "phone": "020-86123456",
                       "province": "广东省", "city": "广州市", "district": "白云区", "street": "机场路88号B栋",
                       "post_code": "510405"},
}  # fmt: skip


DEMO_RATE_CARDS = {  # landed cost: each team's forwarder lines, the first its default
    "Acme Sourcing": [
        {"forwarder": "顺达货代", "mode": "air", "destination": "Los Angeles (LAX)", "currency": "CNY",
         "price_per_kg": Decimal("38.00"), "volumetric_divisor": 6000, "min_charge": Decimal("300"),
         "per_parcel_fee": Decimal("15"), "transit_days_min": 7, "transit_days_max": 10, "notes": "含报关"},
        {"forwarder": "顺达货代", "mode": "sea", "destination": "Long Beach", "currency": "USD",
         "price_per_kg": Decimal("1.10"), "volumetric_divisor": 1000, "min_charge": Decimal("60"),
         "per_parcel_fee": Decimal("0"), "transit_days_min": 25, "transit_days_max": 35, "notes": "LCL 拼箱"},
    ],
    "Globex Trading": [
        {"forwarder": "速达货代", "mode": "rail", "destination": "Duisburg", "currency": "EUR",
         "price_per_kg": Decimal("2.40"), "volumetric_divisor": 3000, "min_charge": Decimal("50"),
         "per_parcel_fee": Decimal("3"), "transit_days_min": 18, "transit_days_max": 22, "notes": "中欧班列"},
    ],
}  # fmt: skip


def demo_lists_start() -> list[str]:
    """Rates, the teams' currencies and the two lists; fill them now, or queue a task that waits for the offers."""
    from sourcing import tasks

    today = timezone.localdate()
    alice = User.objects.filter(username="alice").first()
    for currency, rate, days_ago in DEMO_RATES:
        ExchangeRate.objects.get_or_create(currency=currency, date=today - timedelta(days=days_ago),
                                           defaults={"rate": Decimal(rate), "updated_by": alice})  # fmt: skip
    for team_name, owner, currency in [("Acme Sourcing", "alice", "USD"), ("Globex Trading", "carol", "EUR")]:
        team = Team.objects.get(name=team_name)
        if team.display_currency == "CNY":
            list_services.team_set_currency(actor=User.objects.get(username=owner), team=team, currency=currency)
        if not ShipAddress.objects.filter(team=team).exists():  # verified quotes need somewhere to ship to
            address_services.address_create(actor=User.objects.get(username=owner), team=team,
                                            **DEMO_ADDRESSES[team_name])  # fmt: skip
        if not RateCard.objects.filter(team=team).exists():  # landed cost needs a forwarder's prices
            for values in DEMO_RATE_CARDS[team_name]:
                rate_services.rate_card_create(actor=User.objects.get(username=owner), team=team, **values)
    if demo_lists_fill():
        return []
    tasks.demo_lists_fill.delay_on_commit()
    return ["the demo lists (once the warm searches have landed)"]


def _demo_list(team_name: str, owner: str, name: str, description: str) -> ProductList:
    team = Team.objects.get(name=team_name)
    found = ProductList.objects.filter(team=team, name=name).first()
    if found:
        return found
    return list_services.list_create(actor=User.objects.get(username=owner), team=team, name=name,
                                     description=description)  # fmt: skip


def _demo_products(query: str, user: User, count: int) -> list | None:
    """Offers for a demo list: the query's first, then the other warm searches' (a small sandbox catalog may hold
    only a few of one kind); None while the warm searches that bring them are still to land."""
    from sourcing.catalog.selectors.products import search_products

    products = []
    for word in [query] + [w for w in WARM_SEARCHES if w != query]:
        products += [p for p in search_products(word, user=user, limit=24).products if p not in products]
        if len(products) >= count:
            return products[:count]
    landed = SearchQuery.objects.filter(query__in=WARM_SEARCHES, fetched_at__isnull=False).count()
    return products if landed >= len(WARM_SEARCHES) else None


# The demo's market: the sandbox's sellers move two listed offers' prices three times (percent, in turn), and each
# change is fetched as a worker's refresh fetches it, so the product pages open with a price history that moves
# and alerts that have fired. The history's points are spread over the past days (days ago, oldest first).
DEMO_MOVES = [-6, 4, -9]
DEMO_MOVE_DAYS = [10, 7, 4, 1]  # the first fetch, then each move


def demo_market_start() -> list[str]:
    """Queue the demo's price moves (a worker runs them once the listed offers' details have landed)."""
    from sourcing import tasks

    if demo_market_done():
        return []
    tasks.demo_market_moves.delay_on_commit()
    return ["the demo's price moves and alerts"]


def _demo_market_items():
    kitchen = ProductList.objects.filter(team__name="Acme Sourcing", name=ACME_LIST).first()
    if kitchen is None:
        return None, []
    return kitchen, list(kitchen.items.select_related("product").order_by("position", "pk")[:2])


def demo_market_done() -> bool:
    _kitchen, items = _demo_market_items()
    return bool(items) and Alert.objects.filter(product__in=[i.product for i in items], fired_count__gt=0).exists()


def _demo_option(alice, item) -> None:
    """The first watched item is priced for its dearest option, so the list shows an option's own price."""
    dearest = item.product.skus.exclude(price=None).order_by("-price", "position").first()
    if item.sku_id is None and dearest is not None and item.product.skus.count() > 1:
        list_services.item_update(actor=alice, item=item, version=item.version, changes={"sku": dearest})


def _demo_quote(alice, item) -> None:
    """A supplier's quote, 8 % under today's listed price, logged on a replied inquiry: the list, compare and
    exports show it beside the listed price."""
    if Inquiry.objects.filter(product=item.product, team=item.product_list.team).exists():
        return
    quote = item_quote(item)
    quantity, listed = quote.quantity, quote.unit_price
    if listed is None:
        return
    inquiry = inquiry_create(actor=alice, team=item.product_list.team, product=item.product, quantity=quantity,
                             sku=item.sku, message="您好，请问 %s 件的最低价是多少？" % quantity)  # fmt: skip
    inquiry_mark_sent(actor=alice, inquiry=inquiry, at=timezone.now() - timedelta(days=3))
    inquiry_log_reply(actor=alice, inquiry=inquiry, replied_at=timezone.now() - timedelta(days=2),
                      quoted_price=(listed * Decimal("0.92")).quantize(Decimal("0.01")), quoted_lead_days=7,
                      notes="可以按这个价格做，含logo印刷。")  # fmt: skip


def demo_market_moves() -> bool:
    """Alerts on two of Acme's listed offers, then three price moves by their sandbox sellers, each fetched through
    the worker's detail fetch and its alert evaluation; False while the offers' details are still to land."""
    kitchen, items = _demo_market_items()
    if kitchen is None or len(items) < 2 or any(i.product.detail_fetched_at is None for i in items):
        return False
    if demo_market_done():
        return True
    alice = User.objects.get(username="alice")
    credential = AppCredential.objects.filter(owner=alice, app_key=DEMO_APP_KEY).first()
    _demo_option(alice, items[0])
    items = [ListItem.objects.select_related("product", "sku").get(pk=i.pk) for i in items]
    for item in items:
        product = item.product
        PriceHistory.objects.filter(product=product).update(at=timezone.now() - timedelta(days=DEMO_MOVE_DAYS[0]))
        # the price the alert watches: the item's option at its quantity (what the list shows)
        price = item_quote(item).unit_price
        if price is not None and not Alert.objects.filter(product=product, team=kitchen.team).exists():
            # "tell me when it drops more than 3 %": the first cut fires it, the rise re-arms it, the next cut fires it
            alert_create(actor=alice, team=kitchen.team, product=product, kind=Alert.Kind.PRICE_BELOW,
                         threshold=(price * Decimal("0.97")).quantize(Decimal("0.01")), list_item=item,
                         notify_team=True)  # fmt: skip
    for step, percent in enumerate(DEMO_MOVES, start=1):
        for item in items:
            offer_id = item.product.offer_id
            call_command(
                "sandbox_move_price", "--offer", str(offer_id), "--percent", str(percent), stdout=io.StringIO()
            )
            # what the catalog_product_fetch task does with a refresh job, without the broker in between
            job = catalog._job_create(kind=CatalogJob.Kind.PRODUCT, target=str(offer_id), user=alice,
                                      team=kitchen.team, credential=credential, total=1, params={"force": True})  # fmt: skip
            catalog_offers.product_fetch_run(job_id=job.pk)
            alerts_evaluate(product_ids=[item.product_id])  # the alerts_evaluate task the fetch queued, here and now
            latest = PriceHistory.objects.filter(product_id=item.product_id).order_by("-at", "-pk").first()
            if latest is not None and latest.at > timezone.now() - timedelta(minutes=5):
                PriceHistory.objects.filter(pk=latest.pk).update(
                    at=timezone.now() - timedelta(days=DEMO_MOVE_DAYS[step])
                )
    _demo_quote(alice, ListItem.objects.select_related("product", "sku", "product_list").get(pk=items[1].pk))
    # 1688 messages start now, not at beat's next runs: a first read of the message list sets the feed up (the one
    # queued by `handle` may have run before 1688 confirmed the credential), then the watched offers are followed
    if credential is not None:
        with contextlib.suppress(TransientError):  # beat's hourly catch-up tries again
            messages_catch_up(credential_id=credential.pk)
    enqueue("messages_follow_sync")
    return True


def demo_lists_fill() -> bool:
    """Fill the demo lists that are still empty; False while their offers aren't in the catalog yet."""
    users = {u.username: u for u in User.objects.filter(username__in=["alice", "bob", "carol"])}
    if len(users) < 3:
        return True  # not the demo cast: nothing to fill
    waiting = False
    plans = [
        ("Acme Sourcing", "alice", ACME_LIST, "Kettles, flasks and cups for the spring catalogue. 春季厨房系列。",
         "保温杯", ACME_PLAN),
        ("Globex Trading", "carol", GLOBEX_LIST, "Small branded items for the autumn trade show.", "手机壳",
         GLOBEX_PLAN),
    ]  # fmt: skip
    for team_name, owner, name, description, query, plan in plans:
        product_list = _demo_list(team_name, owner, name, description)
        if product_list.items.exists():
            continue
        products = _demo_products(query, users["alice"], len(plan))
        if products is None:
            waiting = True
            continue
        actor = users[owner]
        for product, (status, quantity, price, note) in zip(products, plan, strict=False):
            if quantity == "below":
                quantity = max(1, (product.moq or 2) // 2)
            unit = price_at_quantity(product, quantity).unit_price
            target = (unit * Decimal(price)).quantize(Decimal("0.01")) if price and unit else None
            item, _created = list_services.item_add(
                actor=actor, product_list=product_list, product=product, target_quantity=quantity,
                target_price=target, note=note,
            )  # fmt: skip
            # bob moves the sample along and comments on it, as a buyer does
            mover = users["bob"] if team_name == "Acme Sourcing" and status == "sampling" else actor
            list_services.item_set_status(actor=mover, item=item, status=status)
            if mover is users["bob"]:
                list_services.comment_add(actor=users["bob"], item=item, text=BOB_COMMENT)
            if product.detail_fetched_at is None:  # carol has no 1688 app: alice's fetch serves every team
                catalog_offers.product_fetch_start(user=users["alice"], offer_id=product.offer_id)
    return not waiting
