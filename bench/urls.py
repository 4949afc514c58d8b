"""The bench's URLconf: the portal's own, plus the naive views under /naive/."""

from django.urls import include, path

from bench import naive
from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    path("naive/products/", naive.search),
    path("naive/categories/<int:pk>/", naive.category_detail),
    path("naive/products/<int:offer_id>/", naive.product_detail),
    path("naive/lists/<int:list_id>/", naive.list_detail),
    path("", include(portal_urlpatterns)),
]
