"""No GET spends 1688 quota (issue 18): pages show what is known and ask 1688 with their own follow-up POST,
only when opened from the portal; a link from elsewhere gets a button. Forced refreshes have a floor per offer
shared by everyone, and a per-user rate."""

import re
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from sourcing.accounts.models import Membership
from sourcing.catalog.models import CatalogJob, Product, SearchQuery
from sourcing.catalog.services.upsert import products_upsert_summaries
from sourcing.connections.models import ApiUsage
from tests.catalog.pages.conftest import LEAF, connected_credential, page_html, page_text
from tests.catalog.pages.test_filters_categories import summary

pytestmark = pytest.mark.django_db

PORTAL = {"Sec-Fetch-Site": "same-origin"}
ELSEWHERE = {"Sec-Fetch-Site": "cross-site"}
AUTO = 'hx-trigger="load"'


@pytest.fixture
def unknown_offers(shelf):
    """Two cups from 浙江 with details, and three search items whose province is not known yet (a filter on
    province hides them until their details are fetched)."""
    shelf(2)
    products_upsert_summaries(offers=[summary(720001 + i) for i in range(3)], source="sandbox")


def stale(offer_id):
    Product.objects.filter(offer_id=offer_id).update(detail_fetched_at=timezone.now() - timedelta(days=2))


def finished_search(user, query, filters=None):
    """The team's search as a worker leaves it: fetched now, its job done."""
    from sourcing.catalog.keys import search_key

    job = CatalogJob.objects.create(kind=CatalogJob.Kind.SEARCH, target="x", team=user.current_team,
                                    requested_by=user, state=CatalogJob.State.DONE, message="3 offers from 1688.",
                                    finished_at=timezone.now())  # fmt: skip
    SearchQuery.objects.create(team=user.current_team, key=search_key(kind="keyword", query=query, remote={}),
                               query=query, filters=filters or {}, requested_by=user, job=job,
                               fetched_at=timezone.now(), last_searched_at=timezone.now())  # fmt: skip
    return job


def test_no_get_queues_work_or_spends_quota(client, alice, credential, unknown_offers, queued):
    client.force_login(alice)
    stale(700001)
    job = finished_search(alice, "杯")
    pages = [
        "/products/?q=保温杯",  # a new search
        "/products/612345678901/",  # an offer the portal lacks
        "/products/700001/",  # an offer whose detail is old
        f"/categories/{LEAF}/",  # a category with fewer offers than a page
        "/products/?q=杯&province=浙江",  # offers the filter can't judge
    ]
    for path in pages:
        for headers in (PORTAL, ELSEWHERE, {}):
            assert client.get(path, headers=headers).status_code == 200, path
    # the poll of a finished search whose page hides offers of unknown province
    poll = client.get(f"/products/?q=杯&province=浙江&job={job.pk}", headers={"HX-Request": "true", **PORTAL})
    assert poll.status_code == 200
    assert CatalogJob.objects.count() == 1 and queued == [] and not ApiUsage.objects.exists()
    assert not SearchQuery.objects.filter(query="保温杯").exists()  # the team's history is written by the POST


def test_the_follow_ups_queue_the_work(client, alice, credential, unknown_offers, queued, settings):
    settings.TEAM_JOBS_IN_FLIGHT = 10  # nothing runs here: with the default 4, the fifth job would wait its turn
    client.force_login(alice)
    stale(700001)
    finished_search(alice, "杯")
    client.post("/products/fetch/?q=保温杯")
    client.post("/products/612345678901/fetch/")
    client.post("/products/700001/fetch/")
    client.post(f"/categories/{LEAF}/fetch/")
    client.post("/products/fetch/?q=杯&province=浙江", {"step": "details"})
    kinds = sorted(name for name, _args in queued)
    assert kinds == ["catalog_product_fetch", "catalog_product_fetch", "catalog_search_fetch",
                     "catalog_search_fetch", "catalog_unknown_details"]  # fmt: skip
    assert SearchQuery.objects.get(query="保温杯", filters={}).times_searched == 1


@pytest.mark.parametrize(
    ("path", "fetch"),
    [
        ("/products/?q=保温杯", "/products/fetch/?q=%E4%BF%9D%E6%B8%A9%E6%9D%AF"),
        ("/products/612345678901/", "/products/612345678901/fetch/"),
        ("/products/700001/", "/products/700001/fetch/"),
        (f"/categories/{LEAF}/", f"/categories/{LEAF}/fetch/"),
    ],
)
def test_a_link_from_elsewhere_gets_a_button_and_the_portal_the_automatic_follow_up(
    client, alice, credential, cup, queued, path, fetch
):
    client.force_login(alice)
    stale(700001)
    # from another site: a plain button that says what it spends, and nothing that fires by itself
    page = page_html(client.get(path, headers=ELSEWHERE))
    assert f'<form method="post" action="{fetch}"' in page and AUTO not in page
    assert "Fetch from 1688" in page and "of your team's daily 1688 quota" in page
    # no Sec-Fetch-Site (an older browser): the Referer decides
    assert AUTO not in page_html(client.get(path, headers={"Referer": "https://elsewhere.example/page"}))
    assert AUTO not in page_html(client.get(path))
    assert f'hx-post="{fetch}" {AUTO}' in page_html(client.get(path, headers={"Referer": "http://testserver/"}))
    # from a portal page, or typed in the address bar: the page sends its follow-up itself
    for site in ("same-origin", "none"):
        page = page_html(client.get(path, headers={"Sec-Fetch-Site": site}))
        assert f'hx-post="{fetch}" {AUTO}' in page and "Fetch from 1688" in page  # the button is in <noscript>
    assert queued == []


def test_an_unknown_offer_from_elsewhere_is_a_page_with_the_button_and_the_button_fetches(
    client, alice, credential, categories, queued
):
    client.force_login(alice)
    response = client.get("/products/612345678901/", headers=ELSEWHERE)
    assert response.status_code == 200
    assert "Offer 612345678901 is not in the portal yet" in page_text(response)
    assert "This spends one call of your team's daily 1688 quota." in page_text(response)
    # the button (a plain form) queues the fetch and shows the page polling it
    clicked = client.post("/products/612345678901/fetch/")
    job = CatalogJob.objects.get()
    assert clicked.status_code == 302 and clicked["Location"] == f"/products/612345678901/?job={job.pk}"
    assert queued == [("catalog_product_fetch", (job.pk,))]
    assert "Fetching offer 612345678901 from 1688" in page_text(client.get(clicked["Location"]))
    # an invalid id stays a 404
    assert client.get("/products/abc/", headers=ELSEWHERE).status_code == 404


def test_a_finished_search_poll_renders_the_fill_of_unknown_details_instead_of_starting_it(
    client, alice, credential, unknown_offers, queued
):
    client.force_login(alice)
    client.post("/products/fetch/?q=杯&province=浙江")
    job = CatalogJob.objects.get()
    CatalogJob.objects.filter(pk=job.pk).update(state=CatalogJob.State.DONE, finished_at=timezone.now())
    SearchQuery.objects.update(fetched_at=timezone.now())
    poll = page_html(
        client.get(f"/products/?q=杯&province=浙江&job={job.pk}", headers={"HX-Request": "true", **PORTAL})
    )
    assert f"""{AUTO} hx-swap="outerHTML" hx-vals='{{"step": "details"}}'""" in poll and len(queued) == 1
    answer = client.post("/products/fetch/?q=杯&province=浙江", {"step": "details"}, headers={"HX-Request": "true"})
    fill = CatalogJob.objects.get(kind=CatalogJob.Kind.DETAILS)
    assert queued[-1] == ("catalog_unknown_details", (fill.pk,)) and fill.total == 3
    assert "hx-get=" in page_html(answer) and f"job={fill.pk}" in page_html(answer)
    # that job's own poll, once done, offers nothing more (a fill never chains itself)
    CatalogJob.objects.filter(pk=fill.pk).update(state=CatalogJob.State.DONE, finished_at=timezone.now())
    done = page_html(
        client.get(f"/products/?q=杯&province=浙江&job={fill.pk}", headers={"HX-Request": "true", **PORTAL})
    )
    assert AUTO not in done


def test_a_follow_up_with_nothing_due_answers_an_empty_job_and_a_refusal_in_words(client, alice, bob, cup, queued):
    client.force_login(alice)
    assert (
        page_html(client.post("/products/700001/fetch/", headers={"HX-Request": "true"}))
        .strip()
        .endswith('<div id="job"></div>')
    )  # fresh: nothing to ask
    stale(700001)
    answer = page_text(client.post("/products/700001/fetch/", headers={"HX-Request": "true"}))
    assert "no 1688 credential is set up" in answer and queued == []
    assert client.get("/products/fetch/").status_code == 405  # POST only


# --- the refresh floor and the per-user rate ---
def refresh(client, user, offer_id=700001):
    client.force_login(user)
    return client.post(f"/products/{offer_id}/refresh/", follow=True)


def test_six_refreshes_by_three_users_make_one_call_and_the_refusal_names_the_time(client, alice, bob, carol, cup,
                                                                                      queued):  # fmt: skip
    shared = connected_credential(alice)
    shared.shared_with_team = alice.current_team
    shared.save()
    connected_credential(carol, app_key="40051688", name="Globex app", login_id="globex采购01")
    stale(700001)
    answers = []
    for user in (alice, bob, carol, alice, bob, carol):
        answers.append(page_text(refresh(client, user)))
        CatalogJob.objects.update(state=CatalogJob.State.DONE)  # a team's running job would answer first
    assert CatalogJob.objects.count() == 1 and len(queued) == 1
    until = timezone.localtime(Product.objects.get().refresh_requested_at + timedelta(seconds=300))
    refusal = f"Each offer is refreshed from 1688 at most once every 5 minutes, whoever asks: this one can be " \
              f"refreshed again at {until:%H:%M} CST (Beijing)."  # fmt: skip
    assert all(refusal in text for text in answers[1:]), answers[1]
    # the product page says so instead of offering a button that would be refused
    assert f"Can be refreshed from 1688 again at {until:%H:%M}" in answers[-1]
    assert "↻ Refresh from 1688" not in answers[-1]


def test_the_refresh_button_says_the_floor_and_refreshes_once_the_floor_has_passed(client, alice, credential, cup,
                                                                                     queued):  # fmt: skip
    client.force_login(alice)
    page = page_text(client.get("/products/700001/"))
    assert "Can be refreshed from 1688 again at" in page  # just fetched
    Product.objects.update(detail_fetched_at=timezone.now() - timedelta(seconds=301))
    page = page_text(client.get("/products/700001/"))
    assert "↻ Refresh from 1688 · at most once every 5 minutes" in page
    assert refresh(client, alice).status_code == 200 and len(queued) == 1


@override_settings(FORCED_REFRESH_PER_HOUR=2)
def test_a_user_forces_at_most_forced_refresh_per_hour_and_is_told_when_again(client, alice, bob, credential, shelf,
                                                                                queued):  # fmt: skip
    shelf(3)
    Product.objects.update(detail_fetched_at=timezone.now() - timedelta(hours=1))
    texts = [page_text(refresh(client, alice, offer_id)) for offer_id in (700001, 700002, 700003)]
    assert len(queued) == 2 and CatalogJob.objects.count() == 2
    assert re.search(r"You can refresh at most 2 offers an hour; you can refresh again at \d\d:\d\d", texts[2])
    assert Product.objects.get(offer_id=700003).refresh_requested_at is None  # the floor was not claimed
    # the rate is per user: bob, in the same team with the shared credential, may still refresh
    credential.shared_with_team = alice.current_team
    credential.save()
    Membership.objects.filter(user=bob).update(role=Membership.Role.BUYER)
    refresh(client, bob, 700003)
    assert len(queued) == 3


@pytest.mark.django_db(transaction=True)
def test_six_parallel_refreshes_by_six_users_of_six_teams_make_one_call(cup, queued):
    from django.test import Client

    from sourcing.accounts.models import Team, User
    from tests.conftest import run_in_threads

    stale(700001)
    clients = []
    for i in range(6):
        team = Team.objects.create(name=f"Team {i}")
        user = User.objects.create_user(f"buyer{i}", f"buyer{i}@example.com", "x", current_team=team)
        Membership.objects.create(user=user, team=team, role=Membership.Role.OWNER)
        connected_credential(user, app_key=f"3005170{i}", name=f"App {i}", login_id=f"buyer{i}")
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients.append(client)
    statuses = []
    failures = run_in_threads(lambda: statuses.append(clients.pop().post("/products/700001/refresh/").status_code), 6)
    assert failures == [] and statuses == [302] * 6
    assert CatalogJob.objects.count() == 1 and [name for name, _args in queued] == ["catalog_product_fetch"]
