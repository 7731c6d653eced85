"""Zendesk Support lookups (API token auth): tickets, users and organizations."""
