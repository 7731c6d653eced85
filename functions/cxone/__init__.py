"""NICE CXone: the adapter both sync services use (presence sync, EX sync)."""
