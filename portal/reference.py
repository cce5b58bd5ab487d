"""Reference data a district needs before its first family arrives (`flask seed reference`)."""

from __future__ import annotations


def load_reference() -> dict[str, int]:
    """Concern categories, starter answers and programmes; idempotent, never overwrites."""
    from portal.knowledge.reference_data import load_categories_and_answers
    from portal.programmes.reference_data import load_programmes

    added = load_categories_and_answers()
    added["programmes"] = load_programmes()
    return added
