"""Family contacts shared by concerns, registrations and referrals."""
