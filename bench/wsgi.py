"""The portal with the naive views under /naive/ (bench/urls.py), for gunicorn: `gunicorn bench.wsgi`.

The naive views call the gateway with the credential whose id is in BENCH_NAIVE_CREDENTIAL, the first
BENCH_NAIVE_OFFERS sandbox offers standing in for the portal's products (bench/search_mix.py sets both).
"""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()
settings.ROOT_URLCONF = "bench.urls"

if os.environ.get("BENCH_NAIVE_CREDENTIAL"):
    from bench import naive
    from sandbox.models import SandboxOffer
    from sourcing.connections.models import AppCredential

    offers = SandboxOffer.objects.order_by("offer_id").values_list("offer_id", flat=True)
    naive.configure(AppCredential.objects.get(pk=os.environ["BENCH_NAIVE_CREDENTIAL"]),
                    list(offers[: int(os.environ.get("BENCH_NAIVE_OFFERS", "1000"))]))  # fmt: skip
