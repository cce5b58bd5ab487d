"""The tier model's state machine: every allowed and refused move."""

from __future__ import annotations

import pytest

from portal.concerns import workflow
from portal.concerns.models import Status as S

ALLOWED = {
    S.NEW: {S.ACKNOWLEDGED, S.IN_PROGRESS, S.MEETING, S.ESCALATED, S.RESOLVED},
    S.ACKNOWLEDGED: {S.IN_PROGRESS, S.MEETING, S.ESCALATED, S.RESOLVED},
    S.IN_PROGRESS: {S.MEETING, S.ESCALATED, S.RESOLVED},
    S.MEETING: {S.IN_PROGRESS, S.ESCALATED, S.RESOLVED},
    S.ESCALATED: {S.IN_PROGRESS, S.MEETING, S.RESOLVED},
    S.RESOLVED: {S.CLOSED, S.IN_PROGRESS},
    S.CLOSED: set(),
}


@pytest.mark.parametrize("tier", [2, 3])
@pytest.mark.parametrize("source", list(S))
@pytest.mark.parametrize("target", list(S))
def test_every_move_for_concerns(source, target, tier):
    if target in ALLOWED[source]:
        workflow.check(source, tier, target)
    else:
        with pytest.raises(workflow.TransitionNotAllowed):
            workflow.check(source, tier, target)


@pytest.mark.parametrize("source", list(S))
def test_inquiries_never_go_to_a_meeting(source):
    assert S.MEETING not in workflow.allowed(source, 1)
    assert workflow.allowed(source, 1) == ALLOWED[source] - {S.MEETING}


def test_manual_menu_leaves_meetings_and_escalation_to_their_own_forms():
    assert workflow.manual_choices(S.NEW, 2) == [S.ACKNOWLEDGED, S.IN_PROGRESS, S.RESOLVED]
    assert workflow.manual_choices(S.RESOLVED, 2) == [S.IN_PROGRESS, S.CLOSED]
    assert workflow.manual_choices(S.CLOSED, 2) == []
