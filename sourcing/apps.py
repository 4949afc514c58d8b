from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_migrate, post_save


def _site_default_sync(**kwargs):
    from sourcing.connections.services.credentials import site_default_sync

    site_default_sync()


def _remember_language(sender, request, user, **kwargs):
    from sourcing.accounts.services.teams import user_language_set

    language = getattr(request, "LANGUAGE_CODE", None)
    if language:
        user_language_set(user=user, language=language)


class SourcingConfig(AppConfig):
    name = "sourcing"
    verbose_name = "Sourcing portal"

    def ready(self):
        # Every task, registered in every process (services hand work to tasks by name: sourcing/core/enqueue.py);
        # the hooks the domains above the catalog register (the lists' want source, the alerts' products-changed).
        import sourcing.alerts.services  # noqa: F401
        import sourcing.lists.services  # noqa: F401
        import sourcing.messages.services.pace  # noqa: F401 - the slower polling of offers messages cover
        import sourcing.orders.elsewhere  # noqa: F401 - a cheaper identical offer (delivered) beside each list item
        import sourcing.orders.scorecards  # noqa: F401 - the supplier's scorecard beside each list item
        import sourcing.orders.selectors  # noqa: F401 - the verified quotes beside the list's prices
        import sourcing.orders.services.landed  # noqa: F401 - the landed cost of each list item
        import sourcing.tasks  # noqa: F401
        from sourcing.accounts.models import Membership
        from sourcing.connections.services.credentials import shares_end

        post_delete.connect(shares_end, sender=Membership, dispatch_uid="credential-shares-end")

        # gunicorn's access and error lines ("GET /auth/1688/callback?code=…", "GET /invite/<token>/") are
        # masked like the portal's own (docs/security.md, "Access logs").
        from sourcing.logging import mask_server_loggers

        mask_server_loggers()

        # Pillow refuses pictures above the portal's pixel limit wherever one is opened (sourcing/core/image_limits.py).
        from sourcing.core.image_limits import pixel_limit_apply

        pixel_limit_apply()
        # The site default credential is created or updated once, at migrate (and at worker start, see
        # portal/celery.py), never while a page is being served.
        post_migrate.connect(_site_default_sync, sender=self)
        # Workers write notifications and e-mails in the language a user last read the portal in.
        user_logged_in.connect(_remember_language, dispatch_uid="sourcing-remember-language")
        # A page that changes a membership or credential and then renders must not see the request's cached ones.
        from sourcing.accounts.models import Membership
        from sourcing.connections.models import AppCredential, OAuthToken
        from sourcing.core.request_cache import forget

        for model in (Membership, AppCredential, OAuthToken):
            post_save.connect(forget, sender=model, dispatch_uid=f"request-cache-{model.__name__}-save")
            post_delete.connect(forget, sender=model, dispatch_uid=f"request-cache-{model.__name__}-delete")
        # The navigation's cached bell count and renew banner (selectors_inquiries.nav_state) of whoever a
        # notification, a token or a credential belongs to.
        from sourcing.alerts.models import Notification
        from sourcing.core.nav import forget_nav

        def notification_changed(instance, **kw):
            forget_nav(instance.user_id)

        def token_changed(instance, **kw):
            forget_nav(
                AppCredential.objects.filter(pk=instance.credential_id).values_list("owner_id", flat=True).first()
            )

        def credential_changed(instance, **kw):
            forget_nav(instance.owner_id)

        for model, receiver in ((Notification, notification_changed), (OAuthToken, token_changed),
                                (AppCredential, credential_changed)):  # fmt: skip
            post_save.connect(receiver, sender=model, dispatch_uid=f"nav-{model.__name__}-save", weak=False)
            post_delete.connect(receiver, sender=model, dispatch_uid=f"nav-{model.__name__}-delete", weak=False)
        # A team's lists and what they hold, cached for the save menus (selectors_lists.team_lists_and_saved):
        # lists/services.py forgets them on every change; these cover writes made anywhere else.
        from sourcing.lists.models import ListItem, ProductList
        from sourcing.lists.selectors import forget_team_lists

        def list_changed(instance, **kw):
            forget_team_lists(instance.team_id)

        def item_changed(instance, **kw):
            forget_team_lists(
                ProductList.objects.filter(pk=instance.product_list_id).values_list("team_id", flat=True).first()
            )

        for model, receiver in ((ProductList, list_changed), (ListItem, item_changed)):
            post_save.connect(receiver, sender=model, dispatch_uid=f"team-lists-{model.__name__}-save", weak=False)
            post_delete.connect(receiver, sender=model, dispatch_uid=f"team-lists-{model.__name__}-delete", weak=False)
        # Categories written outside catalog/services/upsert.py (the admin, tests) drop the cached <select> too.
        # (Result pages need no such hook: their cached rankings are read back as fresh rows.)
        from sourcing.catalog.keys import categories_changed
        from sourcing.catalog.models import Category

        post_save.connect(
            lambda **kw: categories_changed(), sender=Category, dispatch_uid="category-options-save", weak=False
        )
        post_delete.connect(
            lambda **kw: categories_changed(), sender=Category, dispatch_uid="category-options-delete", weak=False
        )
