"""Run the sandbox's message service outside Celery: the drift tick and the retries, in a loop or once."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from sandbox.delivery import pump


class Command(BaseCommand):
    help = ("Announce the drift of followed offers and retry due message deliveries, every "
            "SANDBOX_MESSAGE_PUMP_SECONDS (the demo's beat does the same); --once for one round.")  # fmt: skip

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one round, then exit")

    def handle(self, *args, once: bool, **options):
        every = max(0.2, settings.SANDBOX_MESSAGE_PUMP_SECONDS or 5.0)
        while True:
            done = pump()
            if once or done["ticked"] or done["attempted"]:
                self.stdout.write(
                    f"{done['ticked']} message(s) from the drift, {done['attempted']} delivery attempt(s)."
                )
            if once:
                return
            time.sleep(every)
