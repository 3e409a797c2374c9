"""factory_boy factories with an en_GB Faker. Invented people on .example domains only."""

import datetime

import factory
from django_otp.plugins.otp_static.models import StaticDevice
from factory.django import DjangoModelFactory

from advice.models import AdviceItem, AdviceRequest
from assessments.models import Case, Child, Requester
from ehc.models import LocalAuthoritySettings, Organisation, OrganisationKind, Role, Service, Team, User

factory.Faker._DEFAULT_LOCALE = "en_GB"


class IcbFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Coastal Integrated Care Board {n}")
    short_name = factory.Sequence(lambda n: f"ICB{n}")
    kind = OrganisationKind.ICB


class LocalAuthorityFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["name"]
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Harbourside Council {n}")
    short_name = factory.Sequence(lambda n: f"LA{n}")
    kind = OrganisationKind.LOCAL_AUTHORITY
    icb = factory.SubFactory(IcbFactory)
    address = "Town Hall\nCastle Circus\nHarbourside\nHS1 1AA"

    @factory.post_generation
    def la_settings(obj, create, extracted, **kwargs):
        if create:
            LocalAuthoritySettings.objects.get_or_create(
                local_authority=obj,
                defaults={
                    "ad_education_name": "Morgan Ellery",
                    "ad_education_email": f"ad.education@{obj.short_name.lower()}.example",
                    "business_support_email": f"send.support@{obj.short_name.lower()}.example",
                    "dco_office_email": "dco.office@icb.example",
                },
            )


class ProviderFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["name"]
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Bayview Children's Health {n}")
    short_name = factory.Sequence(lambda n: f"BCH{n}")
    kind = OrganisationKind.HEALTH_PROVIDER
    spoc_email = factory.Sequence(lambda n: f"spoc{n}@health.example")
    director_name = "Robin Carrow"
    director_title = "Alliance Director"
    director_email = factory.Sequence(lambda n: f"director{n}@health.example")

    @factory.post_generation
    def serves(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.served_las.add(*extracted)


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    provider = factory.SubFactory(ProviderFactory)
    service = Service.SLT
    name = factory.Sequence(lambda n: f"Team {n}")
    email = factory.Sequence(lambda n: f"team{n}@health.example")
    head_of_service_name = "Sam Holloway"
    head_of_service_email = factory.Sequence(lambda n: f"hos{n}@health.example")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@people.example")
    password = factory.django.Password("correct horse battery staple")
    roles = factory.LazyFunction(list)

    @factory.post_generation
    def teams(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.teams.add(*extracted)


class ChildFactory(DjangoModelFactory):
    class Meta:
        model = Child

    local_authority = factory.SubFactory(LocalAuthorityFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = datetime.date(2018, 3, 14)


# The child's details a case is made with (CaseFactory(last_name="O'Neill")) when no `child` is given.
CHILD_PARAMS = ("first_name", "last_name", "date_of_birth", "nhs_number", "upn", "address", "postcode", "setting")


class CaseFactory(DjangoModelFactory):
    """A case for a new child of its LA, or for `child=`; the child's details may be given directly
    (first_name=..., nhs_number=...), as they are the new child's."""

    class Meta:
        model = Case

    class Params:
        first_name = factory.Faker("first_name")
        last_name = factory.Faker("last_name")
        date_of_birth = datetime.date(2018, 3, 14)
        nhs_number = ""
        upn = ""
        address = ""
        postcode = ""
        setting = ""

    local_authority = factory.SubFactory(LocalAuthorityFactory)
    child = factory.SubFactory(
        ChildFactory,
        local_authority=factory.SelfAttribute("..local_authority"),
        **{name: factory.SelfAttribute(f"..{name}") for name in CHILD_PARAMS},
    )
    requested_by = Requester.PARENT
    received_on = datetime.date(2026, 9, 1)
    family_views = "We want Alex to be understood at school."
    reference = factory.Sequence(lambda n: f"EHC-T-{n:05d}")


class AdviceRequestFactory(DjangoModelFactory):
    class Meta:
        model = AdviceRequest

    case = factory.SubFactory(CaseFactory)
    provider = factory.SubFactory(ProviderFactory)
    local_authority = factory.SelfAttribute("case.local_authority")
    notified_on = datetime.date(2026, 9, 7)
    due_on = factory.LazyAttribute(lambda o: o.notified_on + datetime.timedelta(days=42))
    requested_by = factory.SubFactory(UserFactory)
    services_named = factory.LazyFunction(lambda: [Service.SLT])


class AdviceItemFactory(DjangoModelFactory):
    class Meta:
        model = AdviceItem

    request = factory.SubFactory(AdviceRequestFactory)
    team = factory.SubFactory(TeamFactory, provider=factory.SelfAttribute("..request.provider"))
    provider = factory.SelfAttribute("request.provider")
    local_authority = factory.SelfAttribute("request.local_authority")
    case = factory.SelfAttribute("request.case")
    due_on = factory.SelfAttribute("request.due_on")
    next_action_on = factory.LazyAttribute(lambda o: o.due_on + datetime.timedelta(days=1))


def verified_login(client, user):
    """Sign a test client in as `user` with two-factor authentication completed."""
    client.force_login(user)
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="Test device", defaults={"confirmed": True}
    )
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


ROLE_LA = [Role.CASE_OFFICER, Role.BUSINESS_SUPPORT, Role.AD_EDUCATION]
