"""Presence sync: each agent's status kept in step between the contact-center platform (NICE
CXone or Genesys Cloud) and Salesforce Omni-Channel, by the admin's rules (see README)."""
