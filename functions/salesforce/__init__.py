"""Salesforce lookups and the caller-context flow (OAuth 2.0, REST query/search/composite)."""
