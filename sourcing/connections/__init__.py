"""Connections to 1688: app credentials (write-only secrets), OAuth tokens, API permissions, usage and daily quotas,
budgets on apps a team doesn't own, the gateway door every call goes through (services/gateway.py), the per-app
rate limiter, connection checks, errors in plain words (explain.py), the Connections and API status pages.

Imports: accounts, core, the client."""
