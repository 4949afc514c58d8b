"""A seller edits an offer on the "1688 side": delist, relist, add or remove an option, delete (demos, tests).

Each change is announced to the apps that follow the offer (docs/1688-messages.md).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sandbox import messages
from sandbox.models import SandboxOffer

ACTIONS = ("delist", "relist", "add_option", "remove_option", "delete")


class Command(BaseCommand):
    help = "Delist, relist, add an option to, remove the last option of, or delete a sandbox offer."

    def add_arguments(self, parser):
        parser.add_argument("--offer", required=True, help="the offer id")
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--delist", action="store_true", help="take it off sale (下架)")
        group.add_argument("--relist", action="store_true", help="put it back on sale (上架)")
        group.add_argument("--add-option", action="store_true", help="add a value to its first option axis")
        group.add_argument("--remove-option", action="store_true", help="remove the last value of its first axis")
        group.add_argument("--delete", action="store_true", help="delete the offer")

    def handle(self, *args, offer, **options):
        text = str(offer)
        found = SandboxOffer.objects.filter(offer_id=int(text)).first() if text.isascii() and text.isdigit() else None
        if found is None:
            raise CommandError(f"No sandbox offer {offer}.")
        action = next(name for name in ACTIONS if options[name])
        if action == "delete":
            with transaction.atomic():
                messages.emit_deleted(found.offer_id)
                found.delete()
            self.stdout.write(f"Offer {found.offer_id} deleted.")
            return
        if action in ("delist", "relist"):
            found.listed = action == "relist"
        else:
            self._options(found, add=action == "add_option")
        found.save()  # sandbox/signals.py announces the change
        self.stdout.write(f"Offer {found.offer_id}: {action.replace('_', ' ')} done.")

    @staticmethod
    def _options(offer: SandboxOffer, *, add: bool) -> None:
        if not offer.sku_axes:
            raise CommandError(f"Offer {offer.offer_id} has no options.")
        name, name_en, values = offer.sku_axes[0]
        if add:
            number = len(values) + 1
            values = [*values, [f"新款{number}", f"New style {number}"]]
        elif len(values) < 2:
            raise CommandError(f"Offer {offer.offer_id} has one option left on its first axis.")
        else:
            values = values[:-1]
        offer.sku_axes = [[name, name_en, values], *offer.sku_axes[1:]]
