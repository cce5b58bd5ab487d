"""Demo listings: fictional community services across the demo district's neighborhoods.

Names, numbers (555-01xx) and web addresses (example.org) are made up; the neighborhoods are
the demo district's. A few are deliberately stale so staff see the flag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.families.services import normalize_phone
from portal.resources.hours import Opening
from portal.resources.models import Need, Resource
from portal.resources.services import ResourceInput, save_resource
from portal.timeutil import utcnow

F, H, HE, M, L, W, I = (  # noqa: E741 - short names keep the table below readable
    Need.FOOD,
    Need.HOUSING,
    Need.HEALTH,
    Need.MENTAL_HEALTH,
    Need.LEGAL,
    Need.FAMILY_WELLNESS,
    Need.IMMIGRATION,
)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Listing:
    name: tuple[str, str]
    needs: tuple[Need, ...]
    languages: str
    neighbourhood: str
    street: str
    zip: str
    phone: str
    hours: str  # "mon-fri 09:00-17:00, sat 10:00-14:00"; "" for none
    about: tuple[str, str]
    who: tuple[str, str] = ("", "")
    checked_days_ago: int | None = 40
    appointment: bool = False
    note: tuple[str, str] = ("", "")
    site: str = ""
    archived: bool = False


def openings(spec: str) -> tuple[Opening, ...]:
    """'mon-fri 09:00-17:00, sat 10:00-14:00' as openings (demo shorthand)."""
    found = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        days, span = part.split()
        first, _, last = days.partition("-")
        opens, closes = (time.fromisoformat(t) for t in span.split("-"))
        for weekday in range(DAYS.index(first), DAYS.index(last or first) + 1):
            found.append(Opening(weekday, opens, closes))
    return tuple(found)


def _site(name: str) -> str:
    return "https://" + re.sub(r"[^a-z0-9]+", "", name.lower())[:24] + ".example.org"


LISTINGS: tuple[Listing, ...] = (
    # ---- food ----
    Listing(
        ("Westwood Community Food Bank", "Banco de Alimentos Comunitario de Westwood"),
        (F,),
        "en es",
        "Westwood",
        "3921 W Alameda Ave",
        "80219",
        "720-555-0101",
        "tue 10:00-18:00, thu 10:00-18:00, sat 09:00-12:00",
        (
            "Free groceries once a week: fresh produce, milk, eggs, rice, beans and bread. "
            "Bring your own bags if you can.",
            "Comida gratis una vez por semana: frutas y verduras frescas, leche, huevos, arroz, "
            "frijoles y pan. Si puede, traiga sus propias bolsas.",
        ),
        (
            "Any family in the city. No ID or proof of income needed.",
            "Cualquier familia de la ciudad. No se pide identificación ni comprobante de ingresos.",
        ),
        checked_days_ago=30,
    ),
    Listing(
        ("Montbello Family Pantry", "Despensa Familiar de Montbello"),
        (F,),
        "en es am",
        "Montbello",
        "12455 E Albrook Dr",
        "80239",
        "720-555-0102",
        "wed 15:00-19:00, sat 09:00-13:00",
        (
            "A choice pantry: families pick the food they will use, including halal and "
            "vegetarian items.",
            "Una despensa donde cada familia escoge los alimentos que va a usar; hay productos "
            "halal y vegetarianos.",
        ),
        ("Families living in northeast Denver.", "Familias que viven en el noreste de Denver."),
        checked_days_ago=75,
    ),
    Listing(
        ("Five Points Community Kitchen", "Cocina Comunitaria de Five Points"),
        (F,),
        "en es",
        "Five Points",
        "2711 Welton St",
        "80205",
        "303-555-0103",
        "mon-fri 11:30-13:30",
        (
            "A hot lunch every weekday, served at the table. Children eat with their parents.",
            "Almuerzo caliente de lunes a viernes, servido en la mesa. Los niños comen con sus "
            "padres.",
        ),
        ("Everyone is welcome.", "Todos son bienvenidos."),
        checked_days_ago=120,
    ),
    Listing(
        ("Globeville Mobile Market", "Mercado Móvil de Globeville"),
        (F,),
        "en es",
        "Globeville",
        "4496 Grant St",
        "80216",
        "303-555-0104",
        "thu 16:00-18:00",
        (
            "A truck with free fruit and vegetables parks at the recreation center every "
            "Thursday afternoon.",
            "Un camión con frutas y verduras gratis se estaciona en el centro recreativo todos "
            "los jueves por la tarde.",
        ),
        checked_days_ago=430,
        note=("Not on holidays.", "No hay servicio los días festivos."),
    ),
    Listing(
        ("Federal Boulevard Grocery Share", "Reparto de Víveres de Federal Boulevard"),
        (F,),
        "en vi zh",
        "Mar Lee",
        "1200 S Federal Blvd",
        "80219",
        "720-555-0105",
        "sat 08:00-11:00",
        (
            "Rice, noodles, vegetables and tofu shared every Saturday morning by neighborhood "
            "grocers.",
            "Los sábados por la mañana, tiendas del barrio reparten arroz, fideos, verduras y "
            "tofu.",
        ),
        checked_days_ago=200,
    ),
    Listing(
        ("Food Assistance Enrollment Desk (SNAP and WIC)", "Ayuda para Inscribirse en SNAP y WIC"),
        (F, W),
        "en es so ar",
        "East Colfax",
        "9990 E Colfax Ave",
        "80010",
        "303-555-0106",
        "mon-fri 08:00-17:00",
        (
            "Help applying for food benefits (SNAP) and for WIC for pregnant women and children "
            "under five. Bring pay stubs and ID if you have them.",
            "Le ayudan a solicitar cupones de alimentos (SNAP) y WIC para embarazadas y niños "
            "menores de cinco años. Si los tiene, traiga talones de pago e identificación.",
        ),
        (
            "Immigration status matters for some benefits, not for children's WIC; staff "
            "explain privately.",
            "Para algunos beneficios importa la situación migratoria, pero no para el WIC de los "
            "niños; el personal se lo explica en privado.",
        ),
        checked_days_ago=15,
    ),
    Listing(
        ("Green Valley Ranch Weekend Backpacks", "Mochilas de Fin de Semana de Green Valley Ranch"),
        (F,),
        "en es",
        "Green Valley Ranch",
        "4800 Telluride St",
        "80249",
        "720-555-0107",
        "fri 14:00-17:00",
        (
            "Backpacks with easy meals for the weekend, picked up on Friday afternoon.",
            "Mochilas con comidas fáciles para el fin de semana; se recogen el viernes por la "
            "tarde.",
        ),
        (
            "Students at Green Valley Ranch schools; ask the school office to sign up.",
            "Estudiantes de las escuelas de Green Valley Ranch; inscríbase en la oficina de la "
            "escuela.",
        ),
        checked_days_ago=60,
    ),
    Listing(
        ("Villa Park Diaper Bank", "Banco de Pañales de Villa Park"),
        (F, W),
        "en es",
        "Villa Park",
        "1040 Knox Ct",
        "80204",
        "720-555-0108",
        "wed 16:00-18:00, sat 09:00-12:00",
        (
            "Diapers, wipes and formula for babies and toddlers, up to twice a month.",
            "Pañales, toallitas y fórmula para bebés y niños pequeños, hasta dos veces al mes.",
        ),
        ("Families with children under three.", "Familias con niños menores de tres años."),
        checked_days_ago=10,
    ),
    # ---- housing ----
    Listing(
        ("Front Range Tenant Help Line", "Línea de Ayuda para Inquilinos Front Range"),
        (H, L),
        "en es",
        "Capitol Hill",
        "1325 Logan St",
        "80203",
        "303-555-0109",
        "mon-fri 09:00-17:00",
        (
            "Advice by phone when rent goes up, repairs are not made, or you get an eviction "
            "notice. Call early: deadlines are short.",
            "Orientación por teléfono si le suben la renta, no le hacen reparaciones o recibe un "
            "aviso de desalojo. Llame pronto: los plazos son cortos.",
        ),
        checked_days_ago=90,
    ),
    Listing(
        ("Safe Harbor Family Shelter", "Refugio Familiar Safe Harbor"),
        (H,),
        "en es",
        "Five Points",
        "2530 Champa St",
        "80205",
        "303-555-0110",
        "mon-sun 17:00-08:00",
        (
            "Emergency beds for parents with children, with dinner and breakfast. Families can "
            "stay together.",
            "Camas de emergencia para padres con hijos, con cena y desayuno. Las familias pueden "
            "quedarse juntas.",
        ),
        (
            "Families with children who have nowhere safe to sleep tonight.",
            "Familias con hijos que no tienen un lugar seguro donde dormir esta noche.",
        ),
        checked_days_ago=20,
        note=("Arrive by 21:00 for a bed.", "Llegue antes de las 9 de la noche para tener cama."),
    ),
    Listing(
        (
            "Mile High Neighbors Rent and Utility Help",
            "Ayuda con Renta y Servicios Mile High Neighbors",
        ),
        (H,),
        "en es ne",
        "Villa Park",
        "1155 Irving St",
        "80204",
        "720-555-0111",
        "mon 09:00-12:00, wed 09:00-12:00",
        (
            "One-time help with overdue rent, gas or electric bills to prevent an eviction or a "
            "shut-off.",
            "Ayuda única para pagar renta atrasada o facturas de gas o luz, para evitar un "
            "desalojo o un corte de servicio.",
        ),
        (
            "Income under the program limit; bring the notice or bill and the lease.",
            "Ingresos por debajo del límite del programa; traiga el aviso o la factura y el "
            "contrato de renta.",
        ),
        appointment=True,
        checked_days_ago=150,
    ),
    Listing(
        (
            "Students in Transition Office (McKinney-Vento)",
            "Oficina de Estudiantes en Transición (McKinney-Vento)",
        ),
        (H, W),
        "en es",
        "Lincoln Park",
        "1325 W 11th Ave",
        "80204",
        "720-555-0112",
        "mon-fri 07:30-16:30",
        (
            "For students without a stable home: school enrollment without proof of address, "
            "transportation to their school, and school supplies.",
            "Para estudiantes sin vivienda estable: inscripción escolar sin comprobante de "
            "domicilio, transporte a su escuela y útiles escolares.",
        ),
        (
            "Families staying with others, in a motel, shelter or car because they lost housing.",
            "Familias que viven con otras personas, en un motel, un refugio o un carro porque "
            "perdieron su vivienda.",
        ),
        checked_days_ago=5,
    ),
    Listing(
        ("Northeast Housing Counseling Center", "Centro de Asesoría de Vivienda del Noreste"),
        (H,),
        "en es",
        "Northeast Park Hill",
        "4130 Holly St",
        "80216",
        "303-555-0113",
        "",
        (
            "Counselors help with rental applications, first-time home buying and avoiding "
            "foreclosure.",
            "Asesores le ayudan con solicitudes de renta, la compra de su primera casa y a evitar "
            "una ejecución hipotecaria.",
        ),
        appointment=True,
        checked_days_ago=520,
    ),
    Listing(
        ("Youth Drop-In Center", "Centro de Acogida para Jóvenes"),
        (H, M),
        "en es",
        "Capitol Hill",
        "1560 Pearl St",
        "80203",
        "303-555-0114",
        "mon-sun 00:00-00:00",
        (
            "A safe place for young people: meals, showers, laundry, a bed for the night and "
            "someone to talk to.",
            "Un lugar seguro para jóvenes: comida, regaderas, lavandería, una cama para la noche "
            "y alguien con quien hablar.",
        ),
        ("Young people aged 12 to 20.", "Jóvenes de 12 a 20 años."),
        checked_days_ago=45,
    ),
    # ---- health ----
    Listing(
        ("La Esperanza Family Clinic", "Clínica Familiar La Esperanza"),
        (HE,),
        "en es",
        "Elyria-Swansea",
        "4700 Columbine St",
        "80216",
        "303-555-0115",
        "mon-fri 08:00-18:00, sat 09:00-13:00",
        (
            "Check-ups, sick visits, school and sports physicals, and vaccines for the whole "
            "family. Fees on a sliding scale.",
            "Chequeos, consultas por enfermedad, exámenes físicos para la escuela y el deporte, "
            "y vacunas para toda la familia. Cobran según sus ingresos.",
        ),
        (
            "Everyone, with or without insurance or papers.",
            "Todas las personas, con o sin seguro médico o papeles.",
        ),
        checked_days_ago=35,
    ),
    Listing(
        ("Westside Community Health Center", "Centro de Salud Comunitario del Oeste"),
        (HE, M),
        "en es vi",
        "Barnum",
        "150 Hooker St",
        "80219",
        "303-555-0116",
        "mon-fri 07:30-19:30, sat 08:00-12:00",
        (
            "Doctors, a pharmacy, dental care and counselors in one building.",
            "Médicos, farmacia, dentista y consejeros en un mismo edificio.",
        ),
        checked_days_ago=100,
    ),
    Listing(
        ("Abraham Lincoln School-Based Health Center", "Centro de Salud Escolar Abraham Lincoln"),
        (HE, M),
        "en es",
        "Harvey Park",
        "2285 S Federal Blvd",
        "80219",
        "720-555-0117",
        "mon-fri 08:00-16:00",
        (
            "A clinic inside the school: sick visits, sports physicals, birth control advice and "
            "counseling, without leaving school.",
            "Una clínica dentro de la escuela: consultas por enfermedad, exámenes para deportes, "
            "orientación anticonceptiva y consejería, sin salir de la escuela.",
        ),
        (
            "Students of any district school; a parent signs the consent form once.",
            "Estudiantes de cualquier escuela del distrito; un padre firma el permiso una sola "
            "vez.",
        ),
        checked_days_ago=25,
    ),
    Listing(
        ("Smiles on Wheels Dental Van", "Camioneta Dental Sonrisas sobre Ruedas"),
        (HE,),
        "en es",
        "Athmar Park",
        "1100 S Navajo St",
        "80223",
        "720-555-0118",
        "",
        (
            "Cleanings, sealants and fillings for children, in a dental van that visits schools.",
            "Limpiezas, selladores y empastes para niños, en una camioneta dental que visita las "
            "escuelas.",
        ),
        ("Children up to 18.", "Niños y jóvenes hasta los 18 años."),
        appointment=True,
        checked_days_ago=210,
    ),
    Listing(
        ("Children's Immunization Clinic", "Clínica de Vacunas Infantiles"),
        (HE,),
        "en es ar",
        "Montbello",
        "4855 Peoria St",
        "80239",
        "303-555-0119",
        "tue 13:00-19:00, sat 09:00-12:00",
        (
            "The shots children need for school, free. Bring the child's vaccine card if you "
            "have one.",
            "Las vacunas que los niños necesitan para la escuela, gratis. Traiga la cartilla de "
            "vacunación si la tiene.",
        ),
        checked_days_ago=55,
    ),
    Listing(
        ("Health Coverage Enrollment Help", "Ayuda para Inscribirse en un Seguro Médico"),
        (HE, W),
        "en es ru zh",
        "Capitol Hill",
        "1410 Grant St",
        "80203",
        "303-555-0120",
        "mon-thu 09:00-17:00",
        (
            "Free help signing up for Medicaid, CHP+ for children, or a plan on the state "
            "marketplace.",
            "Ayuda gratuita para inscribirse en Medicaid, en CHP+ para niños o en un plan del "
            "mercado de seguros del estado.",
        ),
        checked_days_ago=400,
    ),
    Listing(
        ("New Parent Nurse Visits", "Visitas de Enfermeras para Padres Primerizos"),
        (HE, W),
        "en es so",
        "Northeast Park Hill",
        "3401 Quebec St",
        "80207",
        "720-555-0121",
        "",
        (
            "A nurse visits you at home during pregnancy and until your baby turns two.",
            "Una enfermera la visita en su casa durante el embarazo y hasta que su bebé cumpla "
            "dos años.",
        ),
        ("First-time parents.", "Madres y padres primerizos."),
        appointment=True,
        checked_days_ago=80,
    ),
    Listing(
        ("See to Learn Eye Exams", "Exámenes de la Vista Ver para Aprender"),
        (HE,),
        "en es",
        "Valverde",
        "2030 W Alameda Ave",
        "80223",
        "720-555-0122",
        "wed 15:00-19:00",
        (
            "Free eye exams and a free pair of glasses for children who need them.",
            "Examen de la vista gratis y un par de lentes gratis para los niños que los necesitan.",
        ),
        checked_days_ago=140,
        appointment=True,
    ),
    # ---- mental health ----
    Listing(
        ("Mile High Crisis Line", "Línea de Crisis Mile High"),
        (M,),
        "en es vi ar",
        "",
        "",
        "",
        "303-555-0123",
        "mon-sun 00:00-00:00",
        (
            "Call or text any time, day or night, if you or your child are in emotional crisis. "
            "Interpreters for other languages.",
            "Llame o mande un mensaje a cualquier hora, de día o de noche, si usted o su hijo "
            "están en una crisis emocional. Hay intérpretes para otros idiomas.",
        ),
        checked_days_ago=12,
    ),
    Listing(
        ("Raíces Counseling Center", "Centro de Consejería Raíces"),
        (M, W),
        "en es",
        "Westwood",
        "3860 W Virginia Ave",
        "80219",
        "720-555-0124",
        "mon-thu 10:00-20:00",
        (
            "Counseling for children, couples and families, with bilingual therapists. Payment "
            "based on income.",
            "Terapia para niños, parejas y familias, con terapeutas bilingües. El pago depende "
            "de sus ingresos.",
        ),
        checked_days_ago=65,
    ),
    Listing(
        ("Teen Talk Peer Support", "Apoyo entre Jóvenes Teen Talk"),
        (M,),
        "en es",
        "Sunnyside",
        "4351 Navajo St",
        "80211",
        "720-555-0125",
        "mon-fri 15:00-21:00",
        (
            "Teens talk with trained teens by phone, text or chat about stress, friends, family "
            "and school.",
            "Adolescentes hablan con otros jóvenes capacitados por teléfono, mensaje o chat "
            "sobre el estrés, los amigos, la familia y la escuela.",
        ),
        ("Ages 13 to 19.", "De 13 a 19 años."),
        checked_days_ago=95,
    ),
    Listing(
        ("Family Grief Support Circle", "Círculo de Apoyo en el Duelo para Familias"),
        (M, W),
        "en es",
        "Ruby Hill",
        "1560 S Raritan Way",
        "80223",
        "720-555-0126",
        "tue 18:00-19:30",
        (
            "A group for children and parents who have lost someone close. Childcare and a "
            "light dinner.",
            "Un grupo para niños y padres que perdieron a un ser querido. Hay cuidado de niños y "
            "una cena ligera.",
        ),
        checked_days_ago=380,
    ),
    Listing(
        ("Refugee Family Wellness Program", "Programa de Bienestar para Familias Refugiadas"),
        (M, I),
        "en ar so ne my am",
        "East Colfax",
        "10100 E Colfax Ave",
        "80010",
        "303-555-0127",
        "mon-fri 09:00-17:00",
        (
            "Counselors from refugee communities help families with stress, trauma and settling "
            "in, in their own language.",
            "Consejeros de comunidades refugiadas ayudan a las familias con el estrés, el trauma "
            "y la adaptación, en su propio idioma.",
        ),
        appointment=True,
        checked_days_ago=170,
    ),
    # ---- legal ----
    Listing(
        ("Front Range Legal Aid", "Asistencia Legal Front Range"),
        (L, H),
        "en es",
        "Capitol Hill",
        "1905 Sherman St",
        "80203",
        "303-555-0128",
        "mon-fri 09:00-16:00",
        (
            "Free lawyers for evictions, public benefits, consumer debt and family safety cases.",
            "Abogados gratuitos para casos de desalojo, beneficios públicos, deudas y seguridad "
            "familiar.",
        ),
        ("Households with low income.", "Hogares con ingresos bajos."),
        checked_days_ago=70,
    ),
    Listing(
        ("Legal Night at Westwood Library", "Noche Legal en la Biblioteca de Westwood"),
        (L,),
        "en es",
        "Westwood",
        "1000 S Lowell Blvd",
        "80219",
        "720-555-0129",
        "wed 17:30-19:30",
        (
            "Volunteer lawyers answer questions in person, first come, first served.",
            "Abogados voluntarios responden preguntas en persona, por orden de llegada.",
        ),
        checked_days_ago=110,
    ),
    Listing(
        ("Family Court Self-Help Center", "Centro de Autoayuda del Tribunal de Familia"),
        (L, W),
        "en es",
        "Civic Center",
        "1437 Bannock St",
        "80202",
        "303-555-0130",
        "mon-fri 08:00-16:30",
        (
            "Help with court forms for custody, parenting time, child support and divorce. Staff "
            "explain the steps; they do not represent you.",
            "Ayuda con formularios del tribunal para custodia, tiempo de crianza, manutención y "
            "divorcio. El personal explica los pasos; no lo representa.",
        ),
        checked_days_ago=610,
    ),
    Listing(
        ("Workers' Rights Center", "Centro de Derechos Laborales"),
        (L,),
        "en es",
        "Sunnyside",
        "4410 Tejon St",
        "80211",
        "720-555-0131",
        "tue 10:00-18:00, thu 10:00-18:00",
        (
            "Help when an employer does not pay what you earned, or with injuries and unsafe work.",
            "Ayuda cuando un empleador no le paga lo que ganó, o con lesiones y trabajo peligroso.",
        ),
        (
            "Any worker, whatever their immigration status.",
            "Cualquier trabajador, sin importar su situación migratoria.",
        ),
        checked_days_ago=160,
    ),
    # ---- immigration ----
    Listing(
        ("Immigrant Services Center", "Centro de Servicios al Inmigrante"),
        (I, L),
        "en es",
        "Athmar Park",
        "1255 S Federal Blvd",
        "80219",
        "303-555-0132",
        "mon-fri 09:00-17:00",
        (
            "Accredited staff help with DACA renewals, work permits, family petitions and "
            "citizenship, at low cost.",
            "Personal acreditado ayuda con renovaciones de DACA, permisos de trabajo, peticiones "
            "familiares y ciudadanía, a bajo costo.",
        ),
        appointment=True,
        checked_days_ago=50,
    ),
    Listing(
        ("Know Your Rights Workshops", "Talleres Conozca sus Derechos"),
        (I,),
        "en es",
        "Barnum",
        "360 Hooker St",
        "80219",
        "720-555-0133",
        "sat 10:00-12:00",
        (
            "What to do if immigration officers come to your home or work, and how to make a "
            "family safety plan.",
            "Qué hacer si agentes de inmigración llegan a su casa o a su trabajo, y cómo hacer "
            "un plan de seguridad familiar.",
        ),
        note=("Second Saturday of each month.", "El segundo sábado de cada mes."),
        checked_days_ago=85,
    ),
    Listing(
        ("Citizenship Classes", "Clases de Ciudadanía"),
        (I, W),
        "en es vi zh",
        "Mar Lee",
        "3050 S Vrain St",
        "80236",
        "720-555-0134",
        "mon 18:00-20:00, wed 18:00-20:00",
        (
            "Free evening classes to prepare for the citizenship interview and test.",
            "Clases gratuitas por la noche para prepararse para la entrevista y el examen de "
            "ciudadanía.",
        ),
        ("Permanent residents.", "Residentes permanentes."),
        checked_days_ago=130,
    ),
    Listing(
        ("African Community Family Navigators", "Navegadores Familiares de la Comunidad Africana"),
        (I, W),
        "en am so fr ar",
        "Montbello",
        "12000 E 47th Ave",
        "80239",
        "303-555-0135",
        "mon-fri 09:00-17:00",
        (
            "Navigators help newly arrived families with school enrollment, benefits, housing "
            "and appointments.",
            "Navegadores ayudan a familias recién llegadas con la inscripción escolar, "
            "beneficios, vivienda y citas.",
        ),
        checked_days_ago=40,
    ),
    Listing(
        ("English Classes for Parents", "Clases de Inglés para Padres"),
        (W, I),
        "en es ne my",
        "Sunnyside",
        "4500 Pecos St",
        "80211",
        "720-555-0136",
        "tue 09:00-11:30, thu 09:00-11:30, tue 18:00-20:00, thu 18:00-20:00",
        (
            "English classes at every level, morning or evening, with childcare in the next room.",
            "Clases de inglés de todos los niveles, por la mañana o por la noche, con cuidado de "
            "niños en el salón de al lado.",
        ),
        checked_days_ago=22,
    ),
    # ---- family wellness ----
    Listing(
        ("Valverde Parent Café", "Café para Padres de Valverde"),
        (W,),
        "en es",
        "Valverde",
        "2030 W Alameda Ave",
        "80223",
        "720-555-0137",
        "fri 08:30-10:00",
        (
            "Coffee and conversation with other parents about raising children, stress and school.",
            "Café y conversación con otros padres sobre la crianza, el estrés y la escuela.",
        ),
        checked_days_ago=18,
    ),
    Listing(
        ("Kids' Clothing Closet", "Ropero Infantil"),
        (W,),
        "en es",
        "College View",
        "2680 S Decatur St",
        "80219",
        "720-555-0138",
        "mon 15:00-18:00",
        (
            "Free clothes, shoes and winter coats for children, sizes newborn to teen.",
            "Ropa, zapatos y abrigos de invierno gratis para niños, de recién nacido a "
            "adolescente.",
        ),
        checked_days_ago=None,
    ),
    Listing(
        (
            "Safe at Home Domestic Violence Line",
            "Línea Segura en Casa contra la Violencia Doméstica",
        ),
        (W, H, M),
        "en es",
        "",
        "",
        "",
        "303-555-0139",
        "mon-sun 00:00-00:00",
        (
            "Confidential help at any hour: safety planning, emergency shelter and advocates "
            "who go with you to court.",
            "Ayuda confidencial a cualquier hora: plan de seguridad, refugio de emergencia y "
            "defensoras que la acompañan al tribunal.",
        ),
        checked_days_ago=8,
    ),
    Listing(
        ("Montbello Family Resource Center", "Centro de Recursos Familiares de Montbello"),
        (W, F, H),
        "en es",
        "Montbello",
        "4510 Peoria St",
        "80239",
        "720-555-0140",
        "mon-fri 09:00-17:00, sat 10:00-14:00",
        (
            "One stop for families: a food pantry, help with rent and bills, parenting classes "
            "and a play room.",
            "Todo en un lugar para las familias: despensa de alimentos, ayuda con renta y "
            "facturas, clases para padres y un cuarto de juegos.",
        ),
        checked_days_ago=28,
    ),
    Listing(
        ("Child Care Assistance Enrollment", "Inscripción en la Ayuda para el Cuidado Infantil"),
        (W,),
        "en es",
        "Barnum",
        "505 Knox Ct",
        "80219",
        "720-555-0141",
        "",
        (
            "Help applying for help paying for child care (CCCAP) and finding a licensed "
            "provider near home or work.",
            "Ayuda para solicitar apoyo para pagar el cuidado infantil (CCCAP) y encontrar un "
            "proveedor con licencia cerca de su casa o trabajo.",
        ),
        appointment=True,
        checked_days_ago=190,
    ),
    Listing(
        ("Fatherhood Circle", "Círculo de Papás"),
        (W,),
        "en es",
        "Ruby Hill",
        "1200 W Mississippi Ave",
        "80223",
        "720-555-0143",
        "thu 18:30-20:30",
        (
            "Dads and father figures meet weekly to share, learn and support each other.",
            "Papás y figuras paternas se reúnen cada semana para compartir, aprender y apoyarse.",
        ),
        checked_days_ago=300,
    ),
    Listing(
        ("Berkeley Winter Coat Drive", "Colecta de Abrigos de Invierno de Berkeley"),
        (W,),
        "en es",
        "Berkeley",
        "4655 Sheridan Blvd",
        "80212",
        "720-555-0144",
        "sat 10:00-13:00",
        (
            "Free winter coats for children, each December.",
            "Abrigos de invierno gratis para niños, cada diciembre.",
        ),
        checked_days_ago=700,
        archived=True,
    ),
)


def load_demo_resources(today: date) -> dict[str, int]:
    """Add the demo listings that are missing (matched by English name); idempotent."""
    existing = set(db.session.scalars(select(Resource.name_en)))
    added = 0
    for item in LISTINGS:
        if item.name[0] in existing:
            continue
        resource = save_resource(
            None,
            ResourceInput(
                name_en=item.name[0],
                name_es=item.name[1],
                description_en=item.about[0],
                description_es=item.about[1],
                eligibility_en=item.who[0],
                eligibility_es=item.who[1],
                needs=frozenset(item.needs),
                languages=frozenset(item.languages.split()),
                street=item.street,
                city="Denver, CO" if item.street else "",
                postal_code=item.zip,
                neighbourhood=item.neighbourhood,
                phone=normalize_phone(item.phone),
                website=item.site or _site(item.name[0]),
                by_appointment=item.appointment,
                hours_note_en=item.note[0],
                hours_note_es=item.note[1],
                openings=openings(item.hours),
            ),
            actor_id=None,
            ip=None,
            verified_today=(
                today - timedelta(days=item.checked_days_ago)
                if item.checked_days_ago is not None
                else None
            ),
            commit=False,
        )
        if item.archived:
            resource.archived_at = utcnow()
        added += 1
    db.session.commit()
    return {"community resources": added}
