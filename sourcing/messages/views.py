"""The callback 1688 POSTs messages to: one URL per credential, checked with that credential's App Secret."""

import logging

from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from sourcing.messages.services.inbox import message_receive

logger = logging.getLogger(__name__)
WORDS = {200: "success", 400: "unreadable message", 401: "unsigned", 403: "bad signature", 404: "not found",
         413: "message too large"}  # fmt: skip


@csrf_exempt  # 1688 signs the message with the app's secret; no cookie or session is involved
@require_POST
@never_cache
def message_hook(request, credential_id: int):
    """Check, keep once, queue: no gateway call and no work beyond that, so 1688's timeout is never reached."""
    try:
        received = message_receive(credential_id=credential_id, form=request.POST)
    except ValueError:  # a form Django can't parse (too many fields, bad encoding)
        return HttpResponse(WORDS[400], status=400, content_type="text/plain")
    if received.status != 200:
        logger.info("1688 message refused for credential %s: %s", credential_id, received.outcome)
    return HttpResponse(WORDS[received.status], status=received.status, content_type="text/plain")
