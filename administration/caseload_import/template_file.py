"""The template an administrator fills in: an XLSX with the cases sheet (its header row only, so no
example can be imported by mistake) and a sheet explaining each column with an example, or the header
as CSV. Every cell is written as
text, and none starts with a character a spreadsheet would take for a formula (= + - @), so opening
the template runs nothing."""

import csv
import io

from .columns import COLUMNS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.name for column in COLUMNS])
    # UTF-8 with a byte order mark: Excel opens it with the right characters.
    return out.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    cases = workbook.active
    cases.title = "Cases"
    cases.append([column.name for column in COLUMNS])
    for cell in cases[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(COLUMNS, start=1):
        cases.column_dimensions[cases.cell(row=1, column=index).column_letter].width = max(14, len(column.name) + 2)
    cases.freeze_panes = "A2"
    help_sheet = workbook.create_sheet("Columns")
    help_sheet.append(["Column", "Name", "Required", "Example", "What to put in it"])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for column in COLUMNS:
        help_sheet.append(
            [
                column.name,
                column.label,
                "Yes" if column.required else "No",
                _safe(column.example),
                _safe(column.explanation),
            ]
        )
    help_sheet.append([])
    for line in (
        "One row per team asked for advice. The rows of one request repeat its reference and the child's details.",
        "Upload checks every row first and saves nothing until you confirm.",
        "Stages already reached are recorded with their dates and nothing is sent for them.",
    ):
        help_sheet.append([line])
    help_sheet.column_dimensions["A"].width = 22
    help_sheet.column_dimensions["B"].width = 26
    help_sheet.column_dimensions["D"].width = 30
    help_sheet.column_dimensions["E"].width = 100
    for row in help_sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
