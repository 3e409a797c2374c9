"""The return as XML, and the XML schema it is checked against, both written from the year's
definition (decision 0032).

The DfE publishes no XSD for SEN2; ours encodes the specification's structure (element order,
which items may be absent, how often a module repeats) and its code sets and formats, so a file
that passes it has the shape COLLECT expects. The rules across items are `reports.sen2.validate`.
"""

import datetime
from functools import lru_cache

from lxml import etree

from .definition import BOOL, DATE, DATETIME

XS = "http://www.w3.org/2001/XMLSchema"


def _text(value):
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _append(parent, node, failures_by_node):
    element = etree.SubElement(parent, node.module.element)
    marks = failures_by_node.get(id(node), [])
    if marks:
        # Marks only name the checks and elements, never a value: the file holds personal data
        # enough already.
        element.append(etree.Comment(" NOT VALID: " + "; ".join(f"{f.rule} {f.element}" for f in marks) + " "))
    for entry in node.module.sequence:
        if hasattr(entry, "sequence"):
            for child in node.children.get(entry.element, []):
                _append(element, child, failures_by_node)
        else:
            value = node.fields.get(entry.element)
            # Nothing the product does not know is written: an absent element, never an empty one.
            if value is not None:
                etree.SubElement(element, entry.element).text = _text(value)
    return element


def return_xml(sen2_return, result=None) -> bytes:
    """The file. With `result` and failures, it is marked as not valid: a comment at the top and one
    on each element that failed a check (decision 0032 says why a draft is downloadable)."""
    failures_by_node = {}
    if result is not None:
        for failure in result.header + [f for p in result.persons for f in p.failures]:
            failures_by_node.setdefault(id(failure.node), []).append(failure)
    root = etree.Element("Message")
    if result is not None and not result.valid:
        root.append(
            etree.Comment(
                f" NOT VALID: {result.failure_count} checks failed for {len(result.persons)} children"
                f"{' and the header' if result.header else ''}. Not ready to submit. "
            )
        )
    _append(root, sen2_return.header, failures_by_node)
    persons = etree.SubElement(root, "Persons")
    for person in sen2_return.persons:
        _append(persons, person, failures_by_node)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# The schema ------------------------------------------------------------------------------------


def _simple_type(item):
    restriction = etree.Element(f"{{{XS}}}restriction")
    if item.kind == DATE:
        return {"type": "xs:date"}, None
    if item.kind == DATETIME:
        return {"type": "xs:dateTime"}, None
    restriction.set("base", "xs:string")
    if item.codes:
        for code in item.codes:
            etree.SubElement(restriction, f"{{{XS}}}enumeration", value=code)
    elif item.kind == BOOL:
        for code in ("0", "1"):
            etree.SubElement(restriction, f"{{{XS}}}enumeration", value=code)
    elif item.pattern:
        etree.SubElement(restriction, f"{{{XS}}}pattern", value=item.pattern)
    else:
        etree.SubElement(restriction, f"{{{XS}}}minLength", value="1")
    simple = etree.Element(f"{{{XS}}}simpleType")
    simple.append(restriction)
    return {}, simple


def _occurs(element, minimum, maximum):
    element.set("minOccurs", str(minimum))
    element.set("maxOccurs", "unbounded" if maximum is None else str(maximum))


def _module_element(module, *, minimum=None):
    element = etree.Element(f"{{{XS}}}element", name=module.element)
    _occurs(element, module.min_occurs if minimum is None else minimum, module.max_occurs)
    sequence = etree.SubElement(etree.SubElement(element, f"{{{XS}}}complexType"), f"{{{XS}}}sequence")
    for entry in module.sequence:
        if hasattr(entry, "sequence"):
            sequence.append(_module_element(entry))
            continue
        attributes, simple = _simple_type(entry)
        child = etree.SubElement(sequence, f"{{{XS}}}element", name=entry.element, **attributes)
        _occurs(child, 1 if entry.required else 0, 1)
        if simple is not None:
            child.append(simple)
    return element


def schema_document(year):
    schema = etree.Element(f"{{{XS}}}schema", nsmap={"xs": XS})
    message = etree.SubElement(schema, f"{{{XS}}}element", name="Message")
    sequence = etree.SubElement(etree.SubElement(message, f"{{{XS}}}complexType"), f"{{{XS}}}sequence")
    sequence.append(_module_element(year.header, minimum=1))
    persons = etree.SubElement(sequence, f"{{{XS}}}element", name="Persons")
    persons_sequence = etree.SubElement(etree.SubElement(persons, f"{{{XS}}}complexType"), f"{{{XS}}}sequence")
    persons_sequence.append(_module_element(year.person))
    return schema


@lru_cache(maxsize=8)
def _schema(year_number):
    from .years import YEARS

    return etree.XMLSchema(schema_document(YEARS[year_number]))


def schema_errors(year, document: bytes):
    """The schema's complaints about the file, as (line, message); empty when it conforms."""
    schema = _schema(year.year)
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    schema.validate(etree.fromstring(document, parser))
    return [(error.line, error.message) for error in schema.error_log]
