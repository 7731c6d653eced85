"""Card payments: validate a card collected in a secure flow and authorise it with a processor."""
