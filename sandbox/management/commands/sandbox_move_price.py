"""A seller changes an offer's price on the "1688 side": the demo uses it so that refreshes see real changes."""

from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from sandbox.models import SandboxOffer


class Command(BaseCommand):
    help = "Move an offer's base price by PERCENT (e.g. -6 or 4.5); its options and tiers move with it."

    def add_arguments(self, parser):
        parser.add_argument("--offer", required=True, help="the offer id")
        parser.add_argument("--percent", required=True, help="the change in percent, -90 to 100")

    def handle(self, *args, offer, percent, **options):
        try:
            change = Decimal(str(percent))
        except InvalidOperation:
            raise CommandError(f"--percent must be a number, not {percent!r}.") from None
        if not Decimal(-90) <= change <= Decimal(100):
            raise CommandError("--percent must be between -90 and 100.")
        found = SandboxOffer.objects.filter(offer_id=int(offer) if str(offer).isdigit() else -1).first()
        if found is None:
            raise CommandError(f"No sandbox offer {offer}.")
        old = found.base_price
        found.base_price = max(Decimal("0.01"), (old * (1 + change / 100)).quantize(Decimal("0.01")))
        found.save(update_fields=["base_price"])
        self.stdout.write(f"Offer {found.offer_id}: base price {old} → {found.base_price}.")
