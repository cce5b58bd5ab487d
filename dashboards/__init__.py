"""Leadership dashboards (Dash), mounted on the portal's own server under /dashboards/."""
