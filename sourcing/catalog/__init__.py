"""The shared catalog: products, options, suppliers, categories, price history, team searches and catalog jobs.
search.py cleans a search once (SearchRequest); keys.py names what reads and writes share; services/ fetch
(searches), offers, categories, jobs (the lifecycle and fair dispatch), upsert, suppliers, refresh, fill;
selectors/ for product listings, single pages and trust; pricing.py, offer_content.py; the search, product,
supplier, category and picture-search pages.

Imports: connections, accounts, core, the client. Domains above register hooks instead of being imported:
want sources (services/refresh.py) and products-changed hooks (services/upsert.py)."""
