"""Actual spend straight from Azure Cost Management (Query and Cost Details APIs), throttled and resumable."""
