"""The child's identity for the return, read in one place.

The identity is the child's record (assessments.children.Child, decision 0030), which every request
for the child shares. Sex and ethnicity are not recorded by the product: they stay None and the
return lists them as not held (decision 0032); the unique learner number is the child's, when known."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Identity:
    surname: str
    forename: str
    birth_date: object
    postcode: str
    upn: str
    nhs_number: str
    uln: str | None = None
    sex: str | None = None
    ethnicity: str | None = None

    @property
    def key(self):
        """One Person element per child: by UPN, else NHS number, else name and date of birth."""
        if self.upn:
            return ("upn", self.upn.upper())
        if self.nhs_number:
            return ("nhs", self.nhs_number.replace(" ", ""))
        return ("name", self.surname.strip().casefold(), self.forename.strip().casefold(), self.birth_date)


def child_identity(case) -> Identity:
    child = case.child
    return Identity(
        surname=child.last_name,
        forename=child.first_name,
        birth_date=child.date_of_birth,
        postcode=child.postcode,
        upn=child.upn,
        nhs_number=child.nhs_number,
        uln=child.uln or None,
    )
