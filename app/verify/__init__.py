"""/verify: anyone uploads a PDF and learns whether the prefecture issued it (its
signature holds against the prefecture's certificate and its record is found) and
whether it was changed since."""
