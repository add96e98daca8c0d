"""Benchmark of the overview and lead pages at dealer-group scale (issue 8)."""
