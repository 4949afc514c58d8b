"""The team API at /api/v1/ (docs/api.md): tokens, their scopes and rate, and the JSON views over the domains'
selectors and services. The top of the layers: it imports every domain, none imports it."""
