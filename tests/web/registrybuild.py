"""A small registry for web tests, written through the Registry service (drafts reviewed and published)."""

from pathlib import Path

from shadowfleet.registry.models import ClaimIn, EntityCreate, SourceIn, UserPublic
from shadowfleet.registry.service import Registry

EDITOR = ("test-editor", "correct horse battery staple")
REVIEWER = ("test-reviewer", "a second pair of eyes here")  # publishes what EDITOR wrote about people
SOURCE = SourceIn(
    url="https://example.org/report", title="Test report", publisher="Example", published_date="2020-01-01"
)
# IMO 9100001 has no valid check digit; the registry vessel uses a valid number tied to a lake vessel.
REGISTRY_IMO = "9187629"


def claim(value: str, start: str | None = None, end: str | None = None) -> list[ClaimIn]:
    return [ClaimIn(value=value, source=SOURCE, start_date=start, end_date=end)]


def publish(
    reg: Registry, user: UserPublic, schema: str, entity_id: str, props: dict[str, list[ClaimIn]]
) -> str:
    draft = reg.create_draft(user, EntityCreate(schema=schema, id=entity_id, properties=props))
    submitted = reg.submit_for_review(user, draft.id, draft.version)
    reg.publish(reg.authenticate(*REVIEWER), submitted.id, submitted.version)
    return draft.id


def build_registry(path: Path) -> Registry:
    reg = Registry(f"sqlite:///{path}")
    reg.init()
    reg.create_user(EDITOR[0], EDITOR[1], "editor")
    reg.create_user(REVIEWER[0], REVIEWER[1], "editor")
    user = reg.authenticate(*EDITOR)
    publish(
        reg,
        user,
        "Company",
        "test-shipping-co",
        {"name": claim("Test Shipping Co"), "jurisdiction": claim("pa")},
    )
    publish(
        reg,
        user,
        "Vessel",
        "test-vessel-registry",
        {
            "name": claim("TEST TANKER ONE", "2019-01-01"),
            "imoNumber": claim(REGISTRY_IMO),
            "mmsi": claim("775000001"),
            "flag": claim("pa", "2019-01-01"),
            "owner": claim("test-shipping-co", "2019-06-01"),
        },
    )
    publish(
        reg,
        user,
        "Sanction",
        "test-sanction",
        {
            "entity": claim("test-shipping-co"),
            "program": claim("VENEZUELA-EO13850"),
            "authority": claim("OFAC"),
            "listingDate": claim("2019-04-12"),
        },
    )
    publish(reg, user, "Organization", "test-mission", {"name": claim("Test Military Mission")})
    publish(
        reg,
        user,
        "Position",
        "test-post",
        {"name": claim("Test Attaché"), "organization": claim("test-mission")},
    )
    publish(
        reg, user, "Person", "test-person", {"name": claim("Ivan <b>Testov</b>"), "nationality": claim("ru")}
    )
    publish(
        reg,
        user,
        "Occupancy",
        "test-occupancy",
        {"holder": claim("test-person"), "post": claim("test-post"), "startDate": claim("2019-03-01")},
    )
    publish(
        reg,
        user,
        "Support",
        "test-support-ru",
        {
            "name": claim("Test loan"),
            "state": claim("ru"),
            "supportType": claim("loans"),
            "summary": claim("A loan."),
        },
    )
    return reg
