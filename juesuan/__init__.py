"""juesuan (决算): Chinese department final-account disclosures as a validated, queryable dataset."""

__version__ = "0.1.0"
