"""Making and working referrals: routing, consent, workflow, flags, messages and audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.roles import Role
from portal.extensions import db
from portal.families.models import FamilyContact
from portal.outbox.models import OutboxMessage
from portal.referrals import services
from portal.referrals.models import (
    ConsentMethod,
    EntryKind,
    Outcome,
    Reason,
    Referral,
    Status,
    Supervision,
    Urgency,
)
from portal.referrals.scope import sent_referrals, visible_referrals
from portal.timeutil import district_today
from tests.referrals.conftest import NOTE, OTHER_PILOT, OWN_PILOT, OWN_PLAIN, user

pytestmark = pytest.mark.usefixtures("app_ctx")


def visible(who, referral: Referral) -> bool:  # noqa: ANN001
    return db.session.scalar(visible_referrals(who).where(Referral.id == referral.id)) is not None


def messages_since(first_id: int) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.id > first_id).order_by(OutboxMessage.id)
        )
    )


def last_message_id() -> int:
    return db.session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc())) or 0


class TestRouting:
    def test_an_ordinary_referral_goes_to_the_school_social_worker(self, refer):
        before = last_message_id()
        referral = refer(OWN_PLAIN)
        social_worker = user(Role.SOCIAL_WORKER)
        assert (referral.for_social_worker, referral.for_caseworker) == (True, False)
        # The only social worker at the school has it at once.
        assert referral.social_worker_id == social_worker.id
        assert referral.status is Status.NEW
        assert len(referral.token) >= 22 and not referral.token.isdigit()
        assert visible(social_worker, referral)
        assert not visible(user(Role.CASEWORKER), referral)
        sent = messages_since(before)
        assert [(m.kind, m.recipient) for m in sent] == [("referral.new", social_worker.email)]

    def test_child_safety_goes_to_both_at_once_without_consent(self, refer):
        before = last_message_id()
        referral = refer(OWN_PILOT, reasons=(Reason.CHILD_SAFETY,))
        assert referral.child_safety and referral.urgency is Urgency.URGENT
        assert (referral.for_social_worker, referral.for_caseworker) == (True, True)
        assert referral.consents == []
        assert visible(user(Role.SOCIAL_WORKER), referral)
        assert visible(user(Role.CASEWORKER), referral)
        sent = {(m.kind, m.recipient) for m in messages_since(before)}
        assert sent == {
            ("referral.child_safety", user(Role.SOCIAL_WORKER).email),
            ("referral.child_safety", user(Role.CASEWORKER).email),
        }

    def test_child_safety_at_a_school_outside_the_pilot_goes_to_the_social_worker(self, refer):
        referral = refer(OWN_PLAIN, reasons=(Reason.CHILD_SAFETY,))
        assert (referral.for_social_worker, referral.for_caseworker) == (True, False)

    def test_the_caseworker_needs_a_guardians_consent(self, refer):
        with pytest.raises(services.ReferralError) as error:
            refer(OWN_PILOT, to_caseworker=True)
        assert error.value.field == "consent_given_by"
        referral = refer(OWN_PILOT, to_caseworker=True, consent=True)
        assert (referral.for_social_worker, referral.for_caseworker) == (False, True)
        consent = referral.active_consent()
        assert (consent.given_by, consent.method) == ("Rosa Quintero", ConsentMethod.SIGNED_FORM)
        assert visible(user(Role.CASEWORKER), referral)
        assert not visible(user(Role.SOCIAL_WORKER), referral)

    def test_consent_on_the_form_cannot_be_dated_in_the_future(self, refer):
        tomorrow = district_today() + timedelta(days=1)
        with pytest.raises(services.ReferralError) as error:
            refer(OWN_PILOT, to_caseworker=True, consent=True, consent_on=tomorrow)
        assert error.value.field == "consent_given_on"
        assert db.session.scalar(select(Referral.id)) is None

    def test_the_caseworker_only_at_pilot_schools(self, refer):
        with pytest.raises(services.ReferralError) as error:
            refer(OWN_PLAIN, to_caseworker=True, consent=True)
        assert error.value.field == "destination"

    def test_homeless_and_foster_flags_tell_the_district_liaisons(self, refer, app):
        before = last_message_id()
        referral = refer(OWN_PLAIN, reasons=(Reason.HOUSING, Reason.FOSTER_CARE))
        assert referral.mckinney_vento and referral.foster_youth
        flagged = {m.recipient for m in messages_since(before) if m.kind == "referral.flagged"}
        assert flagged == {
            app.config["REFERRALS_HOMELESS_LIAISON_EMAIL"],
            app.config["REFERRALS_FOSTER_CARE_LIAISON_EMAIL"],
        }

    def test_messages_carry_no_student_or_family_detail(self, refer):
        before = last_message_id()
        refer(
            OWN_PILOT,
            reasons=(Reason.CHILD_SAFETY, Reason.HOUSING),
            student_first_name="Xiomara",
            family_name="Griselda Quintanilla",
            details="Bruises on both arms",
        )
        sent = messages_since(before)
        assert sent
        for message in sent:
            text = message.subject + message.body
            for secret in ("Xiomara", "Quintanilla", "Bruises", "+1720"):
                assert secret not in text, (message.kind, secret)

    def test_one_family_one_record(self, refer):
        first = refer(OWN_PLAIN, phone="+17205550111")
        second = refer(OWN_PILOT, phone="+17205550111", reasons=(Reason.ACADEMIC,))
        assert first.contact_id == second.contact_id
        assert (
            db.session.query(FamilyContact).filter(FamilyContact.phone == "+17205550111").count()
            == 1
        )

    def test_a_repeated_submission_makes_one_referral(self, refer):
        first = refer(OWN_PLAIN, key="k" * 24)
        again = refer(OWN_PLAIN, key="k" * 24)
        assert first.id == again.id
        assert db.session.query(Referral).filter(Referral.submission_key == "k" * 24).count() == 1

    def test_the_referrer_follows_only_their_own(self, refer):
        mine = refer(OWN_PILOT, by=Role.LIAISON)
        theirs = refer(OWN_PILOT, by=Role.SPECIALIST)
        ids = set(
            db.session.scalars(sent_referrals(user(Role.LIAISON)).with_only_columns(Referral.id))
        )
        assert mine.id in ids and theirs.id not in ids
        # Sending it gives no right to read it.
        assert not visible(user(Role.LIAISON), mine)


class TestWorkflow:
    def test_accept_contact_services_close(self, refer):
        referral = refer(OWN_PLAIN, by=Role.LIAISON)
        worker = user(Role.SOCIAL_WORKER)
        before = last_message_id()
        services.change_status(
            referral, services.StatusChange(Status.ACCEPTED), actor=worker, ip=None
        )
        assert referral.accepted_at is not None and referral.social_worker_id == worker.id
        status_mail = [m for m in messages_since(before) if m.kind == "referral.status"]
        assert [m.recipient for m in status_mail] == [user(Role.LIAISON).email]
        follow = district_today() + timedelta(days=7)
        services.change_status(
            referral,
            services.StatusChange(Status.CONTACTED, follow_up_on=follow),
            actor=worker,
            ip=None,
        )
        assert referral.follow_up_on == follow
        services.change_status(
            referral, services.StatusChange(Status.SERVICES_STARTED), actor=worker, ip=None
        )
        services.change_status(
            referral,
            services.StatusChange(Status.CLOSED, outcome=Outcome.GOALS_MET, notes="Attending"),
            actor=worker,
            ip=None,
        )
        assert referral.status is Status.CLOSED and referral.outcome is Outcome.GOALS_MET
        assert referral.follow_up_on is None
        moves = [e.detail["to"] for e in referral.entries if e.kind == EntryKind.STATUS_CHANGE]
        assert moves == ["accepted", "contacted", "services_started", "closed"]

    def test_decline_needs_a_reason_and_close_an_outcome(self, refer):
        referral = refer(OWN_PLAIN)
        worker = user(Role.SOCIAL_WORKER)
        with pytest.raises(services.ReferralError) as error:
            services.change_status(
                referral, services.StatusChange(Status.DECLINED), actor=worker, ip=None
            )
        assert error.value.field == "reason"
        with pytest.raises(services.ReferralError):
            services.change_status(
                referral, services.StatusChange(Status.CLOSED), actor=worker, ip=None
            )
        services.change_status(
            referral,
            services.StatusChange(Status.DECLINED, reason="Belongs with the school nurse"),
            actor=worker,
            ip=None,
        )
        assert referral.decline_reason == "Belongs with the school nurse"

    def test_no_skipping_steps(self, refer):
        referral = refer(OWN_PLAIN)
        with pytest.raises(services.ReferralError):
            services.change_status(
                referral,
                services.StatusChange(Status.SERVICES_STARTED),
                actor=user(Role.SOCIAL_WORKER),
                ip=None,
            )

    def test_follow_up_in_the_past_is_refused(self, refer):
        referral = refer(OWN_PLAIN)
        today = district_today()
        with pytest.raises(services.ReferralError):
            services.set_follow_up(
                referral,
                today - timedelta(days=1),
                actor=user(Role.SOCIAL_WORKER),
                ip=None,
                today=today,
            )
        services.set_follow_up(
            referral, today, actor=user(Role.SOCIAL_WORKER), ip=None, today=today
        )
        assert referral.follow_up_due(today)

    def test_a_status_change_cannot_set_a_follow_up_in_the_past(self, refer):
        referral = refer(OWN_PLAIN)
        yesterday = district_today() - timedelta(days=1)
        with pytest.raises(services.ReferralError) as error:
            services.change_status(
                referral,
                services.StatusChange(Status.ACCEPTED, follow_up_on=yesterday),
                actor=user(Role.SOCIAL_WORKER),
                ip=None,
            )
        assert error.value.field == "follow_up_on"

    def test_setting_a_flag_later_tells_the_liaison_once(self, refer, app):
        referral = refer(OWN_PLAIN)
        worker = user(Role.SOCIAL_WORKER)
        before = last_message_id()
        for _ in range(2):
            services.set_flags(
                referral, mckinney_vento=True, foster_youth=False, actor=worker, ip=None
            )
        services.set_flags(
            referral, mckinney_vento=False, foster_youth=False, actor=worker, ip=None
        )
        services.set_flags(referral, mckinney_vento=True, foster_youth=False, actor=worker, ip=None)
        flagged = [m for m in messages_since(before) if m.kind == "referral.flagged"]
        assert [m.recipient for m in flagged] == [app.config["REFERRALS_HOMELESS_LIAISON_EMAIL"]]


class TestConsent:
    def test_revoked_consent_ends_the_caseworkers_access(self, refer):
        referral = refer(OWN_PILOT, to_caseworker=True, consent=True)
        caseworker = user(Role.CASEWORKER)
        assert visible(caseworker, referral)
        consent = referral.active_consent()
        before = last_message_id()
        services.revoke_consent(
            referral, consent.id, ConsentMethod.PHONE, actor=caseworker, ip=None
        )
        assert consent.revoked_at is not None and consent.revocation_method is ConsentMethod.PHONE
        assert not visible(caseworker, referral)
        # No longer shared: it falls back to the school social worker, who is told.
        assert referral.for_social_worker
        assert visible(user(Role.SOCIAL_WORKER), referral)
        sent = [(m.kind, m.recipient) for m in messages_since(before)]
        assert sent == [("referral.consent_revoked", user(Role.SOCIAL_WORKER).email)]
        # And nothing new reaches the caseworker afterwards.
        before = last_message_id()
        services.change_status(
            referral,
            services.StatusChange(Status.ACCEPTED),
            actor=user(Role.SOCIAL_WORKER),
            ip=None,
        )
        assert all(m.recipient != caseworker.email for m in messages_since(before))

    def test_a_child_safety_referral_stays_with_the_caseworker(self, refer):
        referral = refer(OWN_PILOT, reasons=(Reason.CHILD_SAFETY,))
        # No consent is asked for, so none can be recorded or withdrawn to cut the caseworker off.
        with pytest.raises(services.ReferralError):
            services.record_consent(
                referral,
                services.ConsentInput("Rosa", ConsentMethod.PHONE, district_today()),
                actor=user(Role.SOCIAL_WORKER),
                ip=None,
                today=district_today(),
            )
        assert referral.consents == []
        assert visible(user(Role.CASEWORKER), referral)

    def test_consent_given_later_shares_with_the_caseworker(self, refer):
        referral = refer(OWN_PILOT)
        caseworker = user(Role.CASEWORKER)
        assert not visible(caseworker, referral)
        before = last_message_id()
        services.record_consent(
            referral,
            services.ConsentInput("Rosa Quintero", ConsentMethod.IN_PERSON, district_today()),
            actor=user(Role.SOCIAL_WORKER),
            ip=None,
            today=district_today(),
        )
        assert visible(caseworker, referral)
        assert [(m.kind, m.recipient) for m in messages_since(before)] == [
            ("referral.new", caseworker.email)
        ]

    def test_no_consent_outside_the_pilot(self, refer):
        referral = refer(OWN_PLAIN)
        with pytest.raises(services.ReferralError):
            services.record_consent(
                referral,
                services.ConsentInput("Rosa", ConsentMethod.PHONE, district_today()),
                actor=user(Role.SOCIAL_WORKER),
                ip=None,
                today=district_today(),
            )


class TestScope:
    def test_another_schools_worker_reads_nothing(self, refer, make_user):
        referral = refer(OWN_PLAIN)
        stranger = make_user(Role.SOCIAL_WORKER, schools=(refer_school(OTHER_PILOT),))
        assert not visible(stranger, referral)

    def test_the_supervisor_reads_what_their_workers_read(self, refer, make_user):
        referral = refer(OWN_PLAIN)
        lead = make_user(Role.SOCIAL_WORKER)
        assert not visible(lead, referral)
        db.session.add(Supervision(supervisor_id=lead.id, worker_id=user(Role.SOCIAL_WORKER).id))
        db.session.commit()
        assert visible(lead, referral)

    @pytest.mark.parametrize(
        "role",
        [r for r in Role if r not in (Role.SOCIAL_WORKER, Role.CASEWORKER)],
    )
    def test_no_other_role_reads_a_referral(self, refer, role):
        referral = refer(OWN_PILOT, reasons=(Reason.CHILD_SAFETY,))
        assert not visible(user(role), referral)


class TestAudit:
    def test_notes_are_audited_without_their_text(self, refer):
        referral = refer(OWN_PLAIN)
        services.add_note(referral, NOTE, actor=user(Role.SOCIAL_WORKER), ip=None)
        rows = services.access_history(referral)
        assert [r.action for r in rows][:2] == ["referral.changed", "referral.submitted"]
        assert all(NOTE not in str(r.detail) for r in rows)

    def test_each_read_is_a_row(self, refer):
        referral = refer(OWN_PLAIN)
        worker = user(Role.SOCIAL_WORKER)
        services.audit_reads(
            [referral, referral], "referral.viewed", actor=worker, ip="203.0.113.4"
        )
        reads = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "referral.viewed", AuditEvent.target_id == str(referral.id)
            )
        ).all()
        assert len(reads) == 2 and {r.actor_id for r in reads} == {worker.id}


def refer_school(code: str) -> int:
    from tests.referrals.conftest import school

    return school(code).id
