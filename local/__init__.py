"""Local tooling (never shipped to Lambda): the CLI, local invocation, the local API, and the
built-in local stand-ins that speak each vendor's wire format on ephemeral localhost ports."""
