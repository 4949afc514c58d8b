"""The naive design, for comparison: every page view asks the gateway first, as the original app did.

Each view makes the gateway call(s) the page needs over real HTTP with our client
(sourcing/alibaba), then renders the page with the portal's own view, so the template and the
middleware are the same as ours. It leaves the gateway's answer unused, which flatters the naive
design (it skips turning the answer into the page), so the ratios are a lower bound.
`bench/urls.py` mounts these views under /naive/ for the bench only; `bench/wsgi.py` serves them under gunicorn.
"""

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required

from sourcing.alibaba import AlibabaClient, api
from sourcing.catalog.models import Category
from sourcing.catalog.views import categories as catalog_categories
from sourcing.catalog.views import products as catalog_products
from sourcing.catalog.views import search as catalog
from sourcing.lists import views as lists
from sourcing.lists.models import ListItem


@dataclass
class Gateway:
    """The credential the naive views call with, and which sandbox offer stands in for a portal product."""

    client: AlibabaClient | None = None
    access_token: str = ""
    offer_ids: list[int] = field(default_factory=list)

    def offer_for(self, offer_id: int) -> str:
        return str(self.offer_ids[offer_id % len(self.offer_ids)])


GATEWAY = Gateway()


def configure(credential, offer_ids: list[int]) -> None:
    """Call the gateway with this (connected) credential; offer_ids stand in for the portal's products."""
    from django.conf import settings

    from sourcing.connections.models import OAuthToken

    GATEWAY.client = AlibabaClient(credential.app_key, credential.app_secret, base_url=settings.ALIBABA_API_URL)
    GATEWAY.access_token = OAuthToken.objects.get(credential=credential).access_token
    GATEWAY.offer_ids = offer_ids


@login_required
def search(request):
    query = request.GET.get("q", "").strip()
    if query:  # the gateway refuses a search without a keyword, so the naive design had none to ask for a browse
        api.keyword_search(GATEWAY.client, GATEWAY.access_token, query, page_size=24)
    return catalog.search(request)


@login_required
def category_detail(request, pk):
    category = Category.objects.get(pk=pk)
    api.keyword_search(GATEWAY.client, GATEWAY.access_token, category.name, category_id=pk, page_size=24)
    return catalog_categories.category_detail(request, pk)


@login_required
def product_detail(request, offer_id):
    api.product_detail(GATEWAY.client, GATEWAY.access_token, GATEWAY.offer_for(offer_id))
    return catalog_products.product_detail(request, offer_id)


@login_required
def list_detail(request, list_id):
    # the original app fetched every item's offer again to show its current price and stock
    for offer_id in ListItem.objects.filter(product_list_id=list_id).values_list("product__offer_id", flat=True):
        api.product_detail(GATEWAY.client, GATEWAY.access_token, GATEWAY.offer_for(offer_id))
    return lists.list_detail(request, list_id)
