"""The 2026 layout and rules on a generated data set: a complete return passes every check and the
schema; each rule, each required item and each code set has an example that fails it."""

import pytest
from lxml import etree

from reports.sen2.validate import validate_return
from reports.sen2.xml import return_xml, schema_errors

from .data import YEAR, D, find, upn, valid_return


def failures(sen2_return):
    result = validate_return(sen2_return)
    return {f.rule for f in result.header} | {f.rule for p in result.persons for f in p.failures}


def test_a_complete_return_passes_every_check_and_the_schema():
    sen2_return = valid_return()
    result = validate_return(sen2_return)
    assert result.valid, [(f.rule, f.message) for p in result.persons for f in p.failures] + result.header
    document = return_xml(sen2_return, result)
    assert schema_errors(YEAR, document) == []
    assert b"NOT VALID" not in document


def test_the_xml_holds_the_modules_in_the_specifications_order():
    root = etree.fromstring(return_xml(valid_return()))
    assert [child.tag for child in root] == ["Header", "Persons"]
    assert [c.tag for c in root.find("Header/Source")] == [
        "SourceLevel",
        "LEA",
        "SoftwareCode",
        "Release",
        "SerialNo",
        "DateTime",
        "DMO",
        "DCO",
    ]
    persons = root.findall("Persons/Person")
    assert len(persons) == 8
    issued = [p for p in persons if p.find("Requests/Assessment/NamedPlan") is not None]
    assert len(issued) == 2
    plan = issued[0].find("Requests/Assessment/NamedPlan")
    assert [c.tag for c in plan] == ["StartDate", "PlanDetail"]
    assert issued[0].findtext("Requests/Assessment/Week20") in {"0", "1"}
    # The surname as written, apostrophe and all (escaped by the XML writer, not by us).
    assert "O'Neill" in [p.findtext("Surname") for p in persons]


# One rule, one way to break it (the case numbers are data.cases()).
BREAKS = {
    "H01": lambda r: r.header.child("CollectionDetails").fields.update(ReferenceDate=D(2025, 12, 1)),
    "P01": lambda r: r.persons[0].fields.update(UPN=None),
    "P02": lambda r: r.persons[0].fields.update(UPN="B" + upn(1)[1:] if upn(1)[0] != "B" else "C" + upn(1)[1:]),
    "R01": lambda r: find(r, 1).fields.update(ReceivedDate=D(2015, 4, 1)),
    "R02": lambda r: find(r, 1).person().fields.update(PersonBirthDate=D(1999, 2, 3)),
    "R03": lambda r: find(r, 1).fields.update(ReceivedDate=D(2026, 1, 16)),
    "R04": lambda r: find(r, 2).fields.update(RequestOutcomeDate=None),
    "R05": lambda r: find(r, 2).fields.update(RequestOutcomeDate=D(2025, 2, 1)),
    "R06": lambda r: find(r, 2).fields.update(RequestOutcomeDate=D(2026, 1, 20)),
    "R07": lambda r: find(r, 3).fields.update(RequestOutcome="N"),
    "A01": lambda r: find(r, 4).child("Assessment").fields.update(AssessmentOutcomeDate=None),
    "A02": lambda r: find(r, 4).child("Assessment").fields.update(AssessmentOutcomeDate=D(2025, 3, 1)),
    "A03": lambda r: find(r, 4).child("Assessment").fields.update(AssessmentOutcomeDate=D(2026, 2, 1)),
    "A04": lambda r: find(r, 5).child("Assessment").fields.update(AssessmentOutcome="A", AssessmentOutcomeDate=None),
    "A05": lambda r: find(r, 5).child("Assessment").fields.update(Week20=None),
    "N01": lambda r: find(r, 5).child("Assessment").child("NamedPlan").fields.update(StartDate=D(2025, 6, 1)),
    "N02": lambda r: find(r, 5).child("Assessment").child("NamedPlan").fields.update(StartDate=D(2026, 1, 16)),
}


def test_every_rule_of_the_year_has_a_failing_example():
    assert set(BREAKS) == {rule.id for rule in YEAR.rules}


@pytest.mark.parametrize("rule", sorted(BREAKS))
def test_each_rule_fails_its_example(rule):
    sen2_return = valid_return()
    BREAKS[rule](sen2_return)
    found = failures(sen2_return)
    assert rule in found
    document = return_xml(sen2_return, validate_return(sen2_return))
    assert b"NOT VALID" in document and rule.encode() in document


def _required_items():
    for module in (*YEAR.header.walk(), *YEAR.person.walk()):
        for item in module.items():
            if item.required:
                yield module.element, item.element


def _nodes(sen2_return, module):
    def walk(node):
        if node.module.element == module:
            yield node
        for children in node.children.values():
            for child in children:
                yield from walk(child)

    yield from walk(sen2_return.header)
    for person in sen2_return.persons:
        yield from walk(person)


@pytest.mark.parametrize(("module", "element"), sorted(_required_items()))
def test_each_required_item_missing_fails_the_checks_and_the_schema(module, element):
    sen2_return = valid_return()
    node = next(_nodes(sen2_return, module))
    node.fields[element] = None
    assert f"{module}.{element}" in failures(sen2_return)
    assert schema_errors(YEAR, return_xml(sen2_return))


def _coded_items():
    for module in (*YEAR.header.walk(), *YEAR.person.walk()):
        if module.element == "ActivePlans":  # never produced (nor completed by data.complete)
            continue
        for item in module.items():
            if item.codes or item.pattern:
                yield module.element, item.element


@pytest.mark.parametrize(("module", "element"), sorted(_coded_items()))
def test_each_code_set_and_format_refuses_a_value_outside_it(module, element):
    sen2_return = valid_return()
    node = next(_nodes(sen2_return, module))
    node.fields[element] = "?x"
    assert {f"{module}.{element}.code", f"{module}.{element}.format"} & failures(sen2_return)
    assert schema_errors(YEAR, return_xml(sen2_return))


def test_a_plan_without_its_placement_fails_as_not_held():
    sen2_return = valid_return()
    find(sen2_return, 5).child("Assessment").child("NamedPlan").children.clear()
    result = validate_return(sen2_return)
    assert "NamedPlan.PlanDetail" in {f.rule for p in result.persons for f in p.failures}
    assert not result.to_fix  # nothing to put right on the case: the product holds no placements
    assert [(element, n) for element, _label, n in result.not_held] == [("PlanDetail", 1)]


def test_the_reference_date_decides_what_has_happened():
    """A plan issued after the reference date is not in the return: the assessment is still open."""
    from .data import case

    sen2_return = valid_return(
        [case(9, decision_on=D(2025, 10, 1), decided_to_assess=True, final_plan_issued_on=D(2026, 1, 20))]
    )
    request = sen2_return.persons[0].children["Requests"][0]
    assessment = request.child("Assessment")
    assert assessment.fields["AssessmentOutcome"] == "A" and assessment.child("NamedPlan") is None
    assert validate_return(sen2_return).valid


def test_the_schema_is_a_real_schema_with_every_element_of_the_year():
    from reports.sen2.xml import schema_document

    names = set(
        schema_document(YEAR).xpath("//xs:element/@name", namespaces={"xs": "http://www.w3.org/2001/XMLSchema"})
    )
    expected = {m.element for m in (*YEAR.header.walk(), *YEAR.person.walk())}
    expected |= {i.element for m in (*YEAR.header.walk(), *YEAR.person.walk()) for i in m.items()}
    assert expected | {"Message", "Persons"} == names
