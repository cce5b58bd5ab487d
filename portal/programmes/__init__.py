"""Workshops, events and programmes: offerings, registration, waitlists and attendance."""
