"""Alerts: each fires once per crossing and re-arms when the value crosses back (driven through the catalog's
upsert service), the bell and notifications page, e-mail right away or in a daily digest claimed once,
"Watch", alerts on list items, team privacy (carol gets 404), roles and hostile thresholds."""

from decimal import Decimal

import pytest
from django.core import mail

from sourcing.alerts import services as services
from sourcing.alerts.models import Alert, AlertSettings, Notification

pytestmark = pytest.mark.django_db
D = Decimal
FLASK = 800001  # stored at ¥12.50 (SKUs ¥12.50 and ¥13.50), stock 5000 (see tests/lists/conftest.py)


def flask_answer(answer, *, price="12.50", stock=5000, status="published", tiers=None):
    """1688 answers for the flask: by default one price from the minimum order up (what an alert with no list
    item watches: the price at the minimum order)."""
    from sourcing.alibaba.api import PriceTier

    tiers = tiers if tiers is not None else [PriceTier(2, D(price))]
    return answer(FLASK, subject="不锈钢保温杯 500ml", price=price, stock=stock, status=status, tiers=tiers,
                  quote_type=0)  # fmt: skip


def test_a_price_alert_fires_once_per_crossing_and_re_arms(client, alice, products, answer):
    flask = products[0]
    client.force_login(alice)
    # given alice's alert "price drops below ¥11.00" on the flask at ¥12.50
    response = client.post("/alerts/", {"offer": FLASK, "kind": "price_below", "threshold": "11.00"})
    assert response.status_code == 302
    alert = Alert.objects.get()
    assert alert.armed and alert.product == flask
    # when 1688 answers ¥10.00: it fires once, with a notification and an e-mail
    flask_answer(answer, price="10.00")
    assert Notification.objects.filter(user=alice).count() == 1
    assert len(mail.outbox) == 1 and "¥10.00" in mail.outbox[0].body and mail.outbox[0].to == ["alice@example.com"]
    # still below (¥9.50): no second notification
    flask_answer(answer, price="9.50")
    assert Notification.objects.count() == 1 and len(mail.outbox) == 1
    # back above (¥12.00) re-arms without a word; below again (¥10.50) fires the second time
    flask_answer(answer, price="12.00")
    alert.refresh_from_db()
    assert alert.armed and Notification.objects.count() == 1
    flask_answer(answer, price="10.50")
    alert.refresh_from_db()
    assert Notification.objects.count() == 2 and alert.fired_count == 2 and not alert.armed
    assert "¥10.50" in Notification.objects.first().text
    # a second evaluation of the same state (another worker, the same change) fires nothing
    assert services.alerts_evaluate(product_ids=[flask.pk]) == 0
    assert Notification.objects.count() == 2


def test_stock_and_delisting_alerts(client, alice, products, answer):
    flask = products[0]
    for kind in ("out_of_stock", "back_in_stock", "delisted", "price_above"):
        services.alert_create(actor=alice, team=alice.current_team, product=flask, kind=kind,
                              threshold=D("20") if kind == "price_above" else None)  # fmt: skip
    # in stock now: "back in stock" waits for a sell-out first
    assert not Alert.objects.get(kind="back_in_stock").armed
    flask_answer(answer, stock=0)
    texts = list(Notification.objects.values_list("text", flat=True))
    assert len(texts) == 1 and "out of stock" in texts[0]
    flask_answer(answer, stock=40)
    assert Notification.objects.count() == 2 and "back in stock (40)" in Notification.objects.first().text
    flask_answer(answer, stock=40, status="delisted")
    assert Notification.objects.count() == 3 and "taken off 1688" in Notification.objects.first().text
    flask_answer(answer, stock=40, status="delisted")  # still delisted: nothing new
    flask_answer(answer, price="25.00", stock=40)  # listed again (re-arms "delisted") and above ¥20
    assert Notification.objects.count() == 4 and "above your ¥20" in Notification.objects.first().text
    assert Alert.objects.get(kind="delisted").armed


def test_the_bell_counts_unread_and_the_page_marks_them_read(client, alice, bob, products, answer):
    client.force_login(bob)
    client.post("/alerts/", {"offer": FLASK, "kind": "price_below", "threshold": "11", "notify_team": "on"})
    flask_answer(answer, price="10.00")
    # the whole team hears it: one notification each
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"alice", "bob"}
    home = client.get("/").content.decode()
    assert '<span class="bell-count">1</span>' in home
    page = client.get("/notifications/").content.decode()
    assert "below your ¥11.00" in page and "new" in page
    assert 'class="bell-count"' not in client.get("/").content.decode()
    assert Notification.objects.get(user=alice).read_at is None  # alice's own stays unread


def test_daily_digest_is_claimed_once(client, alice, products, answer, settings):
    settings.ALERTS_DIGEST_HOUR = 0
    client.force_login(alice)
    assert client.post("/notifications/", {"delivery": "daily"}).status_code == 302
    assert AlertSettings.objects.get(user=alice).delivery == "daily"
    services.alert_create(actor=alice, team=alice.current_team, product=products[0], kind="price_below",
                          threshold=D("11"))  # fmt: skip
    flask_answer(answer, price="10.00")
    flask_answer(answer, price="12.00")
    flask_answer(answer, price="10.20")
    assert Notification.objects.count() == 2 and mail.outbox == []  # no immediate mail on the digest
    assert services.digests_due() == [alice.pk]
    # two beats (or workers) race for today's digest: one mail holding both alerts
    assert services.digest_send(user_id=alice.pk) == 2
    assert services.digest_send(user_id=alice.pk) == 0
    assert len(mail.outbox) == 1 and "¥10.00" in mail.outbox[0].body and "¥10.20" in mail.outbox[0].body
    assert services.digests_due() == []
    # "off": the bell only
    client.post("/notifications/", {"delivery": "off"})
    flask_answer(answer, price="12.00")
    flask_answer(answer, price="10.00")
    assert Notification.objects.count() == 3 and len(mail.outbox) == 1


def test_an_immediate_email_is_sent_once(alice, products, answer):
    services.alert_create(actor=alice, team=alice.current_team, product=products[0], kind="out_of_stock")
    flask_answer(answer, stock=0)
    note = Notification.objects.get()
    assert len(mail.outbox) == 1
    assert services.notification_email_send(notification_id=note.pk) is False  # a second delivery of the task
    assert len(mail.outbox) == 1


def test_alerts_reach_each_reader_in_the_language_they_chose(client, alice, bob, products, answer, settings):
    """Workers run in English; what they write to a user follows the user's last language choice."""
    settings.ALERTS_DIGEST_HOUR = 0
    client.force_login(bob)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})  # bob picks 简体中文 in the menu
    bob.refresh_from_db()
    assert bob.language == "zh-hans"
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})  # not a language of the portal: kept as it was
    bob.refresh_from_db()
    assert bob.language == "zh-hans"
    services.alert_create(actor=alice, team=alice.current_team, product=products[0], kind="out_of_stock",
                          notify_team=True)  # fmt: skip
    flask_answer(answer, stock=0)
    by_user = {n.user_id: n.text for n in Notification.objects.all()}
    assert by_user[alice.pk] == "“不锈钢保温杯 500ml” is out of stock."
    assert by_user[bob.pk] == "“不锈钢保温杯 500ml” 已缺货。"
    mails = {m.to[0]: m for m in mail.outbox}
    assert mails["alice@example.com"].subject.startswith("Alert: ")
    assert (
        mails["bob@example.com"].subject.startswith("提醒：")
        and "“不锈钢保温杯 500ml” 已缺货。" in mails["bob@example.com"].body
    )


def test_logging_in_with_a_chinese_browser_remembers_chinese(client, bob):
    client.post(
        "/accounts/login/", {"username": "bob", "password": "sourcing-demo"}, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9"
    )
    bob.refresh_from_db()
    assert bob.language == "zh-hans"


def test_watch_from_the_product_page(client, bob, products, answer):
    client.force_login(bob)
    page = client.get(f"/products/{FLASK}/").content.decode()
    assert "Watch" in page and 'class="bell' in page
    assert client.post("/alerts/watch/", {"offer": FLASK}).status_code == 302
    client.post("/alerts/watch/", {"offer": FLASK})  # twice: still four alerts
    kinds = sorted(Alert.objects.values_list("kind", flat=True))
    assert kinds == ["back_in_stock", "delisted", "out_of_stock", "same_cheaper"]
    assert "Watching · stop" in client.get(f"/products/{FLASK}/").content.decode()
    flask_answer(answer, stock=0)
    assert Notification.objects.filter(user=bob).count() == 1
    client.post("/alerts/watch/", {"offer": FLASK, "action": "unwatch"})
    assert not Alert.objects.exists()


def test_an_alert_on_a_list_item_watches_its_sku(client, alice, kitchen, products, answer):
    mug = products[2]
    item = kitchen.items.get(product=mug)  # the black mug at ¥7.00
    client.force_login(alice)
    list_page = client.get(f"/lists/{kitchen.pk}/").content.decode()
    assert f"/alerts/?item={item.pk}" in list_page
    form = client.get(f"/alerts/?item={item.pk}").content.decode()
    assert "Spring kitchen range" in form
    client.post("/alerts/", {"item": item.pk, "kind": "price_below", "threshold": "6.50", "next": "/lists/"})
    alert = Alert.objects.get()
    assert alert.list_item == item and alert.sku == item.sku and alert.armed
    # the mug's white option drops to ¥6.00 (already so): the black one stays ¥7.00 → nothing
    answer(800003, subject="陶瓷马克杯", price="6.00", moq=10, stock=300, tiers=[], seller="BBBseller0000000000000003",
           company="潮州陶瓷厂", place="广东省 潮州市", quote_type=1)  # fmt: skip
    assert not Notification.objects.exists()
    answer(800003, subject="陶瓷马克杯", price="5.00", moq=10, stock=300, tiers=[], seller="BBBseller0000000000000003",
           company="潮州陶瓷厂", place="广东省 潮州市", quote_type=1)  # black: ¥6.00 < ¥6.50  # fmt: skip
    assert Notification.objects.count() == 1 and "黑色" in Notification.objects.get().text


def test_carol_gets_404_for_every_acme_alert_and_notification(client, alice, carol, kitchen, products, answer):
    item = kitchen.items.first()
    alert = services.alert_create(actor=alice, team=alice.current_team, product=products[0], kind="out_of_stock")
    flask_answer(answer, stock=0)
    note = Notification.objects.get()
    client.force_login(carol)
    assert client.post(f"/alerts/{alert.pk}/delete/").status_code == 404
    assert client.get(f"/notifications/{note.pk}/").status_code == 404
    assert client.get(f"/alerts/?item={item.pk}").status_code == 404
    assert client.post("/alerts/", {"item": item.pk, "kind": "out_of_stock"}).status_code == 404
    assert "不锈钢保温杯" not in client.get("/alerts/").content.decode()
    assert "out of stock" not in client.get("/notifications/").content.decode()
    assert Alert.objects.filter(pk=alert.pk).exists() and Notification.objects.get().read_at is None
    # a notification belongs to its recipient only, even inside the team
    client.force_login(alice)
    assert client.get(f"/notifications/{note.pk}/").status_code == 302


def test_viewers_see_alerts_but_cannot_set_them(client, alice, dave, products):
    services.alert_create(actor=alice, team=alice.current_team, product=products[0], kind="delisted")
    client.force_login(dave)
    page = client.get("/alerts/")
    assert page.status_code == 200 and "不锈钢保温杯" in page.content.decode()
    assert client.post("/alerts/", {"offer": FLASK, "kind": "delisted"}).status_code == 403
    assert client.post("/alerts/watch/", {"offer": FLASK}).status_code == 403
    assert client.post(f"/alerts/{Alert.objects.get().pk}/delete/").status_code == 403
    assert Alert.objects.count() == 1


@pytest.mark.parametrize(
    ("threshold", "words"),
    [("NaN", "Enter an amount in yuan"), ("²", "Enter an amount in yuan"), ("-1", "be below ¥0."),
     ("1e20", "Enter at most ¥1,000,000."), ("99999999999999999999", "Enter at most ¥1,000,000."),
     ("", "A price alert needs a price")],
)  # fmt: skip
def test_hostile_thresholds_get_form_errors(client, alice, products, threshold, words):
    client.force_login(alice)
    response = client.post("/alerts/", {"offer": FLASK, "kind": "price_above", "threshold": threshold})
    assert response.status_code == 400 and words in response.content.decode()
    assert not Alert.objects.exists()


def test_hostile_targets_are_404_and_bad_kinds_400(client, alice, products):
    client.force_login(alice)
    for offer in ("²", "NaN", "-1", "99999999999999999999999"):
        assert client.post("/alerts/", {"offer": offer, "kind": "delisted"}).status_code == 404
        assert client.post("/alerts/watch/", {"offer": offer}).status_code == 404
    assert client.get("/alerts/?item=%C2%B2").status_code == 404
    assert client.post("/alerts/", {"offer": FLASK, "kind": "x" * 10_000}).status_code == 400
    assert client.post("/notifications/", {"delivery": "hourly"}).status_code == 400


def test_an_alert_on_a_list_item_watches_the_price_at_its_target_quantity(alice, kitchen, products, answer):
    from sourcing.alibaba.api import PriceTier

    flask = products[0]
    item = kitchen.items.get(product=flask)  # the flask at 500: the 100+ tier
    services.alert_create(actor=alice, team=alice.current_team, product=flask, kind="price_below",
                          threshold=D("12.00"), list_item=item)  # fmt: skip
    # the price at the minimum order falls below ¥12.00, but not the tier the list buys at: nothing
    flask_answer(answer, price="12.50", tiers=[PriceTier(2, D("11.50")), PriceTier(100, D("12.50"))])
    assert not Notification.objects.exists()
    # the 100+ tier falls to ¥11.80: the alert fires, naming that price
    flask_answer(answer, price="11.80", tiers=[PriceTier(2, D("14.50")), PriceTier(100, D("11.80"))])
    assert Notification.objects.count() == 1 and "¥11.80" in Notification.objects.get().text
