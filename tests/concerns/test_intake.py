"""Submitting, receipts, access codes, tracking and the survey, at the service level."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.auth.roles import Role
from portal.concerns import access_codes, intake
from portal.concerns.models import Case, CaseKind, EntryKind, Status
from portal.extensions import db
from portal.families.models import FamilyContact
from portal.outbox.models import OutboxMessage
from tests.concerns.conftest import load_case, user_id

pytestmark = pytest.mark.usefixtures("app_ctx")


def test_submission_creates_a_case_with_reference_code_and_due_dates(submit):
    receipt = submit()
    assert re.fullmatch(r"FCS-2026-\d{6}", receipt.reference)
    assert re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{4}-){6}[0-9A-HJKMNP-TV-Z]{4}", receipt.access_code)
    case = load_case(receipt.reference)
    assert case.status == Status.NEW and case.tier == 2
    # Monday 16 Nov: acknowledge Tuesday, first contact Wednesday, resolve after Thanksgiving.
    assert str(case.acknowledge_due) == "2026-11-17"
    assert str(case.first_contact_due) == "2026-11-18"
    assert str(case.resolve_due) == "2026-12-07"
    assert case.access_code_hash != receipt.access_code  # only a hash is stored
    assert [e.kind for e in case.entries] == [EntryKind.SUBMITTED]


def test_questions_are_tier_1_with_one_target(submit):
    case = load_case(submit(kind=CaseKind.QUESTION).reference)
    assert case.tier == 1 and case.acknowledge_due is None
    assert str(case.resolve_due) == "2026-11-18"


def test_references_are_sequential_within_the_year(submit):
    first, second = submit(), submit()
    a, b = (int(r.reference.rsplit("-", 1)[1]) for r in (first, second))
    assert b == a + 1


def test_same_key_twice_gives_one_case_and_the_same_receipt(submit):
    first = submit(key="k" * 32)
    second = submit(key="k" * 32, description="A changed description on the retry")
    assert first == second
    assert (
        db.session.scalar(
            select(func.count()).select_from(Case).where(Case.submission_key == "k" * 32)
        )
        == 1
    )
    assert load_case(first.reference).description == "The bus is late every morning."


def test_receipt_is_queued_in_the_familys_language_once(submit):
    receipt = submit(key="r" * 32)
    submit(key="r" * 32)
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "concern.receipt")
    ).all()
    assert {m.channel.value for m in messages} == {"email"}  # phone only for texters
    (message,) = messages
    assert message.language == "es" and receipt.reference in message.subject
    assert receipt.access_code in message.body and "Recibimos" in message.subject


def test_text_message_when_the_family_asks_for_texts(submit):
    from portal.families.models import ContactMethod

    submit(contact_method=ContactMethod.TEXT, email=None, language="en")
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "concern.receipt")
    ).one()
    assert message.channel.value == "sms" and message.recipient == "+17205550142"


def test_returning_family_is_matched_by_phone_or_email(submit):
    submit(email="rosa@example.org", phone="+17205550142")
    submit(email=None, phone="+17205550142", name="Rosa M.", best_time="mornings")
    submit(email="ROSA@example.org".lower(), phone=None)
    contacts = db.session.scalars(select(FamilyContact)).all()
    assert len(contacts) == 1
    assert contacts[0].phone == "+17205550142" and contacts[0].email == "rosa@example.org"
    assert contacts[0].best_time == "mornings"  # a blank later never erases what they said


def test_child_safety_goes_to_the_senior_manager_at_once(submit):
    case = load_case(submit(kind=CaseKind.QUESTION, child_in_danger=True).reference)
    assert case.urgent and case.child_safety and case.tier == 2
    assert case.assignee_id == user_id(Role.SENIOR_MANAGER)


def test_access_code_opens_the_case_and_a_reference_alone_does_not(submit):
    receipt = submit()
    assert intake.find_for_family(receipt.reference, receipt.access_code).reference == (
        receipt.reference
    )
    # Forgiving of case, spaces and look-alike letters; strict about everything else.
    loose = receipt.access_code.lower().replace("-", " ").replace("0", "o")
    assert intake.find_for_family(receipt.reference.lower(), loose) is not None
    assert intake.find_for_family(receipt.reference, "") is None
    assert intake.find_for_family(receipt.reference, "A" * 28) is None
    assert intake.find_for_family("FCS-2026-999999", receipt.access_code) is None
    other = submit()
    assert intake.find_for_family(other.reference, receipt.access_code) is None


def test_reissued_code_replaces_the_old_one(submit, app):
    receipt = submit()
    case = load_case(receipt.reference)
    new = intake.reissue_code(
        case, secret_key=app.config["SECRET_KEY"], actor_id=user_id(Role.SPECIALIST), ip=None
    )
    assert new != receipt.access_code
    assert intake.find_for_family(receipt.reference, receipt.access_code) is None
    assert intake.find_for_family(receipt.reference, new) is not None
    assert db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "concern.new_code")
    ).one()


def test_codes_are_derived_from_the_secret_and_not_guessable():
    code = access_codes.derive_code("secret", "FCS-2026-000001", "salt")
    assert code == access_codes.derive_code("secret", "FCS-2026-000001", "salt")
    assert code != access_codes.derive_code("other secret", "FCS-2026-000001", "salt")
    assert code != access_codes.derive_code("secret", "FCS-2026-000001", "salt2")
    assert len(code) * 5 >= 128


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("FCS-2026-004217", "FCS-2026-004217"),
        ("fcs 2026 4217", "FCS-2026-004217"),
        ("2026-004217", "FCS-2026-004217"),
        ("hello", ""),
        ("<script>", ""),
        ("", ""),
    ],
)
def test_reference_normalisation(raw, expected):
    assert access_codes.normalize_reference(raw) == expected


def test_family_timeline_hides_internal_entries(submit):
    from portal.concerns.casework import add_entry

    case = load_case(submit().reference)
    add_entry(
        case,
        EntryKind.INTERNAL_NOTE,
        "Principal is defensive; careful.",
        actor_id=user_id(Role.SPECIALIST),
        ip=None,
    )
    add_entry(
        case,
        EntryKind.FAMILY_NOTE,
        "We called the school for you.",
        actor_id=user_id(Role.SPECIALIST),
        ip=None,
    )
    bodies = [e.body for e in intake.family_timeline(case)]
    assert "We called the school for you." in bodies
    assert all("defensive" not in b for b in bodies)


def test_survey_only_after_resolution_and_only_once(submit):
    from portal.concerns.casework import change_status

    case = load_case(submit().reference)
    with pytest.raises(intake.SurveyNotOpen):
        intake.answer_survey(case, 5, "")
    change_status(
        case,
        Status.RESOLVED,
        actor_id=user_id(Role.SPECIALIST),
        ip=None,
        summary="The bus route was changed.",
    )
    intake.answer_survey(case, 4, "Gracias")
    with pytest.raises(intake.SurveyAlreadyAnswered):
        intake.answer_survey(case, 1, "again")
    with pytest.raises(ValueError):
        intake.answer_survey(load_case(submit().reference), 9, "")
