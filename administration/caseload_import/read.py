"""The uploaded bytes to rows of text, or one sentence saying why not. The file is hostile until
read: its size, its rows and (for XLSX) its unpacked size are capped before anything is parsed, macro
workbooks and the old binary formats are refused, and no cell's formula is ever evaluated (openpyxl
reads the stored values; a formula cell is an error the checks report by row and column)."""

import csv
import datetime
import io
import zipfile

MAX_BYTES = 5_000_000
MAX_ROWS = 10_000
# An XLSX is a zip: a small file can unpack to gigabytes. Cap what its parts claim to unpack to.
MAX_UNPACKED = 60_000_000
MAX_CELL = 2_000
FORMULA = "\x00formula"


class FileError(Exception):
    """The file cannot be read at all: one sentence the administrator can act on."""


def read_rows(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """(the header's column names, [(the row's number in the file, {column: text or date})]).
    Row numbers are the spreadsheet's: the header is row 1."""
    if not data:
        raise FileError("The chosen file is empty")
    if len(data) > MAX_BYTES:
        raise FileError(f"The file must be smaller than {MAX_BYTES // 1_000_000} MB: split it into several files")
    name = filename.lower()
    if data[:4] == b"PK\x03\x04":
        return _xlsx(data, name)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or name.endswith((".xls", ".xlsm", ".xlsb", ".ods")):
        raise FileError("The file must be a CSV or an Excel workbook (.xlsx): save it as .xlsx or CSV and upload that")
    return _csv(data)


def _csv(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileError("The CSV file must be saved as UTF-8 (in Excel: Save as, CSV UTF-8)") from None
    if "\x00" in text:
        raise FileError("The file must be a CSV or an Excel workbook (.xlsx)")
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        if header is None:
            raise FileError("The chosen file is empty")
        rows = []
        for values in reader:
            if len(rows) >= MAX_ROWS:
                raise FileError(f"The file has more than {MAX_ROWS:,} rows: split it into several files")
            rows.append((reader.line_num, values))
    except csv.Error:
        raise FileError("The CSV file could not be read: check that it was saved as CSV") from None
    return _named(header, rows)


def _xlsx(data: bytes, name: str):
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            if any(part.filename.lower().endswith("vbaproject.bin") for part in parts):
                raise FileError("The workbook has macros: save it as an Excel workbook (.xlsx) without them")
            if sum(part.file_size for part in parts) > MAX_UNPACKED:
                raise FileError("The workbook is too big once unpacked: split it into several files")
            if "xl/workbook.xml" not in {part.filename for part in parts}:
                raise FileError("The file must be a CSV or an Excel workbook (.xlsx)")
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except FileError:
        raise
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a damaged or disguised file
        raise FileError("The workbook could not be read: save it again as an Excel workbook (.xlsx)") from None
    try:
        # The template's first sheet holds the cases; its second explains the columns.
        sheet = workbook.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = next(lines, None)
        if header is None:
            raise FileError("The workbook's first sheet is empty")
        rows = []
        for number, values in enumerate(lines, start=2):
            if len(rows) >= MAX_ROWS:
                raise FileError(f"The file has more than {MAX_ROWS:,} rows: split it into several files")
            rows.append((number, [_cell(value) for value in values]))
    finally:
        workbook.close()
    return _named([_cell(value) for value in header], rows)


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if text.startswith("="):
        return FORMULA
    return text


def _named(header, rows):
    names = [str(name).strip().lower().replace(" ", "_") if name else "" for name in header]
    named = []
    for number, values in rows:
        if not any(str(value).strip() for value in values):
            continue  # a blank line is no row
        row = {}
        for index, value in enumerate(values):
            column = names[index] if index < len(names) else ""
            if isinstance(value, str):
                value = value.strip()
            if column or value:
                row[column or f"#{index + 1}"] = value
        named.append((number, row))
    return names, named
