"""Resident and business sign-in by OpenID Connect (docs/identity.md)."""
