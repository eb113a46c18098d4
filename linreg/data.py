"""Reading tables as people really have them (CSV from Excel, Sheets, editors) and validating them.

Limits: files up to ``MAX_BYTES``, tables up to ``MAX_COLUMNS`` columns and ``MAX_ROWS`` data rows.
Row numbers in messages are 1-based data rows (the header, blank lines and rows with every cell
empty are not counted); problems found while parsing the file name the physical line instead
(the header is line 1).

Files as R, pandas, Excel and Sheets export them: a first column under an empty header is the
rows' labels (the frame's index, never an input or target); the markers in ``MISSING`` are
missing values everywhere; numbers written for people ("$250,000", "12%", "1.234,5", "(7)")
are read as numbers and reported as ``Conversion``s (rules at ``read_number_column``).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from linreg.errors import LinregError
from linreg.texts import Catalog

MAX_BYTES: int = 200 * 1024 * 1024
MAX_COLUMNS: int = 1000
MAX_ROWS: int = 5_000_000
FLOAT32_MAX = float(np.finfo(np.float32).max)  # training runs in float32, like the seed

_SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
SAMPLES: dict[str, Path] = {name: _SAMPLE_DIR / f"{name}.csv" for name in ("sample5", "sample15")}

# Candidate separators, in order of preference when several split the file consistently.
DELIMITERS: tuple[str, ...] = ("\t", ";", "|", ",")
# Cell texts read as a missing value, everywhere (files, edited tables): the usual spellings of
# "not available" and Excel's error values (a formula that failed has no number to give).
MISSING: frozenset[str] = frozenset(
    {"", "NA", "N/A", "n/a", "#N/A", "#NA", "NaN", "nan", "NAN", "null", "NULL", "Null", "-"}
    | {"#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA"}
)
# Header texts of a first column that holds the rows' labels: R's write.csv writes "", pandas'
# to_csv nothing, and a table read back by pandas and written again "Unnamed: 0".
LABEL_HEADERS: frozenset[str] = frozenset({"", "Unnamed: 0"})

_SCAN_BYTES = 64 * 1024  # how much of the file is sniffed for binary data and the separator
_SAMPLE_RECORDS = 50  # records used to detect the separator and decimal commas
_LINE_CHECK_BYTES = 20 * 1024 * 1024  # files up to this size get every line checked
_MAX_LISTED_ROWS = 10
_DECIMAL_COMMA = re.compile(r"[-+]?(?:\d{1,3}(?:\.\d{3})+|\d*),\d+")  # 2,5  1.234,5
_SEP_HINT = re.compile(r"sep=(.)[ \t]*\n")  # Excel's optional first line, e.g. "sep=;"
_PANDAS_RAGGED = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_PANDAS_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")
_SPREADSHEETS = {b"PK\x03\x04": ".xlsx", b"\xd0\xcf\x11\xe0": ".xls"}
_CONTROL_BYTES = bytes([*range(9), 11, 12, *range(14, 32), 127])


@dataclass(frozen=True, eq=False)
class Dataset:
    """The chosen columns of a table as float64 arrays: inputs (N, D) and targets (N, K)."""

    input_names: tuple[str, ...]
    target_names: tuple[str, ...]
    inputs: np.ndarray
    targets: np.ndarray
    dropped_rows: tuple[int, ...] = ()  # 1-based data rows dropped for missing values

    @property
    def n_rows(self) -> int:
        """Number of data rows N."""
        return self.inputs.shape[0]

    @property
    def n_inputs(self) -> int:
        """Number of input columns D."""
        return self.inputs.shape[1]

    @property
    def n_targets(self) -> int:
        """Number of target columns K."""
        return self.targets.shape[1]


# Notes about the file as read (not errors).
NOTES = Catalog(
    "data",
    {
        "number_read_as": (
            "{column}: {example!r} read as {value}",
            "{column}: {example!r} leído como {value}",
        ),
    },
)

# ---------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class Conversion:
    """A column of numbers written for people (currency, %, thousands separators, parentheses
    for negatives) that was read as numbers: one of its cells as written and as read."""

    column: str
    example: str  # the cell's text, e.g. "$250,000"
    value: float  # what it was read as, e.g. 250000.0

    def message(self, lang: str = "en") -> str:
        """One line, e.g. "Price: '$250,000' read as 250000"."""
        return NOTES(
            "number_read_as",
            lang,
            column=self.column,
            example=self.example,
            value=_plain(self.value),
        )


@dataclass(frozen=True, eq=False)
class Table:
    """A table as read: numeric columns float64, text columns str, the rows' labels (if the file
    has them) as its index; and the columns read from numbers written for people."""

    frame: pd.DataFrame
    conversions: tuple[Conversion, ...] = ()


def read_table(source: bytes | str | os.PathLike) -> Table:
    """Parse CSV bytes (or a file path) into a Table. A str holding a line break is taken as the
    CSV text itself rather than a path."""
    raw = _read_bytes(source)
    text = _decode(raw)
    delimiter, skipped_lines = None, 0
    if hint := _SEP_HINT.match(text):
        delimiter, text, skipped_lines = hint.group(1), text[hint.end() :], 1
    delimiter = delimiter or _detect_delimiter(_sample(text))
    text, skipped_lines = _from_header(text, delimiter, skipped_lines)
    records = _records(_sample(text), delimiter)
    if len(records[0]) < 2:
        raise LinregError("too_few_columns", tried=repr(delimiter))
    names, has_header = _column_names(records[0])
    data_records = records[1:] if has_header else records
    decimal = "," if delimiter != "," and _uses_decimal_comma(data_records) else "."
    if len(raw) <= _LINE_CHECK_BYTES:
        _check_lines(text, delimiter, len(names), skipped_lines)
    frame = _parse(text, delimiter, names, has_header, decimal, skipped_lines)
    return _validate(frame, decimal)


def read_csv(source: bytes | str | os.PathLike) -> pd.DataFrame:
    """The table of ``read_table(source)``: numeric columns as float64, text columns as str."""
    return read_table(source).frame


def load_sample(name: str) -> pd.DataFrame:
    """One of the bundled sample tables, by name ("sample5" or "sample15")."""
    if name not in SAMPLES:
        raise LinregError("unknown_sample", name=name, choices=", ".join(SAMPLES))
    return read_csv(SAMPLES[name])


def _read_bytes(source: bytes | str | os.PathLike) -> bytes:
    """The bytes of the source, refusing anything over MAX_BYTES."""
    if isinstance(source, str) and "\n" in source:
        source = source.encode("utf-8")
    if isinstance(source, bytes | bytearray | memoryview):
        raw = bytes(source)
        _check_size(len(raw))
        return raw
    path = Path(source)
    try:
        _check_size(path.stat().st_size)
        return path.read_bytes()
    except FileNotFoundError:
        raise LinregError("file_not_found", path=str(path)) from None
    except OSError as err:
        raise LinregError("file_unreadable", path=str(path), reason=err.strerror or err) from None


def _check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise LinregError(
            "file_too_large", size=f"{size / 2**20:.1f}", limit=f"{MAX_BYTES / 2**20:.0f}"
        )


def _decode(raw: bytes) -> str:
    """The file's text with newlines normalised: UTF-8 (with or without BOM), UTF-16 with BOM,
    else cp1252, else Latin-1."""
    head = raw[:_SCAN_BYTES]
    for signature, kind in _SPREADSHEETS.items():
        if head.startswith(signature):
            raise LinregError("spreadsheet_file", kind=kind)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = raw.decode("utf-16", errors="replace")
    else:
        if _is_binary(head):
            raise LinregError("not_text")
        text = _decode_8bit(raw)
    if not text or text.isspace():
        raise LinregError("file_empty")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _is_binary(head: bytes) -> bool:
    """True when the bytes hold NULs or are mostly control characters."""
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls > 0.3 * len(head)


def _decode_8bit(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    return raw.decode("latin-1")


def _sample(text: str) -> str:
    """The start of the text, cut at a line end, for sniffing (at least the whole first line)."""
    if len(text) <= _SCAN_BYTES:
        return text
    end = text.rfind("\n", 0, _SCAN_BYTES)
    if end <= 0:
        end = text.find("\n", _SCAN_BYTES)
    return text if end < 0 else text[:end]


def _records(text: str, delimiter: str) -> list[list[str]]:
    """The first non-blank records of the text, split with the csv module."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=True)
    records = []
    try:
        for record in reader:
            if not _is_blank(record):
                records.append(record)
                if len(records) == _SAMPLE_RECORDS:
                    break
    except csv.Error as err:
        raise LinregError("bad_csv", line=reader.line_num, detail=str(err)) from None
    return records


def _is_blank(record: list[str]) -> bool:
    return all(not field.strip() for field in record)


def _from_header(text: str, delimiter: str, skipped_lines: int) -> tuple[str, int]:
    """The text from its first non-blank record on, and the count of lines skipped so far."""
    reader = csv.reader(io.StringIO(_sample(text)), delimiter=delimiter, skipinitialspace=True)
    start = 1
    for record in reader:
        if not _is_blank(record):
            break
        start = reader.line_num + 1
    else:
        raise LinregError("file_empty")
    cut = 0
    for _ in range(start - 1):
        cut = text.index("\n", cut) + 1
    return text[cut:], skipped_lines + start - 1


def _detect_delimiter(sample: str) -> str:
    """The file's separator, one of DELIMITERS: clevercsv's choice (its dialect detection scores
    how well each separator makes a table of the sample) when it splits the header in two or
    more fields, else ``_consistent_delimiter``'s."""
    import clevercsv  # imported here: 0.2 s that only reading a file needs

    dialect = clevercsv.Detector().detect(sample, delimiters=DELIMITERS)
    if dialect is not None and dialect.delimiter in DELIMITERS:
        records = _records(sample, dialect.delimiter)
        if records and len(records[0]) >= 2:
            return dialect.delimiter
    return _consistent_delimiter(sample)


def _consistent_delimiter(sample: str) -> str:
    """The separator that splits the sample's records into a consistent number of fields > 1.

    With no consistent candidate, the one whose header splits in two or more fields and that most
    records agree with wins (its ragged rows are reported later)."""
    best, best_agreeing = None, -1
    for delimiter in DELIMITERS:
        counts = [len(record) for record in _records(sample, delimiter)]
        if not counts or counts[0] < 2:
            continue
        if all(count == counts[0] for count in counts):
            return delimiter
        agreeing = sum(count == counts[0] for count in counts)
        if agreeing > best_agreeing:
            best, best_agreeing = delimiter, agreeing
    if best is None:
        tried = ", ".join(repr(d) for d in DELIMITERS)
        raise LinregError("too_few_columns", tried=tried)
    return best


def _column_names(header: list[str]) -> tuple[list[str], bool]:
    """The column names and whether the first record is a header (it is not if all numbers)."""
    if len(header) > MAX_COLUMNS:
        raise LinregError("too_many_columns", found=len(header), limit=MAX_COLUMNS)
    if all(_is_number(cell) for cell in header):
        return [f"x{i}" for i in range(1, len(header) + 1)], False
    names = [cell.strip() for cell in header]
    labelled = names[0] in LABEL_HEADERS
    _check_names(names[labelled:], first_position=1 + labelled)
    return names, True


def _is_number(cell: str) -> bool:
    try:
        return bool(np.isfinite(float(cell.strip().replace(",", "."))))
    except ValueError:
        return False


def _check_names(names: Sequence[str], first_position: int = 1) -> None:
    """Refuse empty or repeated column names (positions in messages count from first_position)."""
    seen: dict[str, list[int]] = {}
    for position, name in enumerate(names, start=first_position):
        if not name:
            raise LinregError("empty_column_name", position=position)
        seen.setdefault(name, []).append(position)
    for name, positions in seen.items():
        if len(positions) > 1:
            raise LinregError(
                "duplicate_column", name=name, positions=", ".join(map(str, positions))
            )


def _uses_decimal_comma(records: list[list[str]]) -> bool:
    return any(_DECIMAL_COMMA.fullmatch(cell.strip()) for record in records for cell in record)


def _check_lines(text: str, delimiter: str, expected: int, skipped_lines: int) -> None:
    """Refuse lines with more or fewer fields than the header, or broken quotes."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=True, strict=True)
    start = 1
    try:
        for record in reader:
            if len(record) != expected and not _is_blank(record):
                raise LinregError(
                    "ragged_row",
                    line=start + skipped_lines,
                    found=len(record),
                    expected=expected,
                    delimiter=repr(delimiter),
                )
            start = reader.line_num + 1
    except csv.Error as err:
        raise LinregError("bad_csv", line=start + skipped_lines, detail=str(err)) from None


def _parse(
    text: str, delimiter: str, names: list[str], has_header: bool, decimal: str, skipped: int
) -> pd.DataFrame:
    """The bulk parse with pandas' C engine; cells that are not numbers stay as text."""
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=0 if has_header else None,
            names=names,
            index_col=False,
            keep_default_na=False,
            na_values=sorted(MISSING),
            skipinitialspace=True,
            decimal=decimal,
            nrows=MAX_ROWS + 1,
            engine="c",
            low_memory=False,
        )
    except (ValueError, UnicodeError) as err:  # pandas' ParserError is a ValueError
        error = _parser_error(str(err), delimiter, skipped)
        if error.code == "unreadable_csv":  # pandas did not say where: look line by line
            _check_lines(text, delimiter, len(names), skipped)
        raise error from None
    if len(frame) > MAX_ROWS:
        found = sum(1 for line in text.split("\n") if line.strip()) - has_header
        raise LinregError("too_many_rows", found=found, limit=MAX_ROWS)
    return frame


def _parser_error(message: str, delimiter: str, skipped: int) -> LinregError:
    """A pandas parser error as a LinregError naming the line."""
    if ragged := _PANDAS_RAGGED.search(message):
        expected, line, found = map(int, ragged.groups())
        return LinregError(
            "ragged_row",
            line=line + skipped,
            found=found,
            expected=expected,
            delimiter=repr(delimiter),
        )
    if quote := _PANDAS_QUOTE.search(message):
        line = int(quote.group(1)) + 1 + skipped
        return LinregError("bad_csv", line=line, detail="a quoted value is never closed")
    return LinregError("unreadable_csv", detail=message.removeprefix("Error tokenizing data. "))


# ---------------------------------------------------------------------------------------------
# Validating a table


def validate_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A table (read from a file or edited in the browser) with numeric columns as float64.

    Cells may be numbers, strings or None. Rows with no values at all are dropped; a column whose
    cells are mostly numbers but holds a stray word is an error naming column, row and value; a
    column of mostly text is kept as str; numbers written for people are read (see
    ``read_number_column``). A first column under an empty header (or "Unnamed: 0") becomes the
    rows' labels (the index); labels the table already has (an index other than a RangeIndex)
    are kept."""
    return _validate(frame).frame


def _validate(frame: pd.DataFrame, decimal: str = ".") -> Table:
    names = [str(name).strip() for name in frame.columns]
    labelled = bool(names) and names[0] in LABEL_HEADERS
    _check_names(names[labelled:], first_position=1 + labelled)
    if len(names) - labelled > MAX_COLUMNS:
        raise LinregError("too_many_columns", found=len(names) - labelled, limit=MAX_COLUMNS)
    if len(frame) > MAX_ROWS:
        raise LinregError("too_many_rows", found=len(frame), limit=MAX_ROWS)
    keep_index = not isinstance(frame.index, pd.RangeIndex)
    frame = frame.set_axis(names, axis=1)
    blank = _blank_rows(frame)
    if blank.any():
        frame = frame.loc[~blank]
    if frame.empty:
        raise LinregError("no_data_rows")
    if labelled:
        frame = _labels_to_index(frame, names[0])
    elif not keep_index:
        frame = frame.reset_index(drop=True)
    if all(dtype == np.float64 for dtype in frame.dtypes):
        return Table(frame)  # already clean numbers: no per-column pass over a big table
    columns, conversions = {}, []
    for name in frame.columns:
        columns[name], conversion = read_number_column(name, frame[name], decimal)
        if conversion is not None:
            conversions.append(conversion)
    return Table(pd.DataFrame(columns, index=frame.index), tuple(conversions))


def _labels_to_index(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """The table with its first column as the rows' labels (the index), which must be unique;
    a first column with no name and no values is dropped."""
    column = frame[name]
    rest = frame.drop(columns=name).reset_index(drop=True)
    missing = _missing(column).to_numpy()
    if missing.all():
        return rest
    if missing.any():
        raise LinregError("row_label_missing", row=int(np.flatnonzero(missing)[0]) + 1)
    if _is_numeric(column) and (column == np.floor(column)).all() and column.abs().max() < 2**53:
        labels = pd.Index(column.to_numpy(dtype=np.int64))
    else:
        labels = pd.Index(_texts(column).to_numpy(dtype=object), dtype="str")
    repeated = labels.duplicated(keep=False)
    if repeated.any():
        rows = np.flatnonzero(labels == labels[repeated][0]) + 1
        raise LinregError(
            "row_labels_repeated",
            value=str(labels[repeated][0]),
            rows=", ".join(map(str, rows[:_MAX_LISTED_ROWS])),
        )
    return rest.set_axis(labels, axis=0)


def _blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """Mask of the rows where every cell is missing."""
    blank = np.ones(len(frame), dtype=bool)
    for name in frame.columns:
        blank &= _missing(frame[name]).to_numpy()
        if not blank.any():
            break
    return blank


def _missing(column: pd.Series) -> pd.Series:
    if _is_numeric(column):
        return column.isna()
    return _texts(column).isin(MISSING)


def _texts(column: pd.Series) -> pd.Series:
    """The cells as stripped strings; missing cells as ""."""
    return column.astype("str").str.strip().fillna("")


def _is_numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _plain(value: float) -> str:
    """A number as people write it: 250000, 0.125, -1234.5, 1e+20."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


# ---------------------------------------------------------------------------------------------
# Numbers written for people
#
# A text column is read as numbers when its cells are numbers, each optionally with a currency
# symbol or code (before or after), a trailing %, thousands separators, a sign or parentheses
# for a negative. The rules:
# - one unit per column: every cell has the same currency and % (or none); 12% reads as 12
#   (the number as written, in percent), not 0.12;
# - one convention per column, decimal point (thousands "," "'" or a space) or decimal comma
#   (thousands "." "'" or a space). A cell such as "1,5", "1.234,5" or "1.234.567" only fits
#   the comma convention; "1.5", "1,234.5" or "1,234,567" only the point one. The convention
#   most cells fit wins; cells that fit neither or only the other are the column's stray cells.
# - when every cell fits both ("1,234", "1.234", "12", "1 234"), the file decides: a decimal
#   comma if the file is separated by ";", tab or "|" and holds decimal commas (the way
#   European Excel writes CSV), else a decimal point. So "1,234" quoted in a comma-separated
#   file is 1234, and 1,234 in a semicolon file with decimal commas is 1.234.
# The same numbers with a plain decimal point or comma and nothing else are read silently, as
# always; any other conversion is reported as a Conversion.

_CURRENCIES = (
    *("US$", "R$", "$", "€", "£", "¥", "₹", "₩", "₽", "₺", "₪", "₫", "฿"),
    *("USD", "EUR", "GBP", "JPY", "CNY", "CHF", "CAD", "AUD", "NZD", "MXN", "BRL", "ARS"),
    *("CLP", "COP", "PEN", "UYU", "INR", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "ZAR"),
)
_UNIT = "|".join(re.escape(unit) for unit in sorted(_CURRENCIES, key=len, reverse=True))
# RE2 patterns (pyarrow.compute runs them natively, ~10× faster than re on a million cells).
_SPACE = " \u00a0\u202f"  # space, no-break space, narrow no-break space (French thousands)
_GROUP = "'’" + _SPACE  # thousands separators of both conventions (Swiss ', and spaces)
_NUMBER_CELL = (
    rf"^(?P<open>\()?(?P<sign>[-+−])?(?:(?P<before>{_UNIT})[{_SPACE}]?)?(?P<sign2>[-+−])?"
    rf"(?P<core>\d(?:[\d.,{_GROUP}]*\d)?|[.,]\d+)(?P<exp>[eE][-+]?\d+)?"
    rf"(?:[{_SPACE}]?(?P<after>{_UNIT}|%))?(?P<close>\))?$"
)
_POINT = rf"^(?:\d{{1,3}}(?:[,{_GROUP}]\d{{3}})+|\d+)(?:\.\d+)?$|^\.\d+$"
_COMMA = rf"^(?:\d{{1,3}}(?:[.{_GROUP}]\d{{3}})+|\d+)(?:,\d+)?$|^,\d+$"
_THOUSANDS = {".": f"[,{_GROUP}]", ",": f"[.{_GROUP}]"}


def read_number_column(
    name: str, column: pd.Series, decimal: str = "."
) -> tuple[pd.Series, Conversion | None]:
    """The column as float64 numbers (and the Conversion if it was written for people), or as
    str if it is mostly text. A column of numbers with a few stray cells is an error naming the
    first of them. ``decimal`` is the file's decimal mark, used only when every cell could be
    read either way (see the rules above)."""
    if _is_numeric(column):
        return column.astype(np.float64), None
    texts = _texts(column)
    present = ~texts.isin(MISSING)
    plain = pd.to_numeric(texts.where(present), errors="coerce")
    if decimal == "." and not (present & plain.isna()).any():
        return plain.astype(np.float64), None  # plain numbers: what the rules below give them
    candidates = present & (plain.notna() | texts.str.contains(r"\d", regex=True))
    if 2 * int(candidates.sum()) <= int(present.sum()):
        return texts.where(present).astype("str"), None  # mostly words: text, whatever the rest
    codes, distinct = pd.factorize(texts.where(present))  # codes (N,): -1 where missing
    cells = pd.Series(np.asarray(distinct, dtype=object), dtype="str")
    weights = np.bincount(codes[codes >= 0], minlength=len(cells))
    values, for_people = _read_cells(cells, weights, decimal)
    numbers = pd.Series(np.where(codes >= 0, values[codes], np.nan), index=texts.index)
    bad = present & numbers.isna()
    n_bad = int(bad.sum())
    if n_bad == 0:
        written = np.flatnonzero((codes >= 0) & for_people[codes])
        if not len(written):
            return numbers, None
        row = int(written[0])
        return numbers, Conversion(name, texts.iloc[row], float(numbers.iloc[row]))
    if int(present.sum()) - n_bad > n_bad:
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise LinregError(
            "not_a_number", column=name, row=row + 1, value=texts.iloc[row], count=n_bad
        )
    return texts.where(present).astype("str"), None


def _read_cells(
    cells: pd.Series, weights: np.ndarray, decimal: str
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct cell texts (M,) occurring ``weights`` (M,) times read by the rules above: their
    values (M,) (NaN where a cell does not fit the column's convention and unit), and which
    of them are written for people (M,) (a unit, parentheses or thousands separators)."""
    texts = pa.array(cells.to_numpy(dtype=object), type=pa.string())
    parts = pc.extract_regex(texts, _NUMBER_CELL)  # a null row where the cell is no number
    part = {name: pc.struct_field(parts, name).fill_null("") for name in parts.type.names}
    given = {name: _numpy(pc.not_equal(text, "")) for name, text in part.items()}
    fits = {".": _numpy(pc.match_substring_regex(part["core"], _POINT)),
            ",": _numpy(pc.match_substring_regex(part["core"], _COMMA))}  # fmt: skip
    n_point, n_comma = weights[fits["."]].sum(), weights[fits[","]].sum()
    if n_point != n_comma:
        decimal = "." if n_point > n_comma else ","
    units = _numpy(pc.binary_join_element_wise(part["before"], part["after"], "|"))
    unit = pd.Series(weights[fits[decimal]]).groupby(units[fits[decimal]]).sum()
    signs = given["sign"].astype(int) + given["sign2"] + given["open"]
    well_signed = (given["open"] == given["close"]) & (signs <= 1)
    good = fits[decimal] & well_signed & (units == (unit.idxmax() if len(unit) else ""))
    core = pc.replace_substring_regex(part["core"], _THOUSANDS[decimal], "")
    core = pc.binary_join_element_wise(pc.replace_substring(core, ",", "."), part["exp"], "")
    values = pd.to_numeric(pd.Series(_numpy(core)), errors="coerce").to_numpy(dtype=np.float64)
    values = np.where(good, values, np.nan)
    minus = pa.array(["-", "−"])
    sign, sign2 = (_numpy(pc.is_in(part[name], minus)) for name in ("sign", "sign2"))
    negative = given["open"] | sign | sign2
    values = np.where(negative, -values, values)
    words = ~given["core"]  # "inf", "-Infinity": what float() reads
    values[words] = pd.to_numeric(cells[words], errors="coerce").to_numpy(dtype=np.float64)
    grouped = _numpy(pc.match_substring_regex(part["core"], _THOUSANDS[decimal]))
    for_people = given["before"] | given["after"] | given["open"] | grouped
    return values, for_people & good


def _numpy(array: pa.Array) -> np.ndarray:
    return array.to_numpy(zero_copy_only=False)


# ---------------------------------------------------------------------------------------------
# Choosing columns


def numeric_columns(frame: pd.DataFrame) -> list[str]:
    """Names of the columns that hold numbers, in table order."""
    return [name for name in frame.columns if _is_numeric(frame[name])]


def is_id_like(values: pd.Series) -> bool:
    """True for a row number: 1, 2, …, N or 0, 1, …, N−1 in the table's order (N >= 2).

    It tells rows apart rather than measuring anything, so it is not a default input. Years
    (1947…1962) and other ordered values are measurements and stay candidates.
    """
    if not _is_numeric(values) or len(values) < 2 or values.isna().any():
        return False
    numbers = values.to_numpy(dtype=np.float64)
    return bool(
        numbers[0] in (0.0, 1.0) and np.array_equal(numbers, numbers[0] + np.arange(len(numbers)))
    )


def default_roles(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Default (inputs, targets): the last numeric column is the target, the other numeric
    columns are inputs, leaving out ID-like columns unless nothing else would remain."""
    numeric = numeric_columns(frame)
    if not numeric:
        return [], []
    return _default_inputs(frame, numeric[:-1]), numeric[-1:]


def _default_inputs(frame: pd.DataFrame, candidates: list[str]) -> list[str]:
    inputs = [name for name in candidates if not is_id_like(frame[name])]
    return inputs or candidates


def select(
    frame: pd.DataFrame,
    inputs: Sequence[str] | None = None,
    targets: Sequence[str] | None = None,
    *,
    drop_missing: bool = False,
) -> Dataset:
    """The chosen input and target columns as a Dataset, after checking them.

    Roles left as None get defaults (see ``default_roles``). Rows with missing values are an
    error, or are dropped and recorded when ``drop_missing`` is true."""
    numeric = numeric_columns(frame)
    inputs = None if inputs is None else _as_list(inputs)
    targets = None if targets is None else _as_list(targets)
    if inputs is None and targets is None:
        inputs, targets = default_roles(frame)
    elif inputs is None:
        inputs = _default_inputs(frame, [name for name in numeric if name not in targets])
    elif targets is None:
        targets = [name for name in numeric if name not in inputs][-1:]
    _check_roles(frame, inputs, targets, numeric)

    x = np.array(frame[inputs].to_numpy(dtype=np.float64), order="C")
    y = np.array(frame[targets].to_numpy(dtype=np.float64), order="C")
    missing = np.isnan(x).any(axis=1) | np.isnan(y).any(axis=1)
    dropped: tuple[int, ...] = ()
    if missing.any():
        rows = np.flatnonzero(missing)
        if not drop_missing:
            raise _missing_error(frame, inputs + targets, rows)
        x, y, dropped = x[~missing], y[~missing], tuple(int(r) + 1 for r in rows)
    _check_finite(x, inputs, ~missing)
    _check_finite(y, targets, ~missing)
    if len(x) < 2:
        if dropped:
            raise LinregError("too_few_rows_after_drop", found=len(x), dropped=len(dropped))
        raise LinregError("too_few_rows", found=len(x))
    return Dataset(tuple(inputs), tuple(targets), x, y, dropped)


def _as_list(names: Sequence[str] | str) -> list[str]:
    """The names as a list; a single string is one name."""
    return [names] if isinstance(names, str) else list(names)


def _check_roles(
    frame: pd.DataFrame, inputs: list[str], targets: list[str], numeric: list[str]
) -> None:
    available = _quoted(numeric) or "-"
    for name in inputs + targets:
        if name not in frame.columns:
            raise LinregError("unknown_column", name=name, available=_quoted(frame.columns))
    for chosen in (inputs, targets):
        for name in chosen:
            if chosen.count(name) > 1:
                raise LinregError("repeated_column", name=name)
    if not inputs:
        raise LinregError("no_inputs", available=available)
    if not targets:
        raise LinregError("no_targets", available=available)
    if overlap := [name for name in inputs if name in targets]:
        raise LinregError("role_overlap", names=_quoted(overlap))
    for name in inputs + targets:
        if name not in numeric:
            raise LinregError("column_not_numeric", name=name, available=available)
    if len(frame) > MAX_ROWS:
        raise LinregError("too_many_rows", found=len(frame), limit=MAX_ROWS)


def _missing_error(frame: pd.DataFrame, columns: list[str], rows: np.ndarray) -> LinregError:
    """The error listing the rows with missing values (the first few) and their columns."""
    listed = ", ".join(str(r + 1) for r in rows[:_MAX_LISTED_ROWS])
    if len(rows) > _MAX_LISTED_ROWS:
        listed += ", …"
    holes = [name for name in columns if frame[name].iloc[rows].isna().any()]
    return LinregError("missing_values", count=len(rows), rows=listed, columns=_quoted(holes))


def _check_finite(values: np.ndarray, names: list[str], kept: np.ndarray) -> None:
    """Refuse inf, -inf and values beyond float32 (training's precision), naming the first cell."""
    if values.size and -FLOAT32_MAX <= values.min() and values.max() <= FLOAT32_MAX:
        return  # two reductions settle the usual case; only a bad table is searched cell by cell
    for code, bad in (
        ("infinite_value", np.isinf(values)),
        ("too_large_value", np.abs(values) > FLOAT32_MAX),
    ):
        if not bad.any():
            continue
        row, col = np.argwhere(bad)[0]
        table_row = int(np.flatnonzero(kept)[row]) + 1
        raise LinregError(
            code,
            column=names[col],
            row=table_row,
            value=float(values[row, col]),
            count=int(bad.sum()),
        )


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(repr(str(name)) for name in names)
