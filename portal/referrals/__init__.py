"""Referrals to the school social worker and the county caseworker (SPEC.md §4)."""
