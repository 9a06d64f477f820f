"""The foundation every other part of estate stands on, importing nothing above it.

Errors (one tree, a subclass per stage), atomic files, YAML read with located errors, the reference tables
with their sources, money/month helpers and the one reader of plans. See docs/architecture.md.
"""
