"""Create the demo cast: team Acme Sourcing (alice, bob) and Globex Trading (carol)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from sourcing.models import Membership, Team, User

DEMO_PASSWORD = "sourcing-demo"

# team, [(username, role, is_superuser)]
CAST = [
    ("Acme Sourcing", [("alice", Membership.Role.OWNER, True), ("bob", Membership.Role.BUYER, False)]),
    ("Globex Trading", [("carol", Membership.Role.OWNER, False)]),
]


class Command(BaseCommand):
    help = "Create or refresh the demo users and teams (safe to run again)."

    @transaction.atomic
    def handle(self, *args, **options):
        for team_name, members in CAST:
            team, _ = Team.objects.get_or_create(name=team_name)
            for username, role, superuser in members:
                user, _ = User.objects.get_or_create(username=username)
                user.email = f"{username}@example.com"
                user.is_staff = user.is_superuser = superuser
                user.set_password(DEMO_PASSWORD)
                user.current_team = team
                user.save()
                Membership.objects.update_or_create(user=user, team=team, defaults={"role": role})
        self.stdout.write(self.style.SUCCESS(f"Demo users alice, bob, carol (password: {DEMO_PASSWORD})."))
