"""Prices: the Retail Prices API client and snapshots, rate cards, EA/MCA price sheets, and the catalogue that
answers declarative price queries. Knows no resource types."""
