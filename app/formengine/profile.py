"""What a form may ask of a signed-in person (docs/identity.md): whether it needs sign-in,
by which kinds of provider, and the profile facts a provider vouches for that a question
may be filled from (`prefill: profile.<fact>`). Names only: reading the claims is
app/identity's work."""

from __future__ import annotations

# identity: none (anonymous only, the default), optional (sign-in offered), required
IDENTITY_LEVELS = ("none", "optional", "required")
# individuals (My Number Card and the like) and businesses (gBizID and the like)
PROVIDER_KINDS = ("individual", "business")

# profile fact → the field types a question filled from it may have
PROFILE_FACTS = {
    "name": ("name",),
    "address": ("address",),
    "birthdate": ("date",),
    "gender": ("radio", "select"),
    "email": ("email",),
    "corporate_number": ("text",),
    "corporate_name": ("text",),
    "representative_name": ("text",),
}
