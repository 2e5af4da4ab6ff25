"""Benchmarks, run on demand: ``python -m bench``. Each prints a ratio against a baseline
measured in the same run, on the same machine, so the numbers compare like with like."""
