"""The child's identity for the return, read in one place.

Identity fields live on the case today; when the child's own record lands (issue 17, the child's
record), this is the one function to change. Sex, ethnicity and the unique learner number are not
recorded by the product: they stay None and the return lists them as not held (decision 0032)."""

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
    return Identity(
        surname=case.last_name,
        forename=case.first_name,
        birth_date=case.date_of_birth,
        postcode=case.postcode,
        upn=case.upn,
        nhs_number=case.nhs_number,
    )
