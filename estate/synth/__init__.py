"""Offline plan synthesis: run the real Pulumi program under Pulumi's mock runtime and record a preview plan."""
