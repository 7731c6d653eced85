"""Benchmarks that print figures (``./dev bench [cold|warm|lookup|package]``); no assertions."""
