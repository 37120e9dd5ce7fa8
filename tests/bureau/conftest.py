"""The bureau's tests use the staff office (two departments, a form in each, one account
per role) and the shipped catalogue."""

from tests.staff.conftest import office  # noqa: F401  (fixture)
from tests.submissions.conftest import form_app  # noqa: F401  (fixture)
