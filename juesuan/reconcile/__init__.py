"""Accounting identities and narrative/table/year checks as data; arrives with issue #5."""
