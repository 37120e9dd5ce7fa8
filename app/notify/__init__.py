"""Notifications: email (SMTP or .eml files) and webhooks (signed JSON POSTs)."""
