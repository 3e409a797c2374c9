"""SEN2 2026: the person-level return of January 2026, for calendar year 2025.

Element names, their order and nesting, and the code sets: the structure of the DfE's technical
specification as public tools that read SEN2 files have it (see SOURCES and decision 0032). The DfE
publishes no XML schema for SEN2; `reports.sen2.schema` writes one from this file. Where our sources
did not give something (the RequestSource code set, whether DMO/DCO may be "R", the DfE's own rule
numbers), this file says so rather than guessing, and the product writes nothing for it.
"""

import datetime

from ..definition import BOOL, CODE, DATE, DATETIME, Item, Module, Rule, YearDefinition

YES_NO = {"1": "Yes", "0": "No"}

SOURCES = (
    "DfE, 'Special educational needs person level survey: technical specification' (GOV.UK publication "
    "page listing the 2025 and 2026 specifications and validation rules): the modules and what they hold",
    "DfE, 'Special educational needs survey guide 2026' (as cited by a public SEN2 XML reader): the 2026 "
    "Person and Requests elements, RequestSource after ReceivedDate",
    "Social Finance, liia-tools, liiatools/spec/sen2/SEN2_schema_2024.xsd: element order, cardinality and "
    "the code sets of RequestOutcome, AssessmentOutcome, Sex, Ethnicity, UPNunknown, SENSetting, DP, "
    "CeaseReason, and the DMO and DCO items of the header",
    "Mastodon C, witan.sen2 (reading COLLECT's Blade export): the modules as COLLECT holds them "
    "(person, requests, assessment, named plan, plan detail, active plans, placement detail, SEN need)",
)

SEX = {"M": "Male", "F": "Female", "U": "Unknown"}
ETHNICITY = {
    "WBRI": "White British",
    "WIRI": "White Irish",
    "WIRT": "Traveller of Irish heritage",
    "WOTH": "Any other White background",
    "WROM": "Gypsy/Roma",
    "MWBC": "White and Black Caribbean",
    "MWBA": "White and Black African",
    "MWAS": "White and Asian",
    "MOTH": "Any other mixed background",
    "AIND": "Indian",
    "APKN": "Pakistani",
    "ABAN": "Bangladeshi",
    "AOTH": "Any other Asian background",
    "BCRB": "Black Caribbean",
    "BAFR": "Black African",
    "BOTH": "Any other Black background",
    "CHNE": "Chinese",
    "OOTH": "Any other ethnic group",
    "REFU": "Refused",
    "NOBT": "Information not yet obtained",
}
UPN_UNKNOWN = {f"UN{n}": f"Reason UN{n} (see the specification)" for n in range(1, 11)}
REQUEST_OUTCOME = {
    "Y": "The LA decided to assess",
    "N": "The LA decided not to assess",
    "A": "Decision yet to be made",
    "W": "Request withdrawn or ceased before the decision whether to assess",
    "H": "Historical: the decision was made before the collection period",
}
ASSESSMENT_OUTCOME = {
    "Y": "It was decided an EHC plan would be issued",
    "N": "It was decided an EHC plan would not be issued",
    "A": "Decision not yet made",
    "W": "Withdrawn or ceased before the decision whether to issue",
    "H": "Historical: decided before the collection period, or transferred in",
}
SEN_SETTING = {code: code for code in ("OLA", "EHE", "EYP", "OPA", "OTH", "NEET", "NIEC", "NIEO")}
DMO_DCO = {"Y": "Yes", "N": "No", "R": "R (see the specification)"}
CASE_DETAILS = "the case's details (Edit details on the case page)"

PLAN_DETAIL = Module(
    "PlanDetail",
    "Named placement in the plan",
    (
        Item("URN", "Placement URN", pattern=r"\d{6}", held=False),
        Item("UKPRN", "Placement UKPRN", pattern=r"\d{8}", held=False),
        Item("SENSetting", "SEN setting (establishment type)", CODE, required=True, held=False, codes=SEN_SETTING),
        Item("SENSettingOther", "SEN setting: other", held=False),
        Item("PlacementRank", "Placement rank", CODE, required=True, held=False, codes={"1": "1", "2": "2"}),
        Item("SENunitIndicator", "SEN unit indicator", BOOL, required=True, held=False, codes=YES_NO),
        Item("ResourcedProvisionIndicator", "Resourced provision indicator", BOOL, True, False, YES_NO),
    ),
    min_occurs=1,
    max_occurs=2,
    held=False,
)

NAMED_PLAN = Module(
    "NamedPlan",
    "The EHC plan issued",
    (
        Item("StartDate", "Date the final EHC plan was issued", DATE, required=True, fix="the final plan step"),
        PLAN_DETAIL,
        Item("PlanRes", "Residential settings", CODE, held=False, codes={"A": "38 to 51 weeks", "B": "52 weeks"}),
        Item("PlanWBP", "Work-based learning", CODE, held=False, codes={"A": "A", "T": "T", "S": "S"}),
        Item("PB", "Personal budget taken up", BOOL, held=False, codes=YES_NO),
        Item("OA", "Personal budget: organised arrangements", BOOL, held=False, codes=YES_NO),
        Item("DP", "Personal budget: direct payments", CODE, held=False, codes={c: c for c in "ESHI"}),
        Item("CeaseDate", "Date the plan ceased", DATE, held=False),
        Item("CeaseReason", "Reason the plan ceased", CODE, held=False, codes={str(n): str(n) for n in range(1, 10)}),
    ),
)

ASSESSMENT = Module(
    "Assessment",
    "EHC needs assessment",
    (
        Item("AssessmentOutcome", "Decision whether to issue a plan", CODE, required=True, codes=ASSESSMENT_OUTCOME),
        Item(
            "AssessmentOutcomeDate",
            "Date of the decision whether to issue a plan",
            DATE,
            fix="the draft plan or 'notice not to issue' step",
        ),
        Item("AssessmentMediation", "Mediation on the assessment", BOOL, held=False, codes=YES_NO),
        Item("AssessmentTribunal", "Tribunal on the assessment", BOOL, held=False, codes=YES_NO),
        Item("OtherMediation", "Other mediation", BOOL, held=False, codes=YES_NO),
        Item("OtherTribunal", "Other tribunal", BOOL, held=False, codes=YES_NO),
        Item("Week20", "A 20-week time limit exception applied", BOOL, codes=YES_NO, fix="the case's exceptions"),
        NAMED_PLAN,
    ),
)

ACTIVE_PLANS = Module(
    "ActivePlans",
    "Active plans, placements, SEN need and annual reviews",
    (Item("TransferLA", "Plan transferred in from (LA number)", pattern=r"\d{3}", held=False),),
    held=False,
)

REQUESTS = Module(
    "Requests",
    "Request for an EHC needs assessment",
    (
        Item("ReceivedDate", "Date the request was received", DATE, required=True, fix=CASE_DETAILS),
        # New for 2026. Its code set was not in our sources, so it is not written (decision 0032).
        Item("RequestSource", "Source of the request", CODE, held=False),
        Item("RYA", "Initial request whilst in relevant youth accommodation", BOOL, held=False, codes=YES_NO),
        Item("RequestOutcomeDate", "Date the decision whether to assess was notified", DATE, fix="the decision step"),
        Item("RequestOutcome", "Decision whether to assess", CODE, required=True, codes=REQUEST_OUTCOME),
        Item("RequestMediation", "Mediation on the request", BOOL, held=False, codes=YES_NO),
        Item("RequestTribunal", "Tribunal on the request", BOOL, held=False, codes=YES_NO),
        Item("Exported", "LA the child moved to before the assessment ended", pattern=r"\d{3}", held=False),
        ASSESSMENT,
        ACTIVE_PLANS,
    ),
    min_occurs=1,
    max_occurs=None,
)

PERSON = Module(
    "Person",
    "Child or young person",
    (
        Item("Surname", "Surname", required=True, fix=CASE_DETAILS),
        Item("Forename", "Forename", required=True, fix=CASE_DETAILS),
        Item("PersonBirthDate", "Date of birth", DATE, required=True, fix=CASE_DETAILS),
        Item("Sex", "Sex", CODE, required=True, held=False, codes=SEX),
        Item("Ethnicity", "Ethnicity", CODE, required=True, held=False, codes=ETHNICITY),
        # A full UK postcode, as the DfE's common basic data set has it.
        Item(
            "PostCode", "Postcode", required=True, pattern=r"[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}", fix=CASE_DETAILS
        ),
        Item("UPN", "Unique pupil number", pattern=r"[A-Z][0-9]{11}[0-9A-Z]", fix=CASE_DETAILS),
        Item("UniqueLearnerNumber", "Unique learner number", pattern=r"[0-9]{10}", held=False),
        Item("UPNunknown", "Why neither a UPN nor a ULN is given", CODE, held=False, codes=UPN_UNKNOWN),
        REQUESTS,
    ),
    min_occurs=1,
    max_occurs=None,
)

HEADER = Module(
    "Header",
    "Header",
    (
        Module(
            "CollectionDetails",
            "Collection",
            (
                Item("Collection", "Collection", CODE, required=True, codes={"SEN2": "SEN2"}),
                Item("Year", "Collection year", required=True, pattern=r"[0-9]{4}"),
                Item("ReferenceDate", "Reference (census) date", DATE, required=True),
            ),
            min_occurs=1,
        ),
        Module(
            "Source",
            "Source",
            (
                Item("SourceLevel", "Source level", CODE, required=True, codes={"L": "Local authority"}),
                Item(
                    "LEA",
                    "DfE local authority number",
                    required=True,
                    pattern=r"[0-9]{3}",
                    fix="the DfE local authority number on this page",
                ),
                Item("SoftwareCode", "Software"),
                Item("Release", "Software release"),
                Item("SerialNo", "Serial number of the file", pattern=r"[0-9]{3}"),
                Item("DateTime", "When the file was made", DATETIME),
                Item(
                    "DMO",
                    "The LA has a Designated Medical Officer",
                    CODE,
                    required=True,
                    codes=DMO_DCO,
                    fix="the DMO answer on this page",
                ),
                Item(
                    "DCO",
                    "The LA has a Designated Clinical Officer",
                    CODE,
                    required=True,
                    codes=DMO_DCO,
                    fix="the DCO answer on this page",
                ),
            ),
            min_occurs=1,
        ),
    ),
    min_occurs=1,
)

DECIDED = ("Y", "N", "W")

# Our rules across items, numbered by us: the DfE's validation rules workbook (with its own rule
# numbers) was not in our sources. Each follows from the specification's structure and definitions.
RULES = (
    Rule(
        "H01",
        "CollectionDetails",
        "check",
        ("ReferenceDate", "in_collection_year"),
        "The reference date is not in the collection year",
    ),
    Rule(
        "P01",
        "Person",
        "one_of",
        ("UPN", "UniqueLearnerNumber", "UPNunknown"),
        "Give the unique pupil number, the unique learner number, or why neither is known",
    ),
    Rule("P02", "Person", "check", ("UPN", "upn"), "The unique pupil number's check letter does not match"),
    Rule(
        "R01",
        "Requests",
        "not_before",
        ("ReceivedDate", "PersonBirthDate"),
        "The request is dated before the child's birth",
    ),
    Rule(
        "R02",
        "Requests",
        "age_under",
        ("PersonBirthDate", "ReceivedDate", 26),
        "The young person was 26 or over when the request was received",
    ),
    Rule(
        "R03", "Requests", "not_after_reference", ("ReceivedDate",), "The request was received after the reference date"
    ),
    Rule(
        "R04",
        "Requests",
        "required_if",
        ("RequestOutcomeDate", "RequestOutcome", DECIDED),
        "A decision whether to assess (or a withdrawal) needs its date",
    ),
    Rule(
        "R05",
        "Requests",
        "not_before",
        ("RequestOutcomeDate", "ReceivedDate"),
        "The decision whether to assess is dated before the request",
    ),
    Rule(
        "R06",
        "Requests",
        "not_after_reference",
        ("RequestOutcomeDate",),
        "The decision whether to assess is dated after the reference date",
    ),
    Rule(
        "R07",
        "Requests",
        "child_iff",
        ("Assessment", "RequestOutcome", ("Y",)),
        "An assessment is returned exactly when the LA decided to assess",
    ),
    Rule(
        "A01",
        "Assessment",
        "required_if",
        ("AssessmentOutcomeDate", "AssessmentOutcome", DECIDED),
        "A decision whether to issue a plan (or a withdrawal) needs its date",
    ),
    Rule(
        "A02",
        "Assessment",
        "not_before",
        ("AssessmentOutcomeDate", "RequestOutcomeDate"),
        "The decision whether to issue is dated before the decision to assess",
    ),
    Rule(
        "A03",
        "Assessment",
        "not_after_reference",
        ("AssessmentOutcomeDate",),
        "The decision whether to issue is dated after the reference date",
    ),
    Rule(
        "A04",
        "Assessment",
        "child_only_if",
        ("NamedPlan", "AssessmentOutcome", ("Y",)),
        "A plan is returned only where it was decided to issue one",
    ),
    Rule(
        "A05",
        "Assessment",
        "required_if",
        ("Week20", "AssessmentOutcome", ("Y",)),
        "Where a plan is to be issued, say whether a 20-week exception applied",
    ),
    Rule(
        "N01",
        "NamedPlan",
        "not_before",
        ("StartDate", "AssessmentOutcomeDate"),
        "The plan was issued before the decision to issue it",
    ),
    Rule("N02", "NamedPlan", "not_after_reference", ("StartDate",), "The plan is dated after the reference date"),
)

YEAR = YearDefinition(
    year=2026,
    # The January 2026 census day (the third Thursday), as for the school census.
    reference_date=datetime.date(2026, 1, 15),
    period_start=datetime.date(2025, 1, 1),
    period_end=datetime.date(2025, 12, 31),
    header=HEADER,
    person=PERSON,
    rules=RULES,
    sources=SOURCES,
)
