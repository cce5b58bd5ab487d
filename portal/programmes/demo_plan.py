"""What the FACE office runs in the demo school year, and when.

Dates are weeks from the first Monday of the school year, so the same year unfolds whatever
day the demo is loaded; whether an offering is over, running or still a draft follows from
that day (see demo_year).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from portal.programmes.models import OfferingLanguage

ES, EN, BOTH = OfferingLanguage.SPANISH, OfferingLanguage.ENGLISH, OfferingLanguage.BILINGUAL
TUE, WED, THU = 1, 2, 3

CAFETERIA = "Cafeteria / Cafetería"
LIBRARY = "Library / Biblioteca"
FAMILY_ROOM = "Family room / Salón de familias"
GYM = "Gym / Gimnasio"
AUDITORIUM = "Auditorium / Auditorio"
FACE_OFFICE = "FACE office, 3131 W 14th Ave, Room 200 / Salón 200"


@dataclass(frozen=True)
class Plan:
    """One offering of the year, before it meets anyone."""

    programme: str
    school: str | None
    week: int  # of the first session, from the school year's first Monday
    weekday: int
    language: OfferingLanguage = BOTH
    capacity: int = 30
    facilitators: int = 0
    evening: bool = True  # 5:30-7:30 pm, else 8:30-10 am
    title: tuple[str, str] = ("", "")
    # The sessions' topics; empty: the programme's own, or one session for an event.
    topics: tuple[tuple[str, str], ...] = ()
    every: int = 7  # days between sessions
    location: str = CAFETERIA
    fill: float = 0.75  # share of the seats taken, unless full
    full: bool = False  # every seat taken and families waiting
    cancelled: bool = False
    closes_once_started: bool = False
    moved: tuple[int, str] | None = None  # a session that meets somewhere else
    childcare: bool = True
    interpretation: bool = True
    # Created and run by the host school's family liaison, not by the FACE office.
    by_liaison: bool = False


_pp = partial(Plan, "parenting-partners")
_meals = partial(Plan, "healthy-meals")


def _event(
    school: str,
    week: int,
    day: int,
    en: str,
    es: str,
    *,
    capacity: int,
    location: str = GYM,
    childcare: bool = True,
    evening: bool = True,
) -> Plan:
    """A one-off family event: the school's liaison plans it and runs the door (SPEC 1, 3)."""
    return Plan(
        "family-event",
        school,
        week,
        day,
        BOTH,
        capacity=capacity,
        title=(en, es),
        location=location,
        evening=evening,
        fill=0.22,
        childcare=childcare,
        by_liaison=True,
    )


def _training(week: int, title: tuple[str, str], topic: tuple[str, str]) -> Plan:
    return Plan(
        "liaison-training",
        None,
        week,
        WED,
        BOTH,
        capacity=30,
        evening=False,
        title=title,
        topics=(topic,),
        location=FACE_OFFICE,
        fill=0.9,
        childcare=False,
        interpretation=False,
    )


FAMILY_OFFERINGS = (
    # Autumn cohorts, over by late October.
    _pp("301", 4, TUE, BOTH, capacity=30, facilitators=2, fill=0.85),
    _pp("506", 4, WED, ES, capacity=24, facilitators=1, fill=0.9, evening=False,
        location=FAMILY_ROOM),
    _pp("201", 4, THU, BOTH, capacity=35, facilitators=2, fill=0.8, location=LIBRARY),
    _meals("101", 5, TUE, BOTH, capacity=20, facilitators=1, fill=0.8),
    _meals("206", 6, THU, BOTH, capacity=18, facilitators=1, fill=0.85),
    # Cohorts that started in late October: running now, one full with families waiting.
    _pp("304", 10, TUE, ES, capacity=30, facilitators=2, full=True, moved=(3, LIBRARY)),
    _pp("405", 10, WED, EN, capacity=25, facilitators=1, fill=0.75, location=FAMILY_ROOM),
    _pp("103", 10, THU, BOTH, capacity=24, facilitators=1, fill=0.8, evening=False,
        location=LIBRARY, closes_once_started=True),
    _meals("502", 12, TUE, BOTH, capacity=20, facilitators=1, fill=0.75),
    # Too few families signed up before the winter break.
    _meals("508", 15, WED, ES, capacity=20, facilitators=1, fill=0.3, cancelled=True),
    # Spring cohorts taking registrations.
    _pp("501", 23, TUE, ES, capacity=30, facilitators=2, full=True),
    _pp("202", 23, WED, BOTH, capacity=35, facilitators=2, fill=0.6, location=LIBRARY),
    _pp("406", 23, THU, EN, capacity=20, facilitators=1, fill=0.5, evening=False,
        location=FAMILY_ROOM),
    _meals("302", 25, TUE, EN, capacity=18, facilitators=1, fill=0.5),
    _meals("507", 26, WED, ES, capacity=15, facilitators=1, full=True),
    # After spring break: still being planned.
    _pp("306", 33, TUE, ES, capacity=30, facilitators=2),
    _pp("105", 33, THU, EN, capacity=25, facilitators=2, location=LIBRARY),
    _meals("203", 34, WED, BOTH, capacity=20, facilitators=1),
    # One-off family events.
    _event("201", 1, THU, "Back-to-school family night", "Noche familiar de regreso a clases",
           capacity=120),
    _event("301", 5, THU, "Hispanic Heritage Month family celebration",
           "Celebración familiar del Mes de la Herencia Hispana", capacity=100),
    _event("506", 10, THU, "Día de los Muertos family night", "Noche familiar de Día de Muertos",
           capacity=80, location=CAFETERIA),
    _event("405", 12, THU, "Family literacy night", "Noche de lectura en familia", capacity=80,
           location=LIBRARY),
    _event("103", 16, TUE, "Family math night", "Noche de matemáticas en familia", capacity=60,
           location=CAFETERIA),
    _event("303", 21, THU, "FAFSA and college night",
           "Noche de universidad y ayuda financiera (FAFSA)", capacity=100,
           location=AUDITORIUM, childcare=False),
    _event("304", 25, THU, "Kindergarten readiness evening", "Tarde de preparación para el kínder",
           capacity=60, location=FAMILY_ROOM),
    _event("202", 35, THU, "Moving up to middle school", "El paso a la secundaria", capacity=80,
           location=AUDITORIUM),
    # Smaller ones the liaisons hold through the year, some of them in the morning.
    _event("501", 6, WED, "Coffee with the principal", "Café con la directora", capacity=30,
           location=FAMILY_ROOM, evening=False),
    _event("304", 7, WED, "Coffee with the principal", "Café con el director", capacity=30,
           location=FAMILY_ROOM, evening=False),
    _event("506", 13, THU, "Family resource fair", "Feria de recursos para las familias",
           capacity=80),
)  # fmt: skip

LIAISON_TRAININGS = (
    _training(
        0,
        ("New family liaison orientation", "Orientación para nuevos enlaces familiares"),
        ("Your role, your schools and the FACE team", "Su papel, sus escuelas y el equipo FACE"),
    ),
    _training(
        8,
        (
            "Language access: working with interpreters",
            "Acceso lingüístico: cómo trabajar con intérpretes",
        ),
        (
            "Planning interpreted meetings and conferences",
            "Cómo planear reuniones y conferencias con interpretación",
        ),
    ),
    _training(
        22,
        (
            "Supporting families in special education meetings",
            "Cómo acompañar a las familias en las reuniones de educación especial",
        ),
        (
            "Before, during and after the IEP meeting",
            "Antes, durante y después de la reunión del IEP",
        ),
    ),
    _training(
        30,
        (
            "Restorative conversations with families",
            "Conversaciones restaurativas con las familias",
        ),
        (
            "Listening first when a family is upset",
            "Escuchar primero cuando una familia está molesta",
        ),
    ),
)

TRAINER_OF_TRAINERS = Plan(
    "trainer-of-trainers",
    None,
    1,
    TUE,
    BOTH,
    capacity=12,
    evening=False,
    topics=(
        (
            "The Parenting Partners model and your role",
            "El modelo de Parenting Partners y su papel",
        ),
        ("Facilitating the six workshops", "Cómo facilitar los seis talleres"),
        (
            "Practice, feedback and planning your cohort",
            "Práctica, comentarios y planeación de su grupo",
        ),
    ),
    every=1,
    location=FACE_OFFICE,
    childcare=False,
    interpretation=False,
)

# The liaisons' Professional Learning Group meets on the second Thursday of each month.
PLG_MONTHS = (
    (9, "September", "septiembre", "Building relationships at back-to-school",
     "Crear vínculos en el regreso a clases"),
    (10, "October", "octubre", "Parent-teacher conferences that include everyone",
     "Conferencias de padres y maestros para todos"),
    (11, "November", "noviembre", "Connecting families with community resources",
     "Conectar a las familias con los recursos de la comunidad"),
    (12, "December", "diciembre", "Supporting families through the winter break",
     "Acompañar a las familias durante las vacaciones de invierno"),
    (1, "January", "enero", "School choice season: helping families decide",
     "Temporada de inscripciones: cómo ayudar a las familias a elegir escuela"),
    (2, "February", "febrero", "Attendance: partnering before it becomes a problem",
     "Asistencia: colaborar antes de que sea un problema"),
    (3, "March", "marzo", "Family leadership and school committees",
     "Liderazgo familiar y comités escolares"),
    (4, "April", "abril", "Testing season without the stress",
     "Temporada de exámenes sin estrés"),
    (5, "May", "mayo", "Celebrating the year and planning for the fall",
     "Celebrar el año y planear el otoño"),
)  # fmt: skip


def plg_meetings(first_monday: date) -> list[Plan]:
    """One PLG meeting a month, September to May, as its own offering."""
    plans = []
    for month, name_en, name_es, topic_en, topic_es in PLG_MONTHS:
        year = first_monday.year + (1 if month < 8 else 0)
        first = date(year, month, 1)
        second_thursday = first + timedelta(days=(THU - first.weekday()) % 7 + 7)
        days = (second_thursday - first_monday).days
        plans.append(
            Plan(
                "plg",
                None,
                days // 7,
                THU,
                BOTH,
                capacity=30,
                evening=False,
                title=(
                    f"Professional Learning Group: {name_en}",
                    f"Grupo de Aprendizaje Profesional: {name_es}",
                ),
                topics=((topic_en, topic_es),),
                location=FACE_OFFICE,
                fill=0.8,
                childcare=False,
                interpretation=False,
            )
        )
    return plans


def year_plan(first_monday: date) -> list[Plan]:
    """Every offering of the school year that starts in the week of `first_monday`."""
    return [
        TRAINER_OF_TRAINERS,
        *LIAISON_TRAININGS,
        *plg_meetings(first_monday),
        *FAMILY_OFFERINGS,
    ]
