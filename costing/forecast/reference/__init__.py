"""Reference tables the cost model reads (see README.md beside this file for their sources)."""
