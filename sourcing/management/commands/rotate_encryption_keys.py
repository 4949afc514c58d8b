"""Re-encrypt every stored secret with the newest key of FIELD_ENCRYPTION_KEYS."""

from django.core.management.base import BaseCommand
from django.db import transaction

from sourcing.connections.models import AppCredential, OAuthToken
from sourcing.core.crypto import rotate
from sourcing.webhooks.models import Endpoint

COLUMNS = [
    (AppCredential, ["app_secret_encrypted"]),
    (OAuthToken, ["access_token_encrypted", "refresh_token_encrypted"]),
    (Endpoint, ["secret_encrypted", "previous_secret_encrypted"]),  # webhook signing secrets
]


class Command(BaseCommand):
    help = "Re-encrypt App Secrets and tokens with the first key of FIELD_ENCRYPTION_KEYS (run after adding a key)."

    def handle(self, *args, **options):
        total = 0
        for model, fields in COLUMNS:
            with transaction.atomic():
                for row in model.objects.select_for_update().only("pk", *fields):
                    for field in fields:
                        if getattr(row, field):
                            setattr(row, field, rotate(getattr(row, field)))
                    row.save(update_fields=fields)
                    total += 1
        self.stdout.write(
            self.style.SUCCESS(f"Re-encrypted {total} rows with the newest key. Older keys can now be removed.")
        )
