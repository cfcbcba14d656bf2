"""The benchmark data generator's parts (bench/generate.py runs them)."""
