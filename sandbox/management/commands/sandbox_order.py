"""Sandbox orders from the command line: list a buyer's orders, or move one through time (demos)."""

from django.core.management.base import BaseCommand, CommandError

from sandbox import trade
from sandbox.models import SandboxOrder


class Command(BaseCommand):
    help = (
        "List the latest sandbox orders, or --rewind ORDER_ID --seconds N to move an order's history N seconds "
        "into the past (a paid order then ships, travels and arrives as if that time had passed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rewind", metavar="ORDER_ID", help="the order to move through time")
        parser.add_argument("--seconds", type=int, default=0, help="how far, 1 to 31536000")
        parser.add_argument("--limit", type=int, default=20, help="how many orders to list")

    def handle(self, *args, rewind: str | None, seconds: int, limit: int, **options):
        if rewind is not None:
            if not rewind.isascii() or not rewind.isdigit() or not SandboxOrder.objects.filter(order_id=int(rewind)):
                raise CommandError(f"No sandbox order {rewind}.")
            if not 1 <= seconds <= 365 * 86400:
                raise CommandError("--seconds must be between 1 and 31536000.")
            trade.rewind(int(rewind), seconds)
        for order in SandboxOrder.objects.select_related("account").order_by("-created_at")[: max(1, limit)]:
            trade.advance(order)
            self.stdout.write(f"{order.order_id}  {order.status:<16} ¥{order.total_fen / 100:>10.2f}  "
                              f"{order.account.login_id} ← {order.seller.get('login_id', '')}  {order.out_order_id}")  # fmt: skip
