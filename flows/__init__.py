"""Prefect orchestration only: thin flows over library functions that work without Prefect.

The ingest, publish and nightly flows arrive with the warehouse issue (#4).
"""
