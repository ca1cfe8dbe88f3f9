"""DuckDB warehouse and Parquet extracts; arrives with issue #4."""
