"""A team has one list of each name (case and spaces ignored): the forms say so on the name, the database
refuses a second one however it is written, older duplicates are renamed "name (2)" by the migration, and a
list made from one result card's menu shows in every card's menu on the page at once."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from sourcing.lists import services as services
from sourcing.lists.models import ProductList
from tests.lists.conftest import body

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def test_the_lists_page_refuses_a_second_list_of_the_same_name_on_the_form(client, bob, kitchen):
    client.force_login(bob)
    response = client.post("/lists/", {"name": "  spring   KITCHEN range ", "description": "again"})
    assert response.status_code == 400
    page = body(response)
    assert "Your team already has a list named “Spring kitchen range”." in page
    assert "KITCHEN range" in page  # what she typed stays in the form to change
    assert ProductList.objects.count() == 1


def test_renaming_onto_another_list_is_refused_but_a_list_keeps_its_own_name(client, bob, kitchen):
    client.force_login(bob)
    gifts = services.list_create(actor=bob, team=kitchen.team, name="Gifts")
    response = client.post(f"/lists/{gifts.pk}/edit/", {"name": "SPRING KITCHEN RANGE", "description": ""})
    assert response.status_code == 400 and "already has a list named “Spring kitchen range”" in body(response)
    gifts.refresh_from_db()
    assert gifts.name == "Gifts"
    response = client.post(f"/lists/{kitchen.pk}/edit/", {"name": "Spring Kitchen Range", "description": "x"})
    assert response.status_code == 302  # a list may change the case of its own name
    kitchen.refresh_from_db()
    assert kitchen.name == "Spring Kitchen Range"


def test_other_teams_and_copies_are_not_blocked(client, bob, carol, kitchen):
    # another team may use the name
    services.list_create(actor=carol, team=carol.current_team, name="Spring kitchen range")
    # copying twice without a name gives the next free number instead of a refusal
    client.force_login(bob)
    client.post(f"/lists/{kitchen.pk}/copy/")
    client.post(f"/lists/{kitchen.pk}/copy/")
    names = set(ProductList.objects.filter(team=kitchen.team).values_list("name", flat=True))
    assert names == {"Spring kitchen range", "Copy of Spring kitchen range", "Copy of Spring kitchen range (2)"}
    response = client.post(f"/lists/{kitchen.pk}/copy/", {"name": "copy of spring kitchen range"})
    assert response.status_code == 400 and "already has a list named" in body(response)


def test_the_database_refuses_a_duplicate_written_around_the_service(bob, kitchen):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductList.objects.create(team=kitchen.team, name="SPRING  kitchen range")
    gifts = ProductList.objects.create(team=kitchen.team, name="Gifts")
    with pytest.raises(IntegrityError), transaction.atomic():
        services.ProductList.objects.filter(pk=gifts.pk).update(name_key=kitchen.name_key)


def test_a_new_list_from_a_card_is_refused_when_taken_and_sent_to_every_card_when_new(client, bob, kitchen, products):
    flask, glass, mug = products
    client.force_login(bob)
    taken = client.post("/lists/add/", {"offer_id": glass.offer_id, "where": "card",
                                        "new_list_name": "spring kitchen range"}, headers=HTMX)  # fmt: skip
    assert taken.status_code == 400
    assert "Your team already has a list named “Spring kitchen range”." in body(taken)
    assert ProductList.objects.count() == 1
    answer = body(client.post("/lists/add/", {"offer_id": glass.offer_id, "where": "card",
                                              "new_list_name": "Gifts"}, headers=HTMX))  # fmt: skip
    gifts = ProductList.objects.get(name="Gifts")
    # the card's own menu, and a button for every other card's menu (htmx swaps it out of band)
    oob = answer[answer.index('hx-swap-oob="afterbegin:form.save-picks"') :]
    assert f'name="list" value="{gifts.pk}" class="save-pick">Gifts</button>' in oob
    # every card's menu has the form that button joins, even while the team had no list
    ProductList.objects.all().delete()
    page = body(client.get("/products/?q=杯"))
    assert page.count('class="save-picks"') >= 3


def test_the_migration_renames_older_duplicates(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate([("sourcing", "0013_quota_exhaustion")])
    old = executor.loader.project_state([("sourcing", "0013_quota_exhaustion")]).apps
    Team, OldList = old.get_model("sourcing", "Team"), old.get_model("sourcing", "ProductList")
    acme, globex = Team.objects.create(name="Acme"), Team.objects.create(name="Globex")
    first = OldList.objects.create(team=acme, name="Samples")
    second = OldList.objects.create(team=acme, name="samples ")
    third = OldList.objects.create(team=acme, name="SAMPLES")
    taken = OldList.objects.create(team=acme, name="Samples (2)")  # the number is skipped when already used
    elsewhere = OldList.objects.create(team=globex, name="samples")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    names = dict(ProductList.objects.values_list("pk", "name"))
    assert names[first.pk] == "Samples" and names[taken.pk] == "Samples (2)"
    assert {names[second.pk], names[third.pk]} == {"samples (3)", "SAMPLES (4)"}
    assert names[elsewhere.pk] == "samples"
