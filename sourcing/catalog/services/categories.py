"""The category tree: fetched from 1688 by a worker, with English names where the app may translate them."""

from django.utils.translation import gettext as _

from sourcing.accounts.models import User
from sourcing.alibaba import api, errors
from sourcing.catalog.keys import source_of
from sourcing.catalog.models import CatalogJob
from sourcing.catalog.services.jobs import (
    Started,
    _call,
    _connected,
    _job_create,
    _run,
    _running_job,
    credential_for,
    job_dispatch,
    job_finish,
    job_progress,
)
from sourcing.catalog.services.upsert import categories_upsert, category_names_en_set
from sourcing.connections.models import AppCredential
from sourcing.connections.services.gateway import feature_refusal

Kind = CatalogJob.Kind


def category_tree_fetch_start(*, user: User | None = None, credential: AppCredential | None = None) -> Started:
    """Queue a walk of 1688's category tree (category.get), with English names when translation is granted."""
    if credential is None:
        if user is None:
            return Started(error=_("Say whose credential fetches the category tree."))
        credential, notice = credential_for(user, api_ref=api.CATEGORY_GET)
        if credential is None:
            return Started(notice=notice)
    running = _running_job(kind=Kind.CATEGORIES, target="0", team=None)
    if running:
        return Started(job=running)

    job = _job_create(kind=Kind.CATEGORIES, target="0", user=user, team=None, credential=credential, total=1)
    job_dispatch(job)
    return Started(job=job)


def categories_fetch_run(*, job_id: int) -> CatalogJob | None:
    """Worker: walk the tree from the roots (done/total grow as branches are found), then translate names."""

    def body(job: CatalogJob) -> CatalogJob:
        source = source_of(job.credential)
        pending, seen, nodes = [0], set(), []
        parents: dict[int, int | None] = {}
        levels: dict[int, int] = {}
        done = 0
        while pending:
            category_id = pending.pop(0)
            if category_id in seen:
                continue
            seen.add(category_id)
            found = _call(job, lambda client, token, c=category_id: api.category_get(client, c), needs_token=False)
            done += 1
            for node in found:
                if node.id:
                    nodes.append(node)
                for child in node.children:
                    if child.id and child.id not in parents:
                        parents[child.id] = node.id or None
                        levels[child.id] = levels.get(node.id, 0) + 1
                        if not child.is_leaf:
                            pending.append(child.id)
                        else:  # a leaf needs no call of its own: its parent's answer names it
                            nodes.append(api.Category(id=child.id, name=child.name, level=None, is_leaf=True,
                                                      parent_ids=[node.id], children=[]))  # fmt: skip
            job_progress(job, done=done, total=done + len(pending))
        written = categories_upsert(nodes=_unique(nodes), parents=parents, levels=levels, source=source)
        message = _("%(n)s categories (%(c)s changed).") % {"n": len(_unique(nodes)), "c": written}
        english = _translate(job, [c for c in seen], done)
        if english is None:
            message += " " + _("English names need category.translation.getById, which this app is not granted.")
        return job_finish(job, ok=True, message=message)

    return _run(job_id, body)


def _unique(nodes: list[api.Category]) -> list[api.Category]:
    by_id: dict[int, api.Category] = {}
    for node in nodes:
        if node.id not in by_id or not by_id[node.id].name:
            by_id[node.id] = node
    return list(by_id.values())


def _translate(job: CatalogJob, parent_ids: list[int], done: int) -> int | None:
    """English names of every category under the walked parents; None when the API is not granted."""
    credential = job.credential
    if credential is None or feature_refusal(credential, api.CATEGORY_TRANSLATION.id):
        return None
    if credential.owner_id is not None and not _connected(credential):
        return None
    names: dict[int, str] = {}
    total = done + len(parent_ids)
    for index, category_id in enumerate(parent_ids, start=1):
        try:
            node = _call(job, lambda client, token, c=category_id: api.category_translation(client, token, c))
        except errors.AlibabaError as error:
            if error.retryable:
                raise
            return None
        for item in [node, *node.children]:
            if item.id and item.translated_name:
                names[item.id] = item.translated_name
        job_progress(job, done=done + index, total=total)
    return category_names_en_set(names=names)
