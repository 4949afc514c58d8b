"""Buying: where a team's goods go (ship-to addresses) and 1688's verified quotes of its lists.

Above alerts in the arrows (orders → alerts → lists → …): it reads lists, raises alerts, and shows its
quoted prices on the list pages through the lists' item-reader hook. Contract: docs/buying.md.
"""
