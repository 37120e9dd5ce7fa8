"""Status badges are coloured by meaning, and the word is always there too."""

from __future__ import annotations

import re
from pathlib import Path

from app.badges import TONES, tone
from app.kpi.status import DIGITIZATION_STATUSES
from app.submissions.models import CASE_STATUSES

CSS = (Path(__file__).resolve().parent.parent / "app" / "static" / "app.css").read_text()


def test_every_status_of_both_vocabularies_has_a_tone_with_its_own_style():
    for code in [*CASE_STATUSES, *DIGITIZATION_STATUSES]:
        assert code in TONES, code
        assert re.search(rf"\.tag-{tone(code)}\b[^{{]*\{{", CSS), tone(code)


def test_received_returned_and_approved_look_different():
    assert len({tone("received"), tone("returned"), tone("approved"), tone("rejected")}) == 4
    assert tone("online") == tone("approved") == "done"
    assert tone(None) == tone("unknown") == "none"
