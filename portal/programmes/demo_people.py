"""Who takes part in the demo year: fictional Denver-area families, liaisons and school leaders.

Every name is invented; phone numbers are in the 555-0100..0199 range that is reserved for
fiction, and email addresses are at example.org.
"""

from __future__ import annotations

import random
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from portal.families.models import ContactMethod

# Mothers come to most parent workshops, so most first names are women's.
SPANISH_WOMEN = (
    "María Elena", "Guadalupe", "Rosa Isela", "Ana María", "Verónica", "Yesenia", "Maribel",
    "Araceli", "Leticia", "Alejandra", "Claudia", "Norma", "Adriana", "Patricia", "Gabriela",
    "Erika", "Mayra", "Brenda", "Silvia", "Teresa", "Esperanza", "Karina", "Lorena", "Dulce",
    "Marisela", "Reyna", "Juana", "Martha", "Sandra", "Rocío", "Blanca", "Griselda", "Nayeli",
    "Itzel", "Jazmín", "Sonia", "Lidia", "María de Jesús", "Elvira", "Irma",
)  # fmt: skip
SPANISH_MEN = (
    "José Luis", "Juan Carlos", "Miguel Ángel", "Jesús", "Francisco", "Sergio", "Héctor",
    "Fernando", "Ramón", "Guillermo", "Édgar", "Javier", "Arturo", "Raúl", "Martín", "Óscar",
)  # fmt: skip
SPANISH_SURNAMES = (
    "Hernández", "García", "Martínez", "López", "González", "Rodríguez", "Pérez", "Sánchez",
    "Ramírez", "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Cruz", "Morales", "Reyes",
    "Gutiérrez", "Ortiz", "Chávez", "Ruiz", "Álvarez", "Castillo", "Jiménez", "Vásquez",
    "Moreno", "Herrera", "Medina", "Vargas", "Guzmán", "Mendoza", "Salazar", "Domínguez",
    "Delgado", "Contreras", "Ávila", "Lucero", "Trujillo", "Montoya", "Maestas", "Archuleta",
    "Quintana", "Romero", "Baca", "Valdez", "Espinoza", "Zamora", "Carrillo", "Rosales",
    "Cervantes", "Ochoa", "Navarro", "Ibarra", "Pacheco", "Barrera", "Molina", "Estrada",
)  # fmt: skip
ENGLISH_WOMEN = (
    "Ashley", "Jessica", "Brittany", "Amanda", "Tiffany", "Keisha", "Latoya", "Sarah", "Emily",
    "Nicole", "Heather", "Danielle", "Kayla", "Megan", "Stephanie", "Crystal", "Amber",
    "Jasmine", "Tanisha", "Rachel", "Lauren", "Erin", "Monique", "Whitney", "Kimberly",
    "Samantha", "Destiny", "Aaliyah", "Brianna", "Courtney",
)  # fmt: skip
ENGLISH_MEN = (
    "Michael", "Brandon", "DeAndre", "Marcus", "Chris", "Tyrone", "Justin", "Kevin", "Jamal",
    "Ryan", "Anthony", "Darnell", "Travis", "Jordan",
)  # fmt: skip
ENGLISH_SURNAMES = (
    "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Thomas",
    "Jackson", "White", "Harris", "Thompson", "Robinson", "Clark", "Lewis", "Walker", "Young",
    "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Carter",
    "Mitchell", "Washington", "Brooks", "Bell", "Coleman", "Hayes", "Sullivan", "Murphy",
    "Bennett", "Begay", "Yazzie", "Whitehorse", "Kowalski",
)  # fmt: skip
# Families whose home language is another one: they use the portal in English and often ask
# for an interpreter. A few Spanish-speaking families have Arabic names too.
OTHER_LANGUAGES = {
    "Vietnamese": (
        ("Lan", "Thu", "Hoa", "Ngoc", "Phuong", "Mai", "Linh", "Minh", "Tuan", "Duc"),
        ("Nguyen", "Tran", "Pham", "Le", "Vo", "Huynh", "Dang", "Bui", "Hoang", "Do"),
    ),
    "Somali": (
        ("Hodan", "Fadumo", "Hibaq", "Sahra", "Ubah", "Khadra", "Ayaan", "Ahmed", "Abdirahman"),
        ("Abdi", "Hassan", "Farah", "Mohamed", "Ali", "Warsame", "Yusuf", "Omar", "Jama", "Nur"),
    ),
    "Arabic": (
        ("Fatima", "Layla", "Rania", "Mariam", "Noor", "Huda", "Omar", "Yusuf", "Ahmad"),
        ("Haddad", "Mansour", "Khalil", "Saleh", "Al-Sayed", "Abdullah", "Ibrahim", "Al-Khatib"),
    ),
    "Amharic": (
        ("Selam", "Hana", "Meron", "Tigist", "Dawit", "Yonas"),
        ("Tesfaye", "Bekele", "Girma", "Haile", "Alemu", "Kebede"),
    ),
}
BEST_TIMES = {
    "en": ("Evenings after 5", "Weekday mornings", "After 6 pm", "Any time by text", "Lunchtime"),
    "es": (
        "Por las tardes, después de las 5",
        "Entre semana, por la mañana",
        "Después de las 6 de la tarde",
        "A cualquier hora por mensaje de texto",
        "A la hora de la comida",
    ),
}
ACCOMMODATIONS = {
    "en": (
        "I use a wheelchair; please keep a spot near the door.",
        "My son has a peanut allergy (for the childcare snack).",
        "I may be 10 minutes late because of work.",
        "Large-print handouts, please.",
    ),
    "es": (
        "Uso silla de ruedas.",
        "Mi hija es alérgica al cacahuate (por la merienda de la guardería).",
        "Puede que llegue 10 minutos tarde por el trabajo.",
        "Voy a llevar a mi bebé de tres meses.",
    ),
}


@dataclass(frozen=True)
class Liaison:
    name: str
    language: str
    schools: tuple[str, ...]
    # "earlier": certified before this school year; "fall": at the fall trainer-of-trainers.
    certified: str = ""

    @property
    def email(self) -> str:
        from portal.demo import DEMO_DOMAIN

        return f"{slug(self.name)}@{DEMO_DOMAIN}"


# Liaisons at the Title I schools where most programmes run, beside the demo liaison account.
LIAISONS = (
    Liaison("Marisol Ortega", "es", ("301", "306"), certified="earlier"),
    Liaison("Hien Tran", "en", ("405",), certified="fall"),
    Liaison("DeShawn Carter", "en", ("201", "206"), certified="fall"),
    Liaison("Yolanda Archuleta", "es", ("304",), certified="fall"),
    Liaison("Fadumo Warsame", "en", ("406", "401"), certified="fall"),
    Liaison("Ricardo Valdez", "es", ("103", "101"), certified="earlier"),
    Liaison("Karim Haddad", "en", ("202", "203")),
    Liaison("Beatriz Solís", "es", ("502", "507")),
    Liaison("Lorena Quintana", "es", ("302", "303")),
    Liaison("Jasmine Nguyen", "en", ("503",)),
    Liaison("Gabriel Montaño", "es", ("508",)),
    Liaison("Amina Abdullahi", "en", ("102", "105")),
)


@dataclass(frozen=True)
class Leader:
    """A school leader without a portal account at the fall trainer-of-trainers."""

    name: str
    language: str
    school: str
    from_waitlist: bool = False  # got the place from the training waitlist
    misses: bool = False  # missed a session, so is not certified

    @property
    def email(self) -> str:
        return f"{slug(self.name)}@example.org"


TRAINED_LEADERS = (
    Leader("Rocío Delgado-Ames", "es", "303", from_waitlist=True),
    Leader("Mai Pham", "en", "405", from_waitlist=True),
    Leader("Thomas Begay", "en", "201", misses=True),
    Leader("Nasra Ibrahim", "en", "406"),
    Leader("Fernando Olivas", "es", "304"),
)
# Waiting for the next trainer-of-trainers, in the order they asked (seed 004: 16 of them),
# then one who withdrew.
WAITING_LEADERS = (
    ("Denise Whitfield-Okafor", "101"),
    ("Alberto Saldívar", "306"),
    ("Kristen Yamamoto", "502"),
    ("Jamal Henderson", "206"),
    ("Graciela Montes", "507"),
    ("Dr. Peter Lindgren", "203"),
    ("Ifrah Osman", "405"),
    ("Luz Marina Castañeda", "508"),
    ("Brian O'Connell", "105"),
    ("Yesenia Ruelas", "301"),
    ("Aaron Two Bulls", "202"),
    ("Carmen Villaseñor", "503"),
    ("Tuyet Vu", "302"),
    ("Raymond Archuleta", "102"),
    ("Esther Mwangi", "406"),
    ("Patricia Gallegos", "304"),
)
WITHDRAWN_LEADER = ("Leonard Fisk", "103", "Moved to a district office role in October.")

# Survey comments, by kind of event and how the session went, written as people write them.
COMMENTS: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "workshop": {
        "en": {
            "good": (
                "Loved the activities. We are already trying them at home.",
                "The facilitator made everyone feel welcome, even the quiet ones.",
                "I feel more confident talking to my son's teachers now.",
                "Having childcare is the only reason I could come. Thank you!",
                "Good to hear from other parents. I didn't know so many of us felt the same.",
                "Practical tips I can actually use this week.",
                "My daughter loved the activity I brought home.",
                "Great conversation and great food.",
                "I learned things I can use with my kids tonight.",
            ),
            "mixed": (
                "Good info, but we ran out of time for questions.",
                "Hard to hear in the cafeteria.",
                "Started late and I had to leave before the end.",
                "Some of it I already knew.",
                "A lot of material for one evening.",
            ),
            "poor": (
                "The handouts weren't ready and the session felt rushed.",
                "No one was at the front door and we couldn't find the room.",
                "Too long, and the room was cold.",
            ),
        },
        "es": {
            "good": (
                "Me gustaron mucho las actividades; ya las estamos poniendo en práctica en casa.",
                "La facilitadora explica muy bien y nos hace sentir en confianza.",
                "Aprendí a hablar con la maestra de mi hijo sin miedo.",
                "Gracias por cuidar a los niños; así pude venir con los tres.",
                "Me ayudó escuchar a otras mamás que pasan por lo mismo.",
                "Muy buena sesión. Ojalá hubiera más talleres así.",
                "Ahora sé qué preguntarle a la maestra en la próxima junta.",
                "Me llevo ideas para poner reglas en casa sin gritar.",
                "Nos sentimos muy bienvenidos, y la cena estuvo rica.",
                "Me sentí escuchada; aquí uno puede preguntar sin pena.",
            ),
            "mixed": (
                "Buena información, pero faltó tiempo para preguntas.",
                "No se escuchaba bien en la cafetería.",
                "Empezó tarde y me tuve que ir antes de que terminara.",
                "El tema estuvo bien, pero fue muy rápido.",
                "Había mucho ruido de los niños en el salón de al lado.",
            ),
            "poor": (
                "Los materiales venían solo en inglés.",
                "Nadie nos recibió en la entrada y no encontrábamos el salón.",
                "La sesión se sintió apresurada.",
            ),
        },
    },
    "meals": {
        "en": {
            "good": (
                "The budget shopping list is a game changer.",
                "My kids actually ate the veggies!",
                "We tried the no-phones dinner and it worked.",
                "Fun and hands-on, loved the cooking demo.",
                "Great ideas for quick weeknight meals.",
            ),
            "mixed": (
                "Wish we'd had time to taste everything.",
                "The kitchen was crowded.",
            ),
        },
        "es": {
            "good": (
                "Las recetas son fáciles y baratas; ya hice la sopa de lentejas.",
                "A mis hijos les encantó cocinar conmigo.",
                "Me gustó la idea de cenar sin celulares.",
                "Muy buenas ideas para hacer el súper con poco dinero.",
                "Probamos las verduras asadas y hasta el más chiquito comió.",
            ),
            "mixed": (
                "Me hubiera gustado probar más recetas.",
                "Fue muy rápido, no alcancé a anotar todo.",
            ),
        },
    },
    "event": {
        "en": {
            "good": (
                "Great turnout and a fun night for the whole family.",
                "The kids loved the book giveaway.",
                "Really helpful to meet the teachers in person.",
                "Parking was tough, but the event was great.",
                "Loved seeing so many families there.",
            ),
            "mixed": ("Nice event, but the food ran out early.", "Not enough chairs."),
        },
        "es": {
            "good": (
                "Muy bonito convivio, los niños se divirtieron mucho.",
                "Gracias por tener todo en español.",
                "Me llevé libros para mis hijos, muy buena idea.",
                "Había mucha gente, pero todo estuvo muy organizado.",
                "Pude conocer a la maestra de mi hija en persona.",
            ),
            "mixed": ("Estuvo bonito, pero la comida se acabó muy pronto.", "Faltaron sillas."),
        },
    },
    "staff": {
        "en": {
            "good": (
                "Really useful to hear how other schools handle conferences.",
                "Great resources; I'm sharing the list with my principal.",
                "Good pace and clear examples.",
                "The role-play helped me a lot.",
                "Please send the slides afterwards.",
            ),
            "mixed": (
                "I'd like more time for the small-group work.",
                "Too much content for 90 minutes.",
            ),
        },
        "es": {
            "good": (
                "Muy útil compartir estrategias con otros enlaces.",
                "Excelente material; lo voy a compartir con mi directora.",
                "La práctica en parejas fue lo mejor.",
                "Buen ritmo y ejemplos muy claros.",
                "¿Nos pueden mandar la presentación?",
            ),
            "mixed": (
                "Me gustaría más tiempo para trabajar en grupos pequeños.",
                "Mucho contenido para hora y media.",
            ),
        },
    },
}


def slug(name: str) -> str:
    """`María Elena de la Cruz` -> `maria.elena.de.la.cruz`, for invented email addresses."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    plain = plain.replace("dr. ", "").replace("'", "")
    return ".".join(part for part in plain.replace("-", " ").split() if part.isalnum())


def comment(kind: str, language: str, rating: float, rng: random.Random) -> str:
    """A survey comment in the person's language that fits how they rated the session."""
    pools = COMMENTS[kind][language]
    band = "good" if rating >= 4 else "mixed" if rating >= 3 else "poor"
    pool = pools.get(band) or COMMENTS["workshop"][language][band]
    return rng.choice(pool)


def children_ages(count: int, language: str, rng: random.Random) -> str:
    ages = sorted(rng.randint(1, 11) for _ in range(count))
    words = [str(a) for a in ages]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + (" y " if language == "es" else " and ") + words[-1]


class Contacts:
    """FamilyContact rows to insert, and each school's families to draw participants from."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.rows: list[dict[str, object]] = []
        self.languages: list[str] = []
        self.by_school: dict[str, list[int]] = defaultdict(list)
        self.staff: dict[str, int] = {}  # email -> row
        self._emails: set[str] = set()
        self._names: set[str] = set()
        # 200 numbers only: families beyond them give an email address.
        self._phones = [f"+1{area}555{n:04d}" for area in ("720", "303") for n in range(100, 200)]
        rng.shuffle(self._phones)

    def family(self, school: str, language: str, when: datetime) -> int:
        """A new family at a school that uses the portal in `language`, first seen `when`."""
        rng = self.rng
        other = culture = ""
        if language == "en" and rng.random() < (0.45 if school == "405" else 0.1):
            other = culture = rng.choice(list(OTHER_LANGUAGES))
        elif language == "es" and rng.random() < 0.03:
            culture = "Arabic"  # Palestinian-Honduran, say: at home in Spanish
        while True:
            name, given, surname = self._name(language, culture)
            if name not in self._names:
                break
        self._names.add(name)
        phone = self._phones.pop() if self._phones and rng.random() < 0.6 else None
        email = self._email(given, surname) if phone is None or rng.random() < 0.4 else None
        if phone is None:
            method = ContactMethod.EMAIL
        else:
            method = rng.choices(
                [ContactMethod.TEXT, ContactMethod.PHONE, ContactMethod.EMAIL if email else None],
                [70, 20, 10 if email else 0],
            )[0]
        row = self._add(
            name=name,
            phone=phone,
            email=email,
            language=language,
            other_language=other,
            interpreter_needed=bool(other) and rng.random() < 0.6,
            contact_method=method,
            best_time=rng.choice(BEST_TIMES[language]) if phone and rng.random() < 0.3 else "",
            created_at=when,
        )
        self.by_school[school].append(row)
        return row

    def person(self, name: str, email: str, language: str, when: datetime) -> int:
        """A liaison's or school leader's own contact, found again by email."""
        if email not in self.staff:
            self._emails.add(email)
            self.staff[email] = self._add(
                name=name,
                phone=None,
                email=email,
                language=language,
                other_language="",
                interpreter_needed=False,
                contact_method=ContactMethod.EMAIL,
                best_time="",
                created_at=when,
            )
        return self.staff[email]

    def _add(self, **row: object) -> int:
        row["updated_at"] = row["created_at"]
        self.rows.append(row)
        self.languages.append(str(row["language"]))
        return len(self.rows) - 1

    def _name(self, language: str, culture: str) -> tuple[str, str, str]:
        """A full name, with the given name and (first) surname that an email is made of."""
        rng = self.rng
        if culture:
            firsts, lasts = OTHER_LANGUAGES[culture]
            given, surname = rng.choice(firsts), rng.choice(lasts)
            return f"{given} {surname}", given, surname
        woman = rng.random() < 0.78
        if language == "es":
            given = rng.choice(SPANISH_WOMEN if woman else SPANISH_MEN)
            surname = rng.choice(SPANISH_SURNAMES)
            second = f" {rng.choice(SPANISH_SURNAMES)}" if rng.random() < 0.3 else ""
            return f"{given} {surname}{second}", given, surname
        given = rng.choice(ENGLISH_WOMEN if woman else ENGLISH_MEN)
        # Many English-speaking Denver families are Latino too.
        surname = rng.choice(SPANISH_SURNAMES if rng.random() < 0.22 else ENGLISH_SURNAMES)
        return f"{given} {surname}", given, surname

    def _email(self, given: str, surname: str) -> str:
        first = slug(given).split(".")[0]
        last = slug(surname).replace(".", "")
        pattern = self.rng.randrange(3)
        base = (
            f"{first}.{last}"
            if pattern == 0
            else f"{first[0]}{last}{self.rng.randint(70, 99)}"
            if pattern == 1
            else f"{last}.{first}"
        )
        email, n = f"{base}@example.org", 2
        while email in self._emails:
            email, n = f"{base}{n}@example.org", n + 1
        self._emails.add(email)
        return email
