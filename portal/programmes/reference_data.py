"""The FACE office's programmes and the topics of their sessions (seeds 002 and 004).

Loaded by `flask seed reference` with the concern categories; programme staff change them
afterwards. Nothing is overwritten once it exists.
"""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.programmes.models import Audience, Programme

PROGRAMMES = [
    {
        "code": "parenting-partners",
        "name_en": "Parenting Partners",
        "name_es": "Parenting Partners: padres como socios",
        "description_en": "Six weekly workshops that combine parenting and leadership skills so "
        "that you can support your child's success at school and at home.",
        "description_es": "Seis talleres semanales que combinan la crianza y el liderazgo para "
        "que usted pueda apoyar el éxito de su hijo o hija en la escuela y en "
        "casa.",
        "assigns_homework": True,
        "facilitated": True,
        "requires_certification": True,
        "topics": [
            ("Parents as partners and leaders", "Padres y madres como socios y líderes"),
            (
                "Structure and routines for learning at home",
                "Estructura y rutinas para aprender en casa",
            ),
            ("Positive communication and discipline", "Comunicación y disciplina positivas"),
            ("Family wellness", "Bienestar familiar"),
            (
                "Helping with reading, math and homework",
                "Cómo ayudar con la lectura, las matemáticas y la tarea",
            ),
            (
                "Speaking up for your child and leading with other parents",
                "Abogar por su hijo o hija y liderar junto a otros padres",
            ),
        ],
    },
    {
        "code": "healthy-meals",
        "name_en": "Healthy Meals Challenge",
        "name_es": "Reto de Comidas Saludables",
        "description_en": "Three workshops about eating well together and having better "
        "conversations around the dinner table.",
        "description_es": "Tres talleres para comer bien en familia y conversar mejor a la "
        "hora de la cena.",
        "facilitated": True,
        "topics": [
            ("Planning meals together", "Planear las comidas en familia"),
            ("Cooking well on a budget", "Cocinar bien con poco presupuesto"),
            ("Conversations at the dinner table", "Conversaciones a la hora de la cena"),
        ],
    },
    {
        "code": "liaison-training",
        "name_en": "Family liaison training",
        "name_es": "Capacitación para enlaces familiares",
        "description_en": "District training on partnering with families, for family liaisons.",
        "description_es": "Capacitación del distrito sobre cómo colaborar con las familias, "
        "para enlaces familiares.",
        "audience": Audience.LIAISONS,
        "completion": (1, 1),
    },
    {
        "code": "plg",
        "name_en": "Liaisons' Professional Learning Group",
        "name_es": "Grupo de Aprendizaje Profesional de enlaces",
        "description_en": "Networking, collaboration and small-group work among family liaisons.",
        "description_es": "Encuentro, colaboración y trabajo en grupos pequeños entre enlaces "
        "familiares.",
        "audience": Audience.LIAISONS,
        "completion": (1, 1),
    },
    {
        "code": "trainer-of-trainers",
        "name_en": "Parenting Partners trainer-of-trainers",
        "name_es": "Formación de facilitadores de Parenting Partners",
        "description_en": "For school leaders and liaisons: completing it certifies you to "
        "facilitate Parenting Partners at your school (up to 40 parents).",
        "description_es": "Para directivos escolares y enlaces: al completarla, puede "
        "facilitar Parenting Partners en su escuela (hasta 40 padres).",
        "audience": Audience.SCHOOL_LEADERS,
        "certifies_facilitators": True,
        "completion": (1, 1),
    },
    {
        "code": "family-event",
        "name_en": "School family event",
        "name_es": "Evento familiar en la escuela",
        "description_en": "A one-time event for families at a school.",
        "description_es": "Un evento para las familias en una escuela.",
        "completion": (1, 1),
    },
]


def load_programmes() -> int:
    """Create the programmes that are missing; returns how many were added."""
    existing = set(db.session.scalars(select(Programme.code)))
    added = 0
    for spec in PROGRAMMES:
        if spec["code"] in existing:
            continue
        numerator, denominator = spec.get("completion", (5, 6))
        db.session.add(
            Programme(
                code=spec["code"],
                name_en=spec["name_en"],
                name_es=spec["name_es"],
                description_en=spec["description_en"],
                description_es=spec["description_es"],
                audience=spec.get("audience", Audience.FAMILIES),
                certifies_facilitators=spec.get("certifies_facilitators", False),
                assigns_homework=spec.get("assigns_homework", False),
                facilitated=spec.get("facilitated", False),
                requires_certification=spec.get("requires_certification", False),
                completion_numerator=numerator,
                completion_denominator=denominator,
            )
        )
        added += 1
    db.session.commit()
    return added


def topics(code: str) -> list[tuple[str, str]]:
    """The session topics of a programme, in order, in English and Spanish."""
    return next((spec.get("topics", []) for spec in PROGRAMMES if spec["code"] == code), [])
