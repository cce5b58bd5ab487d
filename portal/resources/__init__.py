"""The community resource directory: bilingual listings of services families can turn to."""
