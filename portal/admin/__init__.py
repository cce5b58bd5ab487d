"""Administration: accounts, roles, schools served, and the audit trail."""
