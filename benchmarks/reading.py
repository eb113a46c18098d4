"""Reading and validating a big CSV with linreg.data vs a plain pandas.read_csv of it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from benchmarks.measure import ROOT, Sizes, interleaved, median, timed, write_csv
from benchmarks.table import Goal, Row, fmt, note
from linreg import data

INPUTS = [f"x{i}" for i in range(1, 21)]
TARGETS = ["y1", "y2"]


def big_csv(sizes: Sizes, workdir: Path, facts: dict) -> Path:
    """The generated rows × 22 CSV, written once per run and shared by the benchmarks."""
    path = workdir / f"big_{sizes.read_rows}.csv"
    if not path.exists():
        note(f"writing a {sizes.read_rows:,} × 22 CSV")
        seconds = timed(lambda: facts.__setitem__("csv_bytes", write_csv(path, sizes.read_rows)[0]))
        note(f"  {fmt(facts['csv_bytes'], 'B')} in {seconds:.1f} s")
    return path


def read_big(sizes: Sizes, facts: dict, workdir: Path) -> list[Row]:
    path = big_csv(sizes, workdir, facts)

    def linreg_read() -> float:
        def work() -> None:
            frame = data.read_csv(path)
            dataset = data.select(frame, INPUTS, TARGETS)
            assert dataset.inputs.shape == (sizes.read_rows, 20)

        return timed(work)

    def pandas_read() -> float:
        return timed(lambda: pd.read_csv(path))

    t_pandas, t_linreg = interleaved(pandas_read, linreg_read, sizes.read_repeats)
    value = median(t_linreg)
    facts["read_seconds"] = value
    n = sizes.read_rows
    name = "data.read_1m" if n == 1_000_000 else f"data.read ({n:,} rows)"
    return [
        Row(
            name,
            value,
            reference=median(t_pandas),
            goal=Goal("value", "<=", 10.0),
            detail=f"read_csv + select(20 → 2) of {n:,} × 22 ({fmt(path.stat().st_size, 'B')}); "
            f"reference: pandas.read_csv defaults; median of {sizes.read_repeats}",
        )
    ]


# ---------------------------------------------------------------------------------------------
# Sniffing: the hand-written detection in linreg.data against clevercsv (dialect) and
# charset-normalizer (encoding), on tests/corpus for accuracy and on the big CSV for speed.

CORPUS = ROOT / "tests" / "corpus"
# file -> (separator, the header line as its author wrote it): the truth both sniffers are
# scored against, written by hand from how each file was made.
CORPUS_TRUTH: dict[str, tuple[str, str]] = {
    "blank_lines_between_rows.csv": (",", "a,b"),
    "cp1252_euro_header.csv": (",", "Región,Precio €,Ventas"),
    "cr_only_line_endings.csv": (",", "a,b"),
    "crlf_line_endings.csv": (",", "a,b"),
    "duplicate_headers.csv": (",", "a,b,a"),
    "empty_header_name.csv": (",", "a,,c"),
    "european_thousands_semicolon.csv": (";", "Región;Ventas;Precio;Superficie"),
    "excel_error_values.csv": (",", "x,y,z"),
    "header_only.csv": (",", "temperature,rainfall,oranges"),
    "id_column.csv": (",", "id,temperature,rainfall,oranges"),
    "inf_and_nan.csv": (",", "a,b,c"),
    "missing_cells.csv": (",", "temperature,rainfall,oranges"),
    "money_percent_thousands.csv": (",", "region,sales,margin,growth"),
    "no_header.csv": (",", "73,67,70"),
    "pandas_to_csv_index.csv": (",", ",temperature,rainfall"),
    "pandas_unnamed_0.csv": (",", "Unnamed: 0,temperature,rainfall"),
    "pipe_separated.csv": ("|", "a|b|c"),
    "quoted_decimal_comma_in_comma_file.csv": (",", "a,b"),
    "quoted_numbers.csv": (",", '"a","b"'),
    "r_write_csv_numbered_rows.csv": (",", '"","year","rainfall","yield"'),
    "r_write_csv_row_names.csv": (",", '"","mpg","cyl","disp","hp","wt"'),
    "ragged_too_few_fields.csv": (",", "a,b,c"),
    "ragged_too_many_fields.csv": (",", "a,b,c"),
    "repeated_row_labels.csv": (",", ",temperature,rainfall"),
    "single_row.csv": (",", "x,y"),
    "spanish_semicolon_decimal_comma_latin1.csv": (";", "Año;Precipitación;Temperatura;Naranjas"),
    "stray_word_in_numeric_column.csv": (",", "temperature,rainfall,oranges"),
    "tab_separated.csv": ("\t", "a\tb\tc"),
    "text_column_kept.csv": (",", "region,temperature,oranges"),
    "trailing_blank_lines.csv": (",", "a,b"),
    "utf8_bom.csv": (",", "temperature,rainfall,oranges"),
}
# Made here, as Excel and editors write them: (bytes, separator, header line).
SYNTHETIC_TRUTH: list[tuple[bytes, str, str]] = [
    ("Año\tlluvia\n1\t2,5\n3\t4\n".encode("utf-16"), "\t", "Año\tlluvia"),
    ("Größe;Gewicht\n1,5;2\n3;4\n".encode("cp1252"), ";", "Größe;Gewicht"),
    ("Café,Prix €\n1,2\n3,4\n".encode("cp1252"), ",", "Café,Prix €"),
    ("Año,Región\n1,2\n".encode("latin-1"), ",", "Año,Región"),
    ("naïve,Ürün\n1,2\n".encode(), ",", "naïve,Ürün"),
    (b"x;y;z\n1,5;2,25;3\n4;5,5;6\n", ";", "x;y;z"),
    (b"x|y\n1|2\n3|4\n", "|", "x|y"),
    # messier: another separator inside the cells of every row
    (b"name;role,x,y\nSmith; boss,1,2\nDoe; clerk,3,4\nRoe; cook,5,6\n", ",", "name;role,x,y"),
    (b'city,temp\n"Paris; FR",12\n"Lyon; FR",14\n', ",", "city,temp"),
    (b"id;note;v\n1;a,b;2\n2;c,d;3\n3;e,f;4\n", ";", "id;note;v"),
    (b"a\tb c\td\n1\t2 3\t4\n5\t6 7\t8\n", "\t", "a\tb c\td"),
]


def hand_decode(raw: bytes) -> str:
    return data._decode(raw)


def charset_normalizer_decode(raw: bytes) -> str:
    import charset_normalizer

    best = charset_normalizer.from_bytes(raw).best()
    text = raw.decode(best.encoding if best else "utf-8", errors="replace")
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def hand_delimiter(text: str) -> str:
    if hint := data._SEP_HINT.match(text):
        return hint.group(1)
    return data._consistent_delimiter(data._sample(text.lstrip("\n")))


def clevercsv_delimiter(text: str) -> str | None:
    import clevercsv

    dialect = clevercsv.Detector().detect(data._sample(text), delimiters=data.DELIMITERS)
    return dialect.delimiter if dialect else None


def _corpus_cases() -> list[tuple[str, bytes, str, str]]:
    cases = [(name, (CORPUS / name).read_bytes(), *truth) for name, truth in CORPUS_TRUTH.items()]
    cases += [(f"synthetic {i}", *case) for i, case in enumerate(SYNTHETIC_TRUTH, start=1)]
    return cases


def sniffing_accuracy() -> dict[str, tuple[int, int]]:
    """(right, total) per sniffer: encodings judged by the decoded header, separators by the
    separator found in the hand-decoded text (so each is scored on its own job)."""
    cases = _corpus_cases()
    scores: dict[str, tuple[int, int]] = {}
    for label, decode in (
        ("hand encoding", hand_decode),
        ("charset-normalizer", charset_normalizer_decode),
    ):
        right = sum(
            decode(raw).lstrip("\n").split("\n")[0] == header for _, raw, _, header in cases
        )
        scores[label] = (right, len(cases))
    for label, sniff in (("hand separator", hand_delimiter), ("clevercsv", clevercsv_delimiter)):
        right = sum(sniff(hand_decode(raw)) == sep for _, raw, sep, _ in cases)
        scores[label] = (right, len(cases))
    return scores


def sniffing(sizes: Sizes, facts: dict, workdir: Path) -> list[Row]:
    """Accuracy on the corpus and time on the big CSV of each sniffer (separator, encoding)."""
    path = big_csv(sizes, workdir, facts)
    raw = path.read_bytes()
    text = hand_decode(raw)
    scores = sniffing_accuracy()
    rows = []
    for name, ours, theirs, on, ours_key, theirs_key in (
        ("sniff.separator", hand_delimiter, clevercsv_delimiter, text, "hand separator", "clevercsv"),
        ("sniff.encoding", hand_decode, charset_normalizer_decode, raw, "hand encoding", "charset-normalizer"),
    ):  # fmt: skip
        t_theirs, t_ours = interleaved(lambda f=theirs, x=on: timed(lambda: f(x)),
                                       lambda f=ours, x=on: timed(lambda: f(x)), sizes.read_repeats)  # fmt: skip
        (right, total), (their_right, _) = scores[ours_key], scores[theirs_key]
        rows.append(
            Row(
                name,
                median(t_ours),
                reference=median(t_theirs),
                detail=f"linreg {right}/{total} right on the corpus, {theirs_key} {their_right}/"
                f"{total}; time on {sizes.read_rows:,} rows ({fmt(len(raw), 'B')}), reference: "
                f"{theirs_key}; median of {sizes.read_repeats}",
            )
        )
    return rows


if __name__ == "__main__":
    import tempfile

    from benchmarks.measure import FULL

    for label, (right, total) in sniffing_accuracy().items():
        print(f"{label}: {right}/{total}")
    with tempfile.TemporaryDirectory() as folder:
        for row in sniffing(FULL, {}, Path(folder)):
            print(row.name, f"{row.value:.4f} s", f"reference {row.reference:.4f} s", row.detail)
