"""Following: the offers on team lists and with alerts are followed on 1688 (what brings their stock messages), each by
one credential whose messages are set up; offers no longer watched are unfollowed. Beat runs `follows_sync`: a batch
of calls a run, idempotent (a Follow row per credential and offer; one that is following is not followed again)."""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from sourcing.accounts.models import Membership
from sourcing.alerts.models import Alert
from sourcing.alibaba import api, errors
from sourcing.catalog.models import Product
from sourcing.connections.models import AppCredential, OAuthToken
from sourcing.connections.services.budgets import Payer, paying
from sourcing.connections.services.gateway import gateway_call
from sourcing.lists.models import ListItem
from sourcing.messages.models import Follow
from sourcing.messages.selectors import set_up_feeds

RETRY_FAILED = timedelta(days=1)
RUN_LOCK = "messages:follows-sync"


def watched() -> dict[int, set[int]]:
    """product id → the teams watching it (on an active list, or with an active alert)."""
    found: dict[int, set[int]] = defaultdict(set)
    on_lists = ListItem.objects.filter(product_list__archived_at__isnull=True).values_list(
        "product_id", "product_list__team_id"
    )
    with_alerts = Alert.objects.filter(active=True).values_list("product_id", "team_id")
    for product_id, team_id in [*on_lists, *with_alerts]:
        found[product_id].add(team_id)
    return found


def ready_credentials() -> dict[int, list[int]]:
    """team id → credentials (lowest first) that may follow for it: messages set up, connected, verified, and the
    owner's own (the owner is in the team) or shared with the team."""
    live = OAuthToken.objects.exclude(status__in=[OAuthToken.Status.REVOKED, OAuthToken.Status.NEEDS_REAUTH])
    credentials = AppCredential.objects.filter(
        Q(pk__in=set_up_feeds().values("credential_id")),
        Q(pk__in=live.values("credential_id")),
        status=AppCredential.Status.ACTIVE, verified_at__isnull=False,
    ).order_by("pk")  # fmt: skip
    teams: dict[int, list[int]] = defaultdict(list)
    members = defaultdict(set)
    owners = {c.owner_id for c in credentials if c.owner_id}
    for user_id, team_id in Membership.objects.filter(user_id__in=owners).values_list("user_id", "team_id"):
        members[user_id].add(team_id)
    for credential in credentials:
        for team_id in sorted(members.get(credential.owner_id, set()) | {credential.shared_with_team_id} - {None}):
            teams[team_id].append(credential.pk)
    return teams


def _call(credential: AppCredential, team_id: int | None, fn) -> str:
    """ "" when 1688 took it, else the error's words; a transient error travels (the next run tries again)."""
    try:
        with paying(Payer(team_id=team_id)):
            gateway_call(credential=credential, fn=fn)
    except errors.TransientError:
        raise
    except errors.AlibabaError as error:
        return f"{error.code or type(error).__name__}: {error.message}"[:300]
    return ""


def follows_sync(*, batch: int | None = None) -> dict:
    """Follow what is watched and not followed, unfollow what is followed and not watched: at most `batch` calls."""
    # One run at a time (Celery's recipe: a lock in the shared cache): a run that outlasts the beat interval would
    # otherwise ask 1688 to follow the same offers again.
    if not cache.add(RUN_LOCK, 1, timeout=settings.MESSAGES_FOLLOW_EVERY):
        return {"followed": 0, "unfollowed": 0, "failed": 0, "skipped": 1}
    try:
        return _follows_sync(batch)
    finally:
        cache.delete(RUN_LOCK)


def _follows_sync(batch: int | None) -> dict:
    budget = batch if batch is not None else settings.MESSAGES_FOLLOW_BATCH
    now = timezone.now()
    wanted, ready = watched(), ready_credentials()
    ready_ids = {pk for ids in ready.values() for pk in ids}
    following = defaultdict(set)
    for product_id, credential_id in Follow.objects.filter(state=Follow.State.FOLLOWING).values_list(
        "product_id", "credential_id"
    ):
        following[product_id].add(credential_id)
    failed = set(Follow.objects.filter(state=Follow.State.FAILED, changed_at__gte=now - RETRY_FAILED)
                 .values_list("product_id", "credential_id"))  # fmt: skip
    credentials = AppCredential.objects.in_bulk(list(ready_ids | {c for ids in following.values() for c in ids}))
    offers = dict(Product.objects.filter(pk__in=list(set(wanted) | set(following))).values_list("pk", "offer_id"))
    done = {"followed": 0, "unfollowed": 0, "failed": 0}
    calls = 0
    for product_id in sorted(wanted):
        if calls >= budget:
            break
        if following.get(product_id, set()) & ready_ids or product_id not in offers:
            continue
        choice = next(((pk, team_id) for team_id in sorted(wanted[product_id]) for pk in ready.get(team_id, [])
                       if (product_id, pk) not in failed), None)  # fmt: skip
        if choice is None:
            continue
        credential_id, team_id = choice
        offer = offers[product_id]
        calls += 1
        error = _call(credentials[credential_id], team_id, lambda c, t, o=offer: api.product_follow(c, t, o))
        state = Follow.State.FAILED if error else Follow.State.FOLLOWING
        Follow.objects.update_or_create(credential_id=credential_id, product_id=product_id,
                                        defaults={"state": state, "changed_at": timezone.now(), "error": error})  # fmt: skip
        done["failed" if error else "followed"] += 1
    for product_id, credential_ids in sorted(following.items()):
        if product_id in wanted:
            continue
        for credential_id in sorted(credential_ids):
            if calls >= budget:
                return done
            calls += 1
            offer = offers.get(product_id)
            error = _call(credentials[credential_id], None, lambda c, t, o=offer: api.product_unfollow(c, t, o))
            # an unfollow 1688 refuses leaves nothing to undo here: the row stops counting as following either way
            Follow.objects.filter(credential_id=credential_id, product_id=product_id).update(
                state=Follow.State.UNFOLLOWED, changed_at=timezone.now(), error=error
            )
            done["unfollowed"] += 1
    return done
