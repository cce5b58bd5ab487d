"""Signing in and out, and a user's own account."""
