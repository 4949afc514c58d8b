"""Accounts: users, teams, memberships and roles, invitations, sign-up, password reset, the login throttle
(backends.py), the site's small views (favicon, refusal page, language) and the admin mixins every domain uses.

Imports: core."""
