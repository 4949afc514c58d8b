"""Alerts: price and stock alerts, notifications, e-mails and daily digests, and the "contact and watch" boxes of
product and supplier pages (template tags contact). Registers its products-changed hook with the catalog.

Imports: any domain below (lists, inquiries, catalog, connections, accounts, core)."""
