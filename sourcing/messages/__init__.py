"""1688 messages in: the per-credential callback, the inbox, the worker that applies each message once and in
order per product and order, following watched offers, the catch-up from the message list, and the slower
polling pace for products messages cover (docs/1688-messages.md, issue 23 item 2)."""
