"""Issue tokens for a sandbox app and 1688 login id without the consent page (demo data, scripts)."""

import json

from django.core.management.base import BaseCommand, CommandError

from sandbox.models import SandboxApp
from sandbox.oauth import account_for, issue_tokens


class Command(BaseCommand):
    help = "Print a getToken answer (spec §5.3 shape, JSON) for APP_KEY and LOGIN_ID, as if the user had approved."

    def add_arguments(self, parser):
        parser.add_argument("--app-key", required=True)
        parser.add_argument("--login-id", required=True)

    def handle(self, *args, app_key, login_id, **options):
        app = SandboxApp.objects.filter(app_key=app_key).first()
        if app is None:
            raise CommandError(f"No sandbox app {app_key}; create it with sandbox_app first.")
        self.stdout.write(json.dumps(issue_tokens(app, account_for(login_id)), ensure_ascii=False))
