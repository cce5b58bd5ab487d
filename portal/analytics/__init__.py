"""Figures for the dashboards: filters, scope and tables computed in the database."""
