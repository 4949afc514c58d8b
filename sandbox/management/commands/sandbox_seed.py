"""Build the sandbox catalog: categories, suppliers and offers."""

import time

from django.core.management.base import BaseCommand

from sandbox.catalog import build_catalog


class Command(BaseCommand):
    help = "Replace the sandbox catalog with N generated offers (deterministic for a given seed)."

    def add_arguments(self, parser):
        parser.add_argument("--offers", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=1688)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when a catalog exists")
        parser.add_argument(
            "--no-same-items",
            action="store_true",
            help="no same-item groups, resellers or look-alikes (the tests' catalog)",
        )

    def handle(self, *args, offers, seed, if_empty, **options):
        from sandbox.models import SandboxOffer

        if if_empty and SandboxOffer.objects.exists():
            self.stdout.write("Sandbox catalog already present.")
            return
        started = time.monotonic()
        width = 30

        def progress(done, total):
            filled = width * done // total
            self.stdout.write(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{total} offers", ending="")
            self.stdout.flush()

        written = build_catalog(offers=offers, seed=seed, progress=progress, same_items=not options["no_same_items"])
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(f"Sandbox catalog: {written} offers in {time.monotonic() - started:.1f}s.")
        )
