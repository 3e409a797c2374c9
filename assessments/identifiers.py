"""The child's identifiers, checked as their issuers define them. Each `*_clean` returns the stored
form (no spaces, upper case) or raises ValidationError with a message for the GOV.UK error summary.

- NHS number: 10 digits, the last a Modulus 11 check digit over the first nine (weights 10 to 2);
  a remainder giving check digit 10 means the number can never be valid (NHS Data Dictionary).
- UPN: a check letter, 11 digits, then a digit (permanent) or a letter (temporary). The letter is
  the sum of characters 2-13 times their position (2 to 13), modulo 23, read in UPN_LETTERS (I, O and
  S are never used); a temporary UPN's last letter counts as its place in the same table (DfE, UK
  Government Data Standards Catalogue "Unique Pupil Number" 2.0).
- ULN: 10 digits, the first not 0, whose sum with weights 10 to 1 leaves 10 modulo 11 (Learning
  Records Service, as HESA's ULN field describes it).
"""

from django.core.exceptions import ValidationError

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
# What people type between the groups of a number: spaces (943 476 5919) and hyphens.
SEPARATORS = str.maketrans("", "", " -\t")


def _ascii_digits(value: str) -> bool:
    # isdigit() alone accepts digits such as "²" that int() refuses (a server error).
    return value.isascii() and value.isdigit()


def nhs_number_clean(value: str) -> str:
    digits = (value or "").translate(SEPARATORS)
    if len(digits) != 10 or not _ascii_digits(digits):
        raise ValidationError("Enter an NHS number of 10 digits, like 943 476 5919")
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = (11 - total % 11) % 11
    if check == 10 or check != int(digits[9]):
        raise ValidationError("Enter a valid NHS number: the check digit does not match")
    return digits


def nhs_number_display(value: str) -> str:
    """An NHS number as people read and say it, 3-3-4 (943 476 5919). Stored as 10 digits; anything
    else (an older row, a partial number) is shown as it is rather than regrouped wrongly."""
    digits = value or ""
    if len(digits) == 10 and _ascii_digits(digits):
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    return digits


def upn_letter(upn_tail: str) -> str:
    """The check letter for characters 2-13 of a UPN (already checked for shape)."""
    total = sum(
        (int(char) if char.isdigit() else UPN_LETTERS.index(char)) * position
        for position, char in enumerate(upn_tail, start=2)
    )
    return UPN_LETTERS[total % 23]


def upn_clean(value: str) -> str:
    upn = (value or "").translate(SEPARATORS).upper()
    if (
        len(upn) != 13
        or not upn.isascii()
        or upn[0] not in UPN_LETTERS
        or not upn[1:12].isdigit()
        or not (upn[12].isdigit() or upn[12] in UPN_LETTERS)
    ):
        raise ValidationError(
            "Enter a unique pupil number of 13 characters: a letter, 11 digits, then a digit "
            "(or a letter for a temporary UPN), like B801200005001"
        )
    if upn_letter(upn[1:]) != upn[0]:
        raise ValidationError("Enter a valid unique pupil number: the check letter does not match")
    return upn


def uln_clean(value: str) -> str:
    digits = (value or "").translate(SEPARATORS)
    if len(digits) != 10 or not _ascii_digits(digits) or digits[0] == "0":
        raise ValidationError("Enter a unique learner number of 10 digits, not starting with 0")
    if sum(int(d) * (10 - i) for i, d in enumerate(digits)) % 11 != 10:
        raise ValidationError("Enter a valid unique learner number: the check digit does not match")
    return digits


# Model field validators: they check the stored form.
def validate_nhs_number(value: str):
    nhs_number_clean(value)


def validate_upn(value: str):
    upn_clean(value)


def validate_uln(value: str):
    uln_clean(value)
