"""Rendering a reconciliation: terminal tables, JSON, CSV, XLSX and HTML. Reports compute nothing of their own."""
