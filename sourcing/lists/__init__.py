"""Team lists: lists, items with option and quantity, comments, activity, compare, CSV/Excel exports, exchange
rates, the save menus and product cards (template tags lists and cards).

Imports: inquiries (quotes travel onto list items), catalog and below."""
