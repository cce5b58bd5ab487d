"""Data protection: how long personal data is kept, the purge, and a family's records on request."""
