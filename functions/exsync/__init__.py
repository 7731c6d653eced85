"""EX sync, part 1: NICE CXone configuration into Genesys Cloud EX (initial and ongoing sync)."""
