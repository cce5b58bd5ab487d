"""The public home page, the district calendar, and health checks."""
