"""Small site-wide views and answers: the favicon, and the page that says an action was refused."""

from django.shortcuts import render
from django.templatetags.static import static
from django.views import i18n
from django.views.decorators.cache import cache_control
from django.views.generic import RedirectView

from sourcing.accounts.services.teams import user_language_set


@cache_control(max_age=86400, public=True)
def favicon(request):
    return RedirectView.as_view(url=static("favicon.ico"), permanent=False)(request)


def refusal(request, message, *, status: int, back: str = ""):
    """A refused action in plain words: a small partial for htmx, a page with a way back otherwise."""
    if request.headers.get("HX-Request") == "true":
        return render(request, "_refused.html", {"message": message}, status=status)
    return render(request, "refused.html", {"message": message, "back": back}, status=status)


def set_language(request):
    """Django's language switch; the choice is also kept on the user for what workers write to them."""
    response = i18n.set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        user_language_set(user=request.user, language=request.POST.get("language", ""))
    return response
