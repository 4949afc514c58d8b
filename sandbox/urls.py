"""The sandbox gateway's URLs (mounted at /sandbox/)."""

from django.urls import path, re_path

from . import console_messages, views

app_name = "sandbox"
urlpatterns = [
    path("", views.index, name="index"),
    path("console/", views.console, name="console"),
    path("console/<str:app_key>/", views.console_app, name="console_app"),
    path("console/<str:app_key>/secret/", views.console_app_secret, name="console_app_secret"),
    path("console/<str:app_key>/delete/", views.console_app_delete, name="console_app_delete"),
    path("console/<str:app_key>/messages/", console_messages.save, name="console_messages"),
    path("console/<str:app_key>/messages/test/", console_messages.send_test, name="console_messages_test"),
    path(
        "console/<str:app_key>/authorizations/<int:account_id>/withdraw/",
        console_messages.withdraw,
        name="console_withdraw",
    ),  # fmt: skip
    path("oauth/authorize", views.authorize, name="authorize"),
    path("pay/", views.pay, name="pay"),
    path("img/ibank/<int:family>_<int:variant>.png", views.image, name="image"),
    path("img/ibank/opt/<int:family>_<int:option>.png", views.option_image, name="option_image"),
    path("img/ibank/desc/<int:family>_<int:part>.png", views.detail_image, name="detail_image"),
    path("video/<int:family>.gif", views.video, name="video"),
    re_path(r"^openapi/(?P<path>.*)$", views.gateway, name="gateway"),
]
