"""A handful of fictional referrals at the demo social worker's and caseworker's schools.

Written as rows, not through `services.submit`, so that loading the demo queues no messages.
Deterministic: the same referrals every time, relative to `today`; loaded once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from portal.admin.services import UserInput, create_user
from portal.auth.models import User
from portal.auth.roles import Role
from portal.demo import DEMO_DOMAIN, DEMO_PASSWORD
from portal.extensions import db
from portal.families.models import ContactMethod
from portal.families.services import ContactInput, find_or_create_contact
from portal.referrals.models import (
    Consent,
    ConsentMethod,
    EntryKind,
    Outcome,
    Reason,
    Referral,
    ReferralEntry,
    ReferralReason,
    ServiceReferral,
    Status,
    Supervision,
    Urgency,
)
from portal.referrals.services import new_token
from portal.resources.models import Resource
from portal.schools.models import School

SUPERVISOR_EMAIL = f"social.work.lead@{DEMO_DOMAIN}"


@dataclass(frozen=True)
class DemoReferral:
    key: str
    school: str
    student: tuple[str, str, str]  # first name, last initial, grade
    family: tuple[str, str, str]  # name, phone, language
    reasons: tuple[Reason, ...]
    status: Status
    days_ago: int
    referrer: str  # the demo account's email local part
    details: str
    tried: str = ""
    urgency: Urgency = Urgency.ROUTINE
    to_caseworker: bool = False
    follow_up_in: int | None = None
    notes: tuple[str, ...] = ()
    service_needs: tuple[str, ...] = field(default=())
    outcome: Outcome | None = None
    decline_reason: str = ""


REFERRALS = (
    DemoReferral(
        "demo-ref-1",
        "506",
        ("Camila", "R", "3"),
        ("Verónica Ríos", "+17205550171", "es"),
        (Reason.ATTENDANCE, Reason.BASIC_NEEDS),
        Status.NEW,
        1,
        "liaison",
        "Camila ha faltado 9 días este mes. La mamá dice que no tienen ropa de invierno y que "
        "el autobús pasa muy temprano.",
        "Llamadas de la maestra; la enlace le dio información del banco de ropa.",
    ),
    DemoReferral(
        "demo-ref-2",
        "101",
        ("Mateo", "G", "1"),
        ("Luis Gómez", "+17205550172", "es"),
        (Reason.CHILD_SAFETY,),
        Status.ACCEPTED,
        2,
        "specialist",
        "The student told his teacher about bruises from an adult at home. The teacher called "
        "the hotline the same morning.",
        urgency=Urgency.URGENT,
        follow_up_in=0,
        notes=("Hotline report confirmed by the teacher; county caseworker informed.",),
    ),
    DemoReferral(
        "demo-ref-3",
        "301",
        ("Jayden", "M", "5"),
        ("Keisha Moore", "+17205550173", "en"),
        (Reason.HOUSING, Reason.ATTENDANCE),
        Status.CONTACTED,
        9,
        "specialist",
        "Family lost their apartment and is staying with relatives across town; the student "
        "has missed the bus most mornings.",
        "Front office arranged a late pass.",
        urgency=Urgency.PRIORITY,
        follow_up_in=-1,
        notes=("Spoke with Ms. Moore; family qualifies under McKinney-Vento.",),
        service_needs=("housing",),
    ),
    DemoReferral(
        "demo-ref-4",
        "103",
        ("Sofia", "L", "4"),
        ("Ana López", "+17205550174", "es"),
        (Reason.MENTAL_HEALTH,),
        Status.SERVICES_STARTED,
        20,
        "specialist",
        "Tearful most days since her grandmother died; not eating lunch.",
        "Counselor check-ins twice a week.",
        follow_up_in=6,
        notes=("First session with the community counselor went well.",),
        service_needs=("mental_health",),
    ),
    DemoReferral(
        "demo-ref-5",
        "506",
        ("Andre", "T", "2"),
        ("Denise Thompson", "+17205550175", "en"),
        (Reason.FOSTER_CARE, Reason.ACADEMIC),
        Status.ACCEPTED,
        5,
        "liaison",
        "Recently placed with a foster family; reading far below grade level and the foster "
        "parent wants help with the school transition.",
        to_caseworker=True,
        follow_up_in=3,
    ),
    DemoReferral(
        "demo-ref-6",
        "101",
        ("Diego", "H", "K"),
        ("Marisol Hernández", "+17205550176", "es"),
        (Reason.BEHAVIOUR,),
        Status.CLOSED,
        45,
        "specialist",
        "Hitting classmates during recess.",
        "Behavior plan with the classroom teacher.",
        outcome=Outcome.GOALS_MET,
        service_needs=("family_wellness",),
    ),
    DemoReferral(
        "demo-ref-7",
        "103",
        ("Emily", "C", "5"),
        ("Jennifer Clark", "+17205550177", "en"),
        (Reason.ACADEMIC,),
        Status.DECLINED,
        12,
        "specialist",
        "Falling behind in math.",
        decline_reason="Academic support belongs with the school's intervention team; "
        "passed to the principal.",
    ),
)


def _account(local: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == f"{local}@{DEMO_DOMAIN}"))


def _supervisor() -> int:
    """A lead social worker who supervises the demo social worker and caseworker."""
    lead = db.session.scalar(select(User).where(User.email == SUPERVISOR_EMAIL))
    created = 0
    if lead is None:
        lead = create_user(
            UserInput(
                email=SUPERVISOR_EMAIL,
                name="Beatriz Salazar",
                preferred_language="es",
                roles=frozenset({Role.SOCIAL_WORKER}),
                school_ids=frozenset(),
                network_id=None,
                password=DEMO_PASSWORD,
            ),
            actor_id=None,
            ip=None,
            notify=False,
        )
        created = 1
    for local in ("social.worker", "caseworker"):
        worker = _account(local)
        if worker is not None and db.session.get(Supervision, (lead.id, worker.id)) is None:
            db.session.add(Supervision(supervisor_id=lead.id, worker_id=worker.id))
    db.session.commit()
    return created


def load_demo_referrals(today: date) -> dict[str, int]:
    """Create the demo referrals and the supervisor link once; running it again adds nothing."""
    created = {"supervisor accounts": _supervisor(), "referrals": 0}
    if db.session.scalar(select(Referral.id).limit(1)) is not None:
        return created
    schools = {s.code: s for s in db.session.scalars(select(School))}
    social_worker = _account("social.worker")
    caseworker = _account("caseworker")
    resources = list(
        db.session.scalars(
            select(Resource).where(Resource.archived_at.is_(None)).order_by(Resource.id)
        )
    )
    for n, spec in enumerate(REFERRALS):
        school = schools.get(spec.school)
        if school is None:
            continue
        made = datetime.combine(today - timedelta(days=spec.days_ago), time(15, n), tzinfo=UTC)
        referrer = _account(spec.referrer)
        name, phone, language = spec.family
        contact = find_or_create_contact(
            ContactInput(
                name=name, phone=phone, language=language, contact_method=ContactMethod.PHONE
            )
        )
        child_safety = Reason.CHILD_SAFETY in spec.reasons
        to_caseworker = spec.to_caseworker or (child_safety and school.human_services_pilot)
        referral = Referral(
            token=new_token(),  # random even here: a demo address is no easier to guess
            submission_key=spec.key,
            school_id=school.id,
            contact=contact,
            student_first_name=spec.student[0],
            student_last_initial=spec.student[1],
            student_grade=spec.student[2],
            urgency=spec.urgency,
            details=spec.details,
            tried=spec.tried,
            child_safety=child_safety,
            mckinney_vento=Reason.HOUSING in spec.reasons,
            foster_youth=Reason.FOSTER_CARE in spec.reasons,
            for_social_worker=child_safety or not to_caseworker,
            for_caseworker=to_caseworker,
            status=spec.status,
            referred_by_id=referrer.id if referrer else None,
            social_worker_id=social_worker.id
            if social_worker and (child_safety or not to_caseworker)
            else None,
            caseworker_id=caseworker.id if caseworker and to_caseworker else None,
            created_at=made,
            updated_at=made,
            decline_reason=spec.decline_reason,
            outcome=spec.outcome,
            follow_up_on=today + timedelta(days=spec.follow_up_in)
            if spec.follow_up_in is not None
            else None,
        )
        referral.reason_rows = [ReferralReason(reason=r) for r in spec.reasons]
        referral.entries.append(
            ReferralEntry(
                kind=EntryKind.SUBMITTED,
                author_id=referral.referred_by_id,
                created_at=made,
                detail={"reasons": [r.value for r in spec.reasons]},
            )
        )
        worker = caseworker if spec.to_caseworker else social_worker
        later = made + timedelta(hours=20)
        if spec.to_caseworker:
            referral.consents.append(
                Consent(
                    given_by=name,
                    relationship_to_student="Foster parent",
                    method=ConsentMethod.SIGNED_FORM,
                    given_on=made.date(),
                    recorded_by_id=referral.referred_by_id,
                    recorded_at=made,
                )
            )
        if spec.status is not Status.NEW:
            referral.accepted_at = later if spec.status is not Status.DECLINED else None
            referral.entries.append(
                ReferralEntry(
                    kind=EntryKind.STATUS_CHANGE,
                    author_id=worker.id if worker else None,
                    created_at=later,
                    body=spec.decline_reason,
                    detail={"from": "new", "to": spec.status.value},
                )
            )
        if spec.status in (Status.CONTACTED, Status.SERVICES_STARTED, Status.CLOSED):
            referral.contacted_at = later
        if spec.status in (Status.SERVICES_STARTED, Status.CLOSED):
            referral.services_started_at = later
        if spec.status in (Status.CLOSED, Status.DECLINED):
            referral.closed_at = later
        for note in spec.notes:
            referral.entries.append(
                ReferralEntry(
                    kind=EntryKind.NOTE,
                    author_id=worker.id if worker else None,
                    created_at=later,
                    body=note,
                )
            )
        for need in spec.service_needs:
            match = next((r for r in resources if need in {x.value for x in r.needs}), None)
            if match is not None:
                referral.services.append(
                    ServiceReferral(
                        resource_id=match.id,
                        referred_on=later.date(),
                        added_by_id=worker.id if worker else None,
                        created_at=later,
                    )
                )
        db.session.add(referral)
        created["referrals"] += 1
    db.session.commit()
    return created
