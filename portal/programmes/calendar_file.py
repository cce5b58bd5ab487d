"""The .ics file of an offering's sessions, in the family's language."""

from __future__ import annotations

from icalendar import Calendar, Event

from portal.programmes.models import Offering
from portal.timeutil import utcnow


def offering_calendar(offering: Offering, language: str, *, uid_domain: str) -> bytes:
    """Every session as an event, so that a phone's calendar reminds the family."""
    calendar = Calendar()
    calendar.add("prodid", "-//Puente//Workshops//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    title = offering.title(language)
    school = offering.school.name if offering.school else ""
    for number, session in enumerate(offering.sessions, start=1):
        place = ", ".join(p for p in (session.place, school) if p)
        event = Event()
        event.add("uid", f"offering-{offering.id}-session-{session.id}@{uid_domain}")
        topic = session.topic(language)
        event.add(
            "summary",
            f"{title} ({number}/{len(offering.sessions)})" + (f": {topic}" if topic else ""),
        )
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        event.add("dtstamp", utcnow())
        if place:
            event.add("location", place)
        calendar.add_component(event)
    return calendar.to_ical()
