"""Google Sheets as a lookup table: find a customer by phone, query, append and update rows
(service-account credentials, tokens from google-auth)."""
