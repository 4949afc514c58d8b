"""The sandbox gateway's URLs (mounted at /sandbox/)."""

from django.urls import path, re_path

from . import views

app_name = "sandbox"
urlpatterns = [
    path("", views.index, name="index"),
    path("oauth/authorize", views.authorize, name="authorize"),
    path("img/ibank/<int:family>_<int:variant>.png", views.image, name="image"),
    re_path(r"^openapi/(?P<path>.*)$", views.gateway, name="gateway"),
]
