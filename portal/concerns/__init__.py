"""Family Constituency Services: questions and concerns worked through tiers."""
