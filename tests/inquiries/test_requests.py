"""One request to many suppliers (issue 22 item 3): sent from a list to each ticked item's supplier as its own
inquiry with the questions in Chinese; replies logged as fields; the answers side by side with what is still
missing, in compare, on the list item; team privacy (404), roles (viewers 403) and hostile input (never a 500)."""

import pytest

from sourcing.inquiries.models import Inquiry, SupplierRequest
from tests.lists.conftest import text

pytestmark = pytest.mark.django_db

QUESTIONS = ["moq", "price", "lead", "sample", "packing", "custom"]


def send(client, kitchen, items, **fields):
    data = {"item": [i.pk for i in items], "quantity": "500", "target_price": "10.50", "options": "黑色, 印LOGO",
            "questions": QUESTIONS, "language": "zh"}  # fmt: skip
    data.update(fields)
    return client.post(f"/lists/{kitchen.pk}/request/", data)


def reply(client, inquiry, **fields):
    client.post(f"/inquiries/{inquiry.pk}/sent/")
    return client.post(f"/inquiries/{inquiry.pk}/reply/", fields)


def test_one_request_reaches_three_suppliers_and_their_answers_line_up(client, bob, kitchen):
    items = list(kitchen.items.order_by("pk"))
    client.force_login(bob)
    # given the list page, the ticked items go to the request form
    form = client.get(f"/lists/{kitchen.pk}/request/", {"item": [i.pk for i in items]})
    assert form.status_code == 200 and "Ask several suppliers" in text(form) and "保温杯" in text(form)
    # when bob sends one request to the three suppliers
    response = send(client, kitchen, items)
    request = SupplierRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/requests/{request.pk}/"
    inquiries = list(request.inquiries.order_by("pk"))
    # then each supplier has its own inquiry, in Chinese, naming the offer, quantity, target and every question
    assert [i.product_id for i in inquiries] == [i.product_id for i in items]
    message = inquiries[0].message
    assert "采购数量：500个" in message and "目标价格" in message and "要求：黑色, 印LOGO" in message
    for words in ("起订量是多少", "采购500个的单价", "交货期", "样品价格", "包装方式", "可以定制吗"):
        assert words in message
    assert inquiries[2].sku_label == "黑色"  # the item's option travels with it
    # when two suppliers answer (the third stays silent)
    flask_inquiry, glass_inquiry, mug_inquiry = inquiries
    answered = reply(client, flask_inquiry, quoted_price="10.80", quoted_moq="300", quoted_lead_days="15",
                     sample_price="50", sample_days="7", packing="每箱50个，60×40×40cm", customisable="yes",
                     customisation="可印LOGO，500个起")  # fmt: skip
    assert answered.status_code == 302 and answered["Location"] == f"/requests/{request.pk}/"
    reply(client, glass_inquiry, quoted_price="9.20", quoted_lead_days="20", customisable="no")
    flask_inquiry.refresh_from_db()
    assert (flask_inquiry.quoted_moq, str(flask_inquiry.sample_price), flask_inquiry.sample_days) == (300, "50.00", 7)
    assert flask_inquiry.customisable is True and flask_inquiry.replied_at is not None
    # then the answers table shows them side by side, and what each has not answered yet
    page = text(client.get(f"/requests/{request.pk}/"))
    assert "2 of 3 suppliers answered" in page
    assert "¥10.80" in page and "¥9.20" in page and "每箱50个" in page and "可印LOGO" in page
    assert "Minimum order, Sample price and time, Packing" in page  # the glass's supplier has not said these
    assert "everything ✓" in page  # the flask's supplier answered all
    # and compare and the list show the answers beside the offer
    compare = text(client.get(f"/lists/{kitchen.pk}/compare/", {"item": [i.pk for i in items]}))
    assert "Supplier's answers" in compare and "MOQ 300" in compare and "lead time 15 days" in compare
    assert "not customisable" in compare and "quoted ¥10.80 at 500" in compare
    listing = text(client.get(f"/lists/{kitchen.pk}/"))
    assert "Answered: MOQ 300" in listing
    assert f"/requests/{request.pk}/" in client.get("/inquiries/").content.decode()  # the team's requests
    item_page = text(client.get(f"/lists/items/{items[0].pk}/"))
    assert "Answered: MOQ 300" in item_page and "sample ¥50.00 · 7 days" in item_page
    assert mug_inquiry.replied_at is None


def test_replies_refuse_hostile_numbers_and_text_in_words(client, bob, kitchen):
    items = list(kitchen.items.order_by("pk"))
    client.force_login(bob)
    send(client, kitchen, items[:2])
    inquiry = Inquiry.objects.filter(request__isnull=False).order_by("pk").first()
    client.post(f"/inquiries/{inquiry.pk}/sent/")
    cases = [
        ({"sample_price": "5²"}, "Enter an amount in yuan"),
        ({"sample_price": "NaN"}, "Enter an amount in yuan"),
        ({"sample_price": "-3"}, "below ¥0"),
        ({"quoted_moq": "99999999999999999999999"}, "at most 10,000,000"),
        ({"sample_days": "-1"}, "0 days or more"),
        ({"sample_days": "1e9"}, "whole number of days"),
        ({"packing": "箱" * 10_000}, "500 characters"),
        ({"customisation": "x" * 10_000}, "500 characters"),
        ({"customisable": "maybe"}, "Pick yes, no"),
    ]
    for fields, words in cases:
        response = client.post(f"/inquiries/{inquiry.pk}/reply/", fields)
        assert response.status_code == 400 and words in text(response), fields
    inquiry.refresh_from_db()
    assert inquiry.replied_at is None and inquiry.packing == "" and inquiry.sample_price is None


def test_the_request_form_refuses_hostile_input_and_writes_nothing(client, bob, kitchen):
    items = list(kitchen.items.order_by("pk"))
    client.force_login(bob)
    cases = [
        ({"quantity": "5²"}, "whole number of pieces"),
        ({"quantity": "NaN"}, "whole number of pieces"),
        ({"quantity": "-5"}, "at least 1"),
        ({"quantity": "1" * 40}, "at most 10,000,000"),
        ({"quantity": ""}, "Enter the quantity you want to buy"),
        ({"target_price": "1e400"}, "¥1,000,000"),
        ({"options": "色" * 10_000}, "500 characters"),
        ({"note": "x" * 10_000}, "1000 characters"),
        ({"questions": []}, "Pick at least one question"),
        ({"questions": ["bribe"]}, "Pick questions from the list"),
        ({"language": "xx"}, "Pick Chinese or English"),
    ]
    for fields, words in cases:
        response = send(client, kitchen, items, **fields)
        assert response.status_code == 400 and words in text(response), fields
    # no item ticked (or only another list's): refused in words
    response = send(client, kitchen, [], item=["999999"])
    assert response.status_code == 400 and "Tick at least one item" in text(response)
    assert not SupplierRequest.objects.exists() and not Inquiry.objects.exists()


def test_other_teams_get_404_and_viewers_403(client, bob, carol, dave, kitchen):
    items = list(kitchen.items.order_by("pk"))
    client.force_login(bob)
    send(client, kitchen, items)
    request = SupplierRequest.objects.get()
    inquiry = request.inquiries.first()
    # a viewer reads the answers but can't send a request or log a reply
    client.force_login(dave)
    assert client.get(f"/requests/{request.pk}/").status_code == 200
    refused = send(client, kitchen, items)
    assert refused.status_code == 403 and "Viewers" in text(refused)
    assert client.post(f"/inquiries/{inquiry.pk}/reply/", {"packing": "x"}).status_code == 403
    # another team sees nothing
    client.force_login(carol)
    assert client.get(f"/requests/{request.pk}/").status_code == 404
    assert client.get(f"/lists/{kitchen.pk}/request/").status_code == 404
    assert send(client, kitchen, items).status_code == 404
    assert SupplierRequest.objects.count() == 1 and Inquiry.objects.count() == 3
