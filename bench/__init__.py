"""Benchmarks and their data generators. Results are written up in docs/performance.md."""
