"""The entity model as data: FollowTheMoney schemata (a subset) plus our extensions.

Each schema names the properties it accepts and their value type. Extension properties
(`ftm=False`) are kept in our statements and in the `shadowfleet` block of exports, but left out of
the plain FtM `properties`, so the FtM tools accept what we write.

The harm policy (no home addresses, relatives, minors or private contact data for people) is part of
the model: `FORBIDDEN_PERSON_PROPERTIES` cannot be stored on a Person, and the Family schema does not
exist here.
"""

from dataclasses import dataclass, field

# value types: name, string, text, date, country, imo, mmsi, entity, url, number, topic, enum
SUPPORT_TYPES = ("loans", "oil", "military", "gold", "food", "intelligence", "diplomatic", "other")
CONFIDENCE_LEVELS = ("high", "medium", "low")
MIN_ADULT_AGE_Y = 18


@dataclass(frozen=True)
class Prop:
    type: str
    ftm: bool = True
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Schema:
    name: str
    props: dict[str, Prop]
    ftm_schema: str | None = None  # the FtM schema an export uses (None: same name)
    edge: bool = False  # an interval between two entities (Ownership, Occupancy, ...)
    caption_props: tuple[str, ...] = ("name",)
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def export_schema(self) -> str:
        return self.ftm_schema or self.name


def _p(kind: str, names: str, ftm: bool = True) -> dict[str, Prop]:
    return {n: Prop(kind, ftm) for n in names.split()}


_THING = {
    **_p("name", "name alias previousName weakAlias"),
    **_p("country", "country"),
    **_p("text", "description summary notes"),
    **_p("topic", "topics"),
    **_p("url", "sourceUrl wikipediaUrl"),
    **_p("string", "wikidataId keywords program"),
}
_LEGAL = {
    **_THING,
    **_p("country", "jurisdiction mainCountry"),
    **_p(
        "string",
        "registrationNumber idNumber innCode taxNumber leiCode legalForm status sector classification",
    ),
    **_p("date", "incorporationDate dissolutionDate"),
    **_p("url", "website"),
}
_ORG_CONTACT = {**_p("string", "address email phone")}  # organisations' offices are public

FORBIDDEN_PERSON_PROPERTIES = {
    "address": "home addresses are not recorded (harm policy)",
    "addressEntity": "home addresses are not recorded (harm policy)",
    "email": "private contact data is not recorded (harm policy)",
    "phone": "private contact data is not recorded (harm policy)",
    "familyPerson": "relatives are not recorded (harm policy)",
    "familyRelative": "relatives are not recorded (harm policy)",
    "associates": "relatives and private associates are not recorded (harm policy)",
    "fatherName": "relatives are not recorded (harm policy)",
    "motherName": "relatives are not recorded (harm policy)",
    "passportNumber": "private identity documents are not recorded (harm policy)",
    "socialSecurityNumber": "private identity documents are not recorded (harm policy)",
}
FORBIDDEN_SCHEMATA = {
    "Family": "relatives are not recorded (harm policy)",
    "Address": "addresses are not recorded as entities (harm policy)",
}

_INTERVAL = {
    **_p("date", "startDate endDate date"),
    **_p("text", "description summary"),
    **_p("string", "status"),
}

SCHEMATA: dict[str, Schema] = {
    s.name: s
    for s in [
        Schema("LegalEntity", {**_LEGAL, **_ORG_CONTACT}),
        Schema("Company", {**_LEGAL, **_ORG_CONTACT, **_p("imo", "imoNumber")}),
        Schema("Organization", {**_LEGAL, **_ORG_CONTACT, **_p("imo", "imoNumber")}),
        Schema(
            "Person",
            {
                **_THING,
                **_p("name", "firstName lastName middleName"),
                **_p("string", "title position gender political education"),
                **_p("country", "nationality citizenship"),
                **_p("date", "birthDate deathDate"),
                **_p("string", "birthPlace"),
            },
        ),
        Schema(
            "Vessel",
            {
                **_THING,
                **_p("imo", "imoNumber"),
                **_p("mmsi", "mmsi"),
                **_p("string", "callSign type pastTypes registrationPort registrationNumber navigationArea"),
                **_p("country", "flag pastFlags"),
                **_p("number", "tonnage grossRegisteredTonnage deadweightTonnage"),
                **_p("date", "buildDate nameChangeDate registrationDate"),
                **_p("entity", "owner operator"),
                **_p("entity", "manager", ftm=False),
            },
        ),
        Schema(
            "Airplane",
            {**_THING, **_p("string", "type registrationNumber"), **_p("entity", "owner operator")},
        ),
        Schema(
            "Position",
            {
                **_THING,
                **_p("entity", "organization"),
                **_p("string", "subnationalArea"),
                **_p("date", "inceptionDate dissolutionDate"),
            },
        ),
        Schema(
            "Occupancy",
            {
                **_INTERVAL,
                **_p("entity", "holder post"),
                **_p("string", "location rank", ftm=False),
                "confidence": Prop("enum", ftm=False, choices=CONFIDENCE_LEVELS),
            },
            edge=True,
            caption_props=(),
        ),
        Schema(
            "Ownership",
            {**_INTERVAL, **_p("entity", "owner asset"), **_p("string", "role ownershipType percentage")},
            edge=True,
            caption_props=(),
        ),
        Schema(
            "Directorship",
            {**_INTERVAL, **_p("entity", "director organization"), **_p("string", "role")},
            edge=True,
            caption_props=(),
        ),
        Schema(
            "UnknownLink",
            {**_INTERVAL, **_p("entity", "subject object"), **_p("string", "role")},
            edge=True,
            caption_props=(),
        ),
        Schema(
            "Sanction",
            {
                **_INTERVAL,
                **_p("entity", "entity"),
                **_p("string", "authority authorityId program programId provisions reason"),
                **_p("url", "programUrl sourceUrl"),
                **_p("country", "country"),
                **_p("date", "listingDate"),
            },
            edge=True,
            caption_props=("program",),
        ),
        Schema(
            "Event",
            {
                **_THING,
                **_p("date", "date startDate endDate"),
                **_p("string", "location"),
                **_p("entity", "involved organizer"),
            },
        ),
        Schema("Note", {**_THING, **_p("entity", "entity")}),
        # Extensions. A state, exported as an FtM Organization.
        Schema("Country", {**_THING, **_p("text", "abbreviation", ftm=False)}, ftm_schema="Organization"),
        # A state's documented support to the regime, exported as an FtM Event.
        Schema(
            "Support",
            {
                **_p("name", "name"),
                **_p("country", "state", ftm=False),
                "supportType": Prop("enum", ftm=False, choices=SUPPORT_TYPES),
                **_p("text", "summary description"),
                **_p("string", "amount", ftm=False),
                **_p("date", "date startDate endDate"),
                **_p("entity", "involved"),
                **_p("url", "sourceUrl"),
            },
            ftm_schema="Event",
            caption_props=("name", "summary"),
        ),
    ]
}

# The properties that carry a dated history worth showing as a timeline.
HISTORY_PROPERTIES = ("name", "flag", "owner", "operator", "manager", "mmsi", "imoNumber", "callSign")
