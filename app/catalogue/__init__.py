"""Procedures catalogue: departments, procedures, yearly volumes, status history."""
