"""Coordination teams: COST and SAART meetings at a school, and their next steps."""
