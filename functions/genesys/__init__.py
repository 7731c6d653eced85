"""Genesys Cloud Platform API lookups (OAuth client credentials against the org's region)."""
