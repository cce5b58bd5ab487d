"""The categories families choose from, and starter answers to the most repeated questions.

Loaded by `flask seed reference` (safe in production, idempotent); the senior manager edits
the answers afterwards.
"""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.knowledge.models import Article, Category

CATEGORIES = [
    ("enrollment", "Enrollment and school choice", "Inscripción y elección de escuela"),
    ("transportation", "Bus and transportation", "Autobús y transporte"),
    ("special_education", "Special education and 504 plans", "Educación especial y planes 504"),
    ("attendance", "Attendance and absences", "Asistencia y ausencias"),
    ("discipline", "Discipline and suspensions", "Disciplina y suspensiones"),
    ("bullying", "Bullying and safety at school", "Acoso escolar y seguridad en la escuela"),
    ("academics", "Grades, classes and learning", "Calificaciones, clases y aprendizaje"),
    ("communication", "Communication with the school", "Comunicación con la escuela"),
    ("language", "Language services and interpreters", "Servicios de idiomas e intérpretes"),
    ("food", "School meals", "Comidas escolares"),
    ("health", "Health, nurse and medication", "Salud, enfermería y medicamentos"),
    ("staff_conduct", "A staff member's conduct", "Conducta de un miembro del personal"),
    ("fees", "Fees, supplies and devices", "Cuotas, útiles y dispositivos"),
    ("other", "Something else", "Otro tema"),
]

ARTICLES = {
    "enrollment": [
        (
            "How do I enroll my child in a school?",
            "¿Cómo inscribo a mi hijo o hija en una escuela?",
            "You can enroll at any time of year at your neighbourhood school's front office. Bring "
            "proof of address (a utility bill or lease), your child's birth certificate or "
            "passport, and immunization records. If you are missing a document, enroll anyway: "
            "the school will help you get it.",
            "Puede inscribirse en cualquier momento del año en la oficina de la escuela de su "
            "vecindario. Traiga un comprobante de domicilio (una factura de servicios o su "
            "contrato de alquiler), el acta de nacimiento o el pasaporte de su hijo o hija y su "
            "cartilla de vacunación. Si le falta algún documento, inscríbase de todos modos: la "
            "escuela le ayudará a conseguirlo.",
        ),
        (
            "When is school choice open for next year?",
            "¿Cuándo se puede elegir escuela para el próximo año?",
            "The first round of school choice opens in mid-January and closes in mid-February. "
            "After that, ask the school you want directly whether it has seats.",
            "La primera ronda para elegir escuela abre a mediados de enero y cierra a mediados de "
            "febrero. Después de esa fecha, pregunte directamente en la escuela que le interesa "
            "si tiene lugares disponibles.",
        ),
    ],
    "transportation": [
        (
            "Is my child eligible for the school bus?",
            "¿Mi hijo o hija tiene derecho al autobús escolar?",
            "Elementary students who live more than 1 mile from their neighbourhood school, and "
            "middle and high school students who live more than 2.5 miles away, can ride the bus. "
            "Students with a transportation need in their IEP ride whatever the distance.",
            "Los estudiantes de primaria que viven a más de 1 milla de su escuela de vecindario, y "
            "los de secundaria y preparatoria que viven a más de 2.5 millas, pueden usar el "
            "autobús. Los estudiantes cuyo IEP incluye transporte lo usan sin importar la "
            "distancia.",
        ),
        (
            "The bus did not come. What do I do?",
            "El autobús no pasó. ¿Qué hago?",
            "Call the transportation hotline; they can tell you where the bus is. If it happens "
            "again, tell us with this form so that we can follow up with the school.",
            "Llame a la línea de transporte: ahí le dirán dónde está el autobús. Si vuelve a "
            "pasar, cuéntenos con este formulario para que hagamos seguimiento con la escuela.",
        ),
    ],
    "special_education": [
        (
            "How do I ask for my child to be evaluated for special education?",
            "¿Cómo pido que evalúen a mi hijo o hija para educación especial?",
            "Write to the school principal or the special education teacher asking for an "
            "evaluation, and keep a copy. The school must answer you and, if it agrees, ask for "
            "your written consent before evaluating. You can write in Spanish.",
            "Escriba al director o directora de la escuela, o al maestro de educación especial, "
            "pidiendo una evaluación, y guarde una copia. La escuela debe responderle y, si está "
            "de acuerdo, pedir su consentimiento por escrito antes de evaluar. Puede escribir en "
            "español.",
        ),
    ],
    "attendance": [
        (
            "How do I report that my child is absent?",
            "¿Cómo aviso que mi hijo o hija va a faltar?",
            "Call the school's attendance line before school starts, or send a note the day your "
            "child returns. Absences for illness, appointments and family emergencies are excused.",
            "Llame a la línea de asistencia de la escuela antes de que empiecen las clases, o "
            "envíe una nota el día que su hijo o hija regrese. Las ausencias por enfermedad, citas "
            "médicas y emergencias familiares son justificadas.",
        ),
    ],
    "language": [
        (
            "Can I have an interpreter at a school meeting?",
            "¿Puedo tener un intérprete en una reunión en la escuela?",
            "Yes, free of charge, in any language. Ask the school when the meeting is set, ideally "
            "a few days ahead. You never have to bring your own interpreter or use your child.",
            "Sí, gratis y en cualquier idioma. Pídalo a la escuela cuando se fije la reunión, de "
            "preferencia con unos días de anticipación. Nunca tiene que traer su propio intérprete "
            "ni pedirle a su hijo o hija que interprete.",
        ),
    ],
    "food": [
        (
            "How do I apply for free or reduced-price meals?",
            "¿Cómo solicito comidas gratis o a precio reducido?",
            "Fill in the meal benefits application once a year, online or on paper at the school "
            "office. Many schools serve free meals to every student; the office can tell you.",
            "Llene la solicitud de beneficios de comidas una vez al año, en línea o en papel en la "
            "oficina de la escuela. Muchas escuelas dan comidas gratis a todos los estudiantes; en "
            "la oficina le pueden decir si es el caso de la suya.",
        ),
    ],
    "bullying": [
        (
            "My child is being bullied. What will the school do?",
            "A mi hijo o hija le hacen bullying. ¿Qué va a hacer la escuela?",
            "Tell the principal in writing, with what happened, when and who was involved. The "
            "school must look into it, keep your child safe while it does, and tell you what it "
            "found. If it does not, send us this form and a specialist will help.",
            "Avise por escrito al director o directora: qué pasó, cuándo y quiénes participaron. "
            "La escuela debe investigar, proteger a su hijo o hija mientras tanto y decirle qué "
            "encontró. Si no lo hace, envíenos este formulario y un especialista le ayudará.",
        ),
    ],
}


def load_categories_and_answers() -> dict[str, int]:
    """Create the categories and starter answers that are missing; never overwrite edits."""
    added = {"categories": 0, "answers": 0}
    existing = {c.code: c for c in db.session.scalars(select(Category))}
    for order, (code, name_en, name_es) in enumerate(CATEGORIES):
        if code not in existing:
            existing[code] = Category(code=code, name_en=name_en, name_es=name_es, sort_order=order)
            db.session.add(existing[code])
            added["categories"] += 1
    db.session.flush()
    known = set(db.session.scalars(select(Article.question_en)))
    for code, articles in ARTICLES.items():
        for order, (q_en, q_es, a_en, a_es) in enumerate(articles):
            if q_en not in known:
                db.session.add(
                    Article(
                        category=existing[code],
                        question_en=q_en,
                        question_es=q_es,
                        answer_en=a_en,
                        answer_es=a_es,
                        sort_order=order,
                    )
                )
                added["answers"] += 1
    db.session.commit()
    return added
