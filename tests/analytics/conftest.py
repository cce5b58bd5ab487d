"""A small fixed district ledger whose figures are worked out by hand in the tests.

October 2025 (district zone America/Denver, UTC-6 until 2 November):

case  received  tier school  category  lang channel  service levels (due / done, district)
C1    Mon 10-06  2   101 NW  transport es  web      ack 10-07/10-07* fc 10-08/10-08 res 10-20/10-16
C2    Tue 10-07  2   101 NW  bullying  en  phone    ack 10-08/10-09  fc 10-09/10-10 res 10-21/open
C3    Wed 10-08  1   103 NW  transport es  phone    (Tier 1: res only) res 10-10/10-13, closed 10-14
C4    Tue 10-14  3   201 NE  bullying  en  email    ack 10-15/10-15  fc 10-16/10-20 res 10-28/open
C5    Wed 10-15  2   none    transport vi  liaison  ack 10-16/-      fc 10-17/-     res 10-29/-
C6    Mon 10-20  2   201 NE  transport es  web      every target due 2099-01-01: still pending
* acknowledged 03:00 UTC on 10-08, which is 21:00 on 10-07 in Denver: on time.

Earlier, all resolved before October: C7 transport 08-12, C8 and C9 bullying 09-03 and 09-04,
C10 attendance 07-01.

Meetings: M1 C1 facilitated 10-10 agreement; M2 C1 mediation 10-14, no outcome but past;
M3 C2 mediation 10-13 no agreement; M4 C4 facilitated 2099 (not held); M5 C4 facilitated
03:00 UTC on 10-20, which is Sunday 10-19 in Denver, family absent.

Quick logs: Q1 10-06 transport 101 en; Q2 05:00 UTC 10-07 (10-06 in Denver) bullying 201 es;
Q3 10-14 transport, no school, es; Q4 11-03 transport 103 en.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from portal.analytics.filters import Filters
from portal.concerns.models import (
    CallOutcome,
    Case,
    CaseKind,
    Channel,
    EscalationTarget,
    Meeting,
    MeetingKind,
    MeetingOutcome,
    QuickLog,
    Status,
)
from portal.extensions import db
from portal.families.models import FamilyContact
from portal.knowledge.models import Category
from portal.schools.models import Network, School

OCTOBER = Filters(start=date(2025, 10, 1), end=date(2025, 10, 31))
FAR = date(2099, 1, 1)


def utc(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def d(month: int, day: int) -> date:
    return date(2025, month, day)


@dataclass
class District:
    nw: int
    ne: int
    s101: int
    s103: int
    s201: int
    transport: int
    bullying: int
    attendance: int


def ids() -> District:
    network = {n.name: n.id for n in db.session.scalars(select(Network))}
    school = {s.code: s.id for s in db.session.scalars(select(School))}
    category = {c.code: c.id for c in db.session.scalars(select(Category))}
    return District(
        nw=network["Northwest Network"],
        ne=network["Northeast Network"],
        s101=school["101"],
        s103=school["103"],
        s201=school["201"],
        transport=category["transportation"],
        bullying=category["bullying"],
        attendance=category["attendance"],
    )


@pytest.fixture
def district(app_ctx) -> District:
    return ids()


@pytest.fixture
def make_case(app_ctx):
    """A factory for cases with exactly the fields a test names."""
    contact = FamilyContact(name="Test Family", language="en")
    db.session.add(contact)

    def make(received_on: date, category_id: int, school_id: int | None, **fields) -> Case:
        tier = fields.pop("tier", 2)
        case = Case(
            reference=f"T-{secrets.token_hex(6)}",
            submission_key=secrets.token_hex(16),
            access_salt="salt",
            access_code_hash="hash",
            kind=CaseKind.QUESTION if tier == 1 else CaseKind.CONCERN,
            tier=tier,
            status=fields.pop("status", Status.IN_PROGRESS),
            channel=fields.pop("channel", Channel.WEB),
            category_id=category_id,
            school_id=school_id,
            contact=contact,
            description="A fixed case for the analytics tests.",
            language=fields.pop("language", "en"),
            received_on=received_on,
            created_at=utc(received_on, 16),
            **fields,
        )
        db.session.add(case)
        db.session.flush()
        return case

    return make


def meeting(case: Case, kind: MeetingKind, at: datetime, outcome=None) -> Meeting:
    held = Meeting(kind=kind, scheduled_for=at, outcome=outcome)
    if outcome is not None:
        held.recorded_at = at
    case.meetings.append(held)
    db.session.flush()
    return held


def quick_log(category_id: int, school_id: int | None, language: str, at: datetime) -> None:
    db.session.add(
        QuickLog(
            category_id=category_id,
            school_id=school_id,
            language=language,
            outcome=CallOutcome.ANSWERED,
            created_at=at,
        )
    )
    db.session.flush()


@pytest.fixture
def ledger(district: District, make_case) -> District:
    """The fixed ledger of the module docstring, in the database (not yet refreshed)."""
    k = district
    c1 = make_case(
        d(10, 6), k.transport, k.s101, language="es", status=Status.RESOLVED,
        acknowledge_due=d(10, 7), first_contact_due=d(10, 8), resolve_due=d(10, 20),
        acknowledged_at=utc(d(10, 8), 3), first_contact_at=utc(d(10, 8), 18),
        resolved_at=utc(d(10, 16), 18),
    )  # fmt: skip
    c2 = make_case(
        d(10, 7), k.bullying, k.s101, channel=Channel.PHONE,
        acknowledge_due=d(10, 8), first_contact_due=d(10, 9), resolve_due=d(10, 21),
        acknowledged_at=utc(d(10, 9), 16), first_contact_at=utc(d(10, 10), 16),
    )  # fmt: skip
    make_case(
        d(10, 8), k.transport, k.s103, tier=1, language="es", channel=Channel.PHONE,
        status=Status.CLOSED, resolve_due=d(10, 10), resolved_at=utc(d(10, 13), 18),
        closed_at=utc(d(10, 14), 18),
    )  # fmt: skip
    c4 = make_case(
        d(10, 14), k.bullying, k.s201, tier=3, channel=Channel.EMAIL, status=Status.ESCALATED,
        escalation_target=EscalationTarget.SUPERINTENDENT,
        acknowledge_due=d(10, 15), first_contact_due=d(10, 16), resolve_due=d(10, 28),
        acknowledged_at=utc(d(10, 15), 15), first_contact_at=utc(d(10, 20), 15),
    )  # fmt: skip
    make_case(
        d(10, 15), k.transport, None, language="vi", channel=Channel.LIAISON, status=Status.NEW,
        acknowledge_due=d(10, 16), first_contact_due=d(10, 17), resolve_due=d(10, 29),
    )  # fmt: skip
    make_case(
        d(10, 20), k.transport, k.s201, language="es", status=Status.NEW,
        acknowledge_due=FAR, first_contact_due=FAR, resolve_due=FAR,
    )  # fmt: skip
    for received, category, status in (
        (d(8, 12), k.transport, Status.RESOLVED),
        (d(9, 3), k.bullying, Status.CLOSED),
        (d(9, 4), k.bullying, Status.RESOLVED),
        (d(7, 1), k.attendance, Status.RESOLVED),
    ):
        make_case(
            received, category, k.s103, status=status, resolved_at=utc(received, 20),
            closed_at=utc(received, 21) if status == Status.CLOSED else None,
        )  # fmt: skip
    meeting(c1, MeetingKind.FACILITATED, utc(d(10, 10), 16), MeetingOutcome.AGREEMENT)
    meeting(c1, MeetingKind.MEDIATION, utc(d(10, 14), 16))
    meeting(c2, MeetingKind.MEDIATION, utc(d(10, 13), 16), MeetingOutcome.NO_AGREEMENT)
    meeting(c4, MeetingKind.FACILITATED, utc(date(2099, 1, 5), 16))
    meeting(c4, MeetingKind.FACILITATED, utc(d(10, 20), 3), MeetingOutcome.FAMILY_DID_NOT_ATTEND)
    quick_log(k.transport, k.s101, "en", utc(d(10, 6), 17))
    quick_log(k.bullying, k.s201, "es", utc(d(10, 7), 5))
    quick_log(k.transport, None, "es", utc(d(10, 14), 17))
    quick_log(k.transport, k.s103, "en", utc(d(11, 3), 17))
    return district
