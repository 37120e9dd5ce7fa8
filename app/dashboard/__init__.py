"""The public dashboard of the digitization KPI."""
