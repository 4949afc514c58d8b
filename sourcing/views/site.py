"""Small site-wide views: the favicon at the address browsers ask for without being told."""

from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.generic import RedirectView


@cache_control(max_age=86400, public=True)
def favicon(request):
    return RedirectView.as_view(url=static("favicon.ico"), permanent=False)(request)
