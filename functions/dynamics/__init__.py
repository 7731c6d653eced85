"""Microsoft Dynamics 365 (Dataverse Web API) lookups, Entra ID client credentials."""
