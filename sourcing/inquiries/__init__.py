"""Inquiries: a team's recorded conversations with suppliers, their replies, quoted prices and the chat link.

Imports: catalog and below."""
