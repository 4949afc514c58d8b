"""Webhooks out: a team's endpoints, the events the portal emits and their signed deliveries (docs/webhooks.md)."""
