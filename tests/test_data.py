"""Reading awkward CSV files and validating tables: one test per rule, on tests/corpus/."""

from __future__ import annotations

import string
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from linreg import data
from linreg.data import (
    Dataset,
    default_roles,
    is_id_like,
    load_sample,
    numeric_columns,
    read_csv,
    read_table,
    select,
    validate_frame,
)
from linreg.errors import ERRORS, LinregError

CORPUS = Path(__file__).parent / "corpus"


def corpus(name: str) -> pd.DataFrame:
    return read_csv(CORPUS / name)


def refused(source: object, code: str) -> LinregError:
    """The error read_csv raises for the source, checked to carry the expected code."""
    with pytest.raises(LinregError) as caught:
        read_csv(source)
    assert caught.value.code == code, str(caught.value)
    return caught.value


def frame_of(**columns: list) -> pd.DataFrame:
    return pd.DataFrame(columns)


# --- the error catalogue --------------------------------------------------------------------


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


@pytest.mark.parametrize("code", sorted(ERRORS))
def test_every_message_has_both_languages_with_the_same_placeholders(code):
    english, spanish = ERRORS[code]
    assert english.strip() and spanish.strip() and english != spanish
    assert placeholders(english) == placeholders(spanish)


def test_error_message_in_spanish():
    err = refused(CORPUS / "duplicate_headers.csv", "duplicate_column")
    assert "'a'" in err.message("es") and "más de una vez" in err.message("es")


# --- encodings, line endings, separators ----------------------------------------------------


def test_spanish_excel_export_semicolons_decimal_commas_latin1_accents():
    frame = corpus("spanish_semicolon_decimal_comma_latin1.csv")
    assert list(frame.columns) == ["Año", "Precipitación", "Temperatura", "Naranjas"]
    assert frame["Precipitación"].tolist() == [12.5, 8.25, -3.0]
    assert frame["Temperatura"].tolist() == [21.3, 23.0, 19.75]
    assert frame["Naranjas"].tolist() == [70.0, 101.5, 133.0]
    assert all(frame.dtypes == np.float64)


def test_cp1252_header_with_euro_sign():
    frame = corpus("cp1252_euro_header.csv")
    assert list(frame.columns) == ["Región", "Precio €", "Ventas"]
    assert frame["Precio €"].tolist() == [1.5, 2.5]


def test_utf8_with_bom_has_a_clean_first_name():
    frame = corpus("utf8_bom.csv")
    assert list(frame.columns) == ["temperature", "rainfall", "oranges"]
    assert frame["temperature"].tolist() == [73.0, 91.0]


def test_utf16_excel_unicode_text():
    frame = read_csv("Año\tlluvia\n1\t2,5\n3\t4\n".encode("utf-16"))
    assert list(frame.columns) == ["Año", "lluvia"]
    assert frame["lluvia"].tolist() == [2.5, 4.0]


@pytest.mark.parametrize("name", ["crlf_line_endings.csv", "cr_only_line_endings.csv"])
def test_windows_and_old_mac_line_endings(name):
    frame = corpus(name)
    assert frame.to_dict("list") == {"a": [1.0, 3.0], "b": [2.0, 4.0]}


def test_tab_separated():
    frame = corpus("tab_separated.csv")
    assert frame.to_dict("list") == {"a": [1.5, 4.0], "b": [2.0, 5.0], "c": [3.0, 6.25]}


def test_pipe_separated():
    frame = corpus("pipe_separated.csv")
    assert frame.to_dict("list") == {"a": [1.0, 4.0], "b": [2.0, 5.0], "c": [3.0, 6.0]}


def test_excel_sep_hint_line_names_the_separator():
    frame = corpus("excel_sep_hint.csv")
    assert frame.to_dict("list") == {"a": [1.5, 3.0], "b": [2.0, 4.0]}


def test_quoted_numbers_are_numbers():
    frame = corpus("quoted_numbers.csv")
    assert frame.to_dict("list") == {"a": [73.0, 91.0], "b": [1000.0, -2.5]}


def test_quoted_decimal_commas_in_a_comma_separated_file():
    frame = corpus("quoted_decimal_comma_in_comma_file.csv")
    assert frame.to_dict("list") == {"a": [1.5, 3.25], "b": [2.0, 4.0]}


def test_trailing_blank_lines_are_ignored():
    frame = corpus("trailing_blank_lines.csv")
    assert frame.to_dict("list") == {"a": [1.0, 3.0], "b": [2.0, 4.0]}


def test_blank_lines_and_empty_rows_between_rows_are_ignored():
    frame = corpus("blank_lines_between_rows.csv")
    assert frame.to_dict("list") == {"a": [1.0, 3.0, 5.0], "b": [2.0, 4.0, 6.0]}


def test_bytes_path_and_text_give_the_same_table():
    path = CORPUS / "spanish_semicolon_decimal_comma_latin1.csv"
    expected = read_csv(path)
    pd.testing.assert_frame_equal(read_csv(path.read_bytes()), expected)
    pd.testing.assert_frame_equal(read_csv(str(path)), expected)
    pd.testing.assert_frame_equal(read_csv(path.read_bytes().decode("latin-1")), expected)


# --- files that are not tables --------------------------------------------------------------


@pytest.mark.parametrize("name", ["empty.csv", "whitespace_only.csv"])
def test_empty_file(name):
    refused(CORPUS / name, "file_empty")


def test_binary_junk_is_not_a_text_file():
    junk = bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8))
    refused(b"a,b\n1,2\n\x00\x00\x01", "not_text")
    refused(junk, "not_text")
    refused(bytes(range(1, 9)) * 100, "not_text")


def test_excel_workbook_suggests_exporting_as_csv():
    err = refused(b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 100, "spreadsheet_file")
    assert ".xlsx" in str(err) and "CSV" in str(err)
    refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "spreadsheet_file")


def test_missing_file():
    err = refused(CORPUS / "no_such_file.csv", "file_not_found")
    assert "no_such_file.csv" in str(err)


def test_file_over_the_size_limit(monkeypatch):
    monkeypatch.setattr(data, "MAX_BYTES", 10)
    err = refused(b"a,b\n1,2\n3,4\n", "file_too_large")
    assert err.params["size"] == "0.0" and "limit" in str(err)
    refused(CORPUS / "crlf_line_endings.csv", "file_too_large")


# --- header ---------------------------------------------------------------------------------


def test_header_only_has_no_data_rows():
    refused(CORPUS / "header_only.csv", "no_data_rows")


def test_duplicate_header_names_are_refused_not_renamed():
    err = refused(CORPUS / "duplicate_headers.csv", "duplicate_column")
    assert err.params == {"name": "a", "positions": "1, 3"}


def test_empty_header_name_names_its_position():
    err = refused(CORPUS / "empty_header_name.csv", "empty_column_name")
    assert err.params == {"position": 2}


def test_one_column_needs_two_and_says_which_separators_were_tried():
    err = refused(CORPUS / "one_column.csv", "too_few_columns")
    assert "';'" in str(err) and "','" in str(err) and "'|'" in str(err)


def test_no_header_when_every_header_cell_is_a_number():
    frame = corpus("no_header.csv")
    assert list(frame.columns) == ["x1", "x2", "x3"]
    assert frame["x1"].tolist() == [73.0, 91.0, 87.0]
    assert frame["x3"].tolist() == [70.0, 101.0, 133.0]


def test_names_are_stripped():
    frame = read_csv(b" a , b \n1,2\n")
    assert list(frame.columns) == ["a", "b"]


def test_too_many_columns():
    header = ",".join(f"c{i}" for i in range(1500))
    row = ",".join("1" for _ in range(1500))
    err = refused(f"{header}\n{row}\n{row}\n".encode(), "too_many_columns")
    assert err.params == {"found": 1500, "limit": data.MAX_COLUMNS}


def test_too_many_rows(monkeypatch):
    monkeypatch.setattr(data, "MAX_ROWS", 3)
    err = refused(b"a,b\n" + b"1,2\n" * 5, "too_many_rows")
    assert err.params == {"found": 5, "limit": 3}


def test_header_longer_than_the_sniffed_part_of_the_file():
    names = [f"{'long_name_' * 8}{i:03d}" for i in range(900)]
    text = ",".join(names) + "\n" + ",".join(["1"] * 900) + "\n"
    assert len(text) > data._SCAN_BYTES
    frame = read_csv(text.encode())
    assert list(frame.columns) == names and frame.iloc[0].tolist() == [1.0] * 900


def test_empty_rows_before_the_header_are_skipped():
    frame = read_csv(b",,\n\n , \na,b\n1,2\n3,4\n")
    assert frame.to_dict("list") == {"a": [1.0, 3.0], "b": [2.0, 4.0]}


# --- rows -----------------------------------------------------------------------------------


def test_ragged_row_with_too_many_fields_names_the_line():
    err = refused(CORPUS / "ragged_too_many_fields.csv", "ragged_row")
    assert err.params == {"line": 3, "found": 4, "expected": 3, "delimiter": "','"}
    assert "Line 3" in str(err)


def test_ragged_row_with_too_few_fields_counts_physical_lines():
    err = refused(CORPUS / "ragged_too_few_fields.csv", "ragged_row")
    assert err.params["line"] == 5 and err.params["found"] == 2


def test_ragged_row_in_a_big_file_is_caught_by_pandas(monkeypatch):
    monkeypatch.setattr(data, "_LINE_CHECK_BYTES", 0)
    err = refused(CORPUS / "ragged_too_many_fields.csv", "ragged_row")
    assert err.params["line"] == 3 and err.params["found"] == 4


def test_unclosed_quote_names_the_line():
    err = refused(CORPUS / "unclosed_quote.csv", "bad_csv")
    assert err.params["line"] == 3


def test_unclosed_quote_in_a_big_file_is_caught_by_pandas(monkeypatch):
    monkeypatch.setattr(data, "_LINE_CHECK_BYTES", 0)
    err = refused(CORPUS / "unclosed_quote.csv", "bad_csv")
    assert err.params["line"] == 3


# --- cells ----------------------------------------------------------------------------------


def test_stray_word_in_a_numeric_column_is_an_error_not_a_text_column():
    err = refused(CORPUS / "stray_word_in_numeric_column.csv", "not_a_number")
    assert err.params == {"column": "rainfall", "row": 3, "value": "unknown", "count": 1}
    assert str(err).startswith("Column 'rainfall', row 3: 'unknown' is not a number")


def test_text_column_is_kept_as_text_and_is_not_numeric():
    frame = corpus("text_column_kept.csv")
    assert frame["region"].tolist() == ["north", "south", "5"]
    assert numeric_columns(frame) == ["temperature", "oranges"]
    assert frame["temperature"].tolist() == [73.0, 91.0, 87.0]


def test_empty_cells_are_missing():
    frame = corpus("missing_cells.csv")
    assert frame["rainfall"].isna().tolist() == [False, True, False, False, False]
    assert frame["oranges"].isna().tolist() == [False, False, False, True, False]


def test_nan_strings_are_missing_and_inf_strings_are_infinite():
    frame = corpus("inf_and_nan.csv")
    assert frame["a"].tolist()[:4] == [1.0, 4.0, 7.0, -np.inf]
    assert np.isnan(frame["a"].iloc[4])
    assert frame["b"].tolist() == [2.0, np.inf, 8.0, 10.0, 13.0]
    assert frame["c"].isna().tolist() == [False, False, True, False, True]


def test_single_row_reads_but_cannot_train():
    frame = corpus("single_row.csv")
    assert frame.to_dict("list") == {"x": [1.0], "y": [2.0]}
    with pytest.raises(LinregError) as caught:
        select(frame)
    assert caught.value.code == "too_few_rows" and caught.value.params == {"found": 1}


# --- a table edited in the browser ----------------------------------------------------------


def test_validate_frame_converts_edited_cells_to_numbers():
    edited = frame_of(x=["1", 2.5, None, " 4 "], y=[1, "2,5", "7", ""])
    frame = validate_frame(edited)
    assert frame["x"].dtype == np.float64 and frame["y"].dtype == np.float64
    assert frame["x"].tolist()[:2] == [1.0, 2.5] and frame["x"].iloc[3] == 4.0
    assert frame["y"].tolist()[:3] == [1.0, 2.5, 7.0]
    assert np.isnan(frame["x"].iloc[2]) and np.isnan(frame["y"].iloc[3])


def test_validate_frame_names_a_typed_word():
    edited = frame_of(x=[1.0, 2.0, 3.0], y=[1.0, "abc", 3.0])
    with pytest.raises(LinregError) as caught:
        validate_frame(edited)
    assert caught.value.params == {"column": "y", "row": 2, "value": "abc", "count": 1}


def test_validate_frame_drops_rows_left_empty():
    edited = frame_of(x=[1.0, None, 3.0], y=[2.0, None, 4.0])
    assert validate_frame(edited).to_dict("list") == {"x": [1.0, 3.0], "y": [2.0, 4.0]}
    with pytest.raises(LinregError) as caught:
        validate_frame(frame_of(x=[None], y=[""]))
    assert caught.value.code == "no_data_rows"


# --- column roles ---------------------------------------------------------------------------


def sample5() -> pd.DataFrame:
    return load_sample("sample5")


def test_default_roles_last_numeric_column_is_the_target():
    assert default_roles(sample5()) == (
        ["temperature", "rainfall", "humidity", "apples"],
        ["oranges"],
    )
    dataset = select(sample5())
    assert dataset.target_names == ("oranges",)
    assert dataset.targets[:, 0].tolist() == [70, 101, 133, 37, 119]


def test_select_the_seeds_roles_by_naming_the_targets():
    dataset = select(sample5(), targets=["apples", "oranges"])
    assert dataset.input_names == ("temperature", "rainfall", "humidity")
    assert dataset.target_names == ("apples", "oranges")
    assert dataset.inputs[0].tolist() == [73, 67, 43]
    assert dataset.targets[0].tolist() == [56, 70]
    assert (dataset.n_rows, dataset.n_inputs, dataset.n_targets) == (5, 3, 2)


def test_select_with_inputs_only_takes_the_last_other_numeric_column():
    dataset = select(sample5(), inputs=["temperature", "rainfall"])
    assert dataset.target_names == ("oranges",)


def test_dataset_arrays_are_float64_c_contiguous_and_writable():
    dataset = select(sample5(), targets=["apples", "oranges"])
    assert isinstance(dataset, Dataset)
    for array in (dataset.inputs, dataset.targets):
        assert array.dtype == np.float64 and array.flags.c_contiguous and array.flags.writeable
    dataset.inputs[0, 0] = 0.0  # writable, and not a view of the table
    assert sample5()["temperature"].iloc[0] == 73


def test_id_column_is_not_a_default_input():
    frame = corpus("id_column.csv")
    assert is_id_like(frame["id"])
    assert default_roles(frame) == (["temperature", "rainfall"], ["oranges"])
    assert select(frame, targets=["oranges"]).input_names == ("temperature", "rainfall")


def test_id_like_column_stays_an_input_when_it_is_the_only_one():
    frame = frame_of(x=[1.0, 2.0, 3.0], y=[2.0, 4.0, 6.0])
    assert default_roles(frame) == (["x"], ["y"])


@pytest.mark.parametrize(
    ("values", "expected"),
    [([1, 2, 3, 4], True), ([0, 1, 2], True), ([1.0, 2.0], True), ([3, 1, 2], False),
     ([2, 3, 4], False), ([2017, 2018, 2019, 2020], False), ([2019, 2017, 2018, 2020], False),
     ([2, 4, 6], False), ([1, 2, 2], False), ([1, 2, None], False), ([1.5, 2.5], False),
     ([1], False), (["a", "b"], False)],
)  # fmt: skip
def test_is_id_like(values, expected):
    assert is_id_like(pd.Series(values)) is expected


def select_error(frame: pd.DataFrame, **roles) -> LinregError:
    with pytest.raises(LinregError) as caught:
        select(frame, **roles)
    return caught.value


def test_unknown_column_lists_the_available_ones():
    err = select_error(sample5(), inputs=["temprature"], targets=["apples"])
    assert err.code == "unknown_column" and err.params["name"] == "temprature"
    assert "'temperature', 'rainfall', 'humidity', 'apples', 'oranges'" in str(err)


def test_empty_inputs_and_empty_targets():
    assert select_error(sample5(), inputs=[], targets=["apples"]).code == "no_inputs"
    assert select_error(sample5(), inputs=["rainfall"], targets=[]).code == "no_targets"
    err = select_error(frame_of(name=["a", "b", "c"], y=[1.0, 2.0, 4.0]))
    assert err.code == "no_inputs" and err.params["available"] == "'y'"


def test_overlapping_roles():
    err = select_error(sample5(), inputs=["temperature", "apples"], targets=["apples"])
    assert err.code == "role_overlap" and err.params["names"] == "'apples'"


def test_column_chosen_twice():
    err = select_error(sample5(), inputs=["rainfall", "rainfall"], targets=["apples"])
    assert err.code == "repeated_column" and err.params["name"] == "rainfall"


def test_text_column_cannot_be_chosen():
    frame = corpus("text_column_kept.csv")
    err = select_error(frame, inputs=["region"], targets=["oranges"])
    assert err.code == "column_not_numeric" and err.params["name"] == "region"
    assert select(frame).input_names == ("temperature",)


def test_missing_values_name_the_rows_and_columns():
    err = select_error(corpus("missing_cells.csv"))
    assert err.code == "missing_values"
    assert err.params == {"count": 2, "rows": "2, 4", "columns": "'rainfall', 'oranges'"}


def test_missing_values_list_at_most_ten_rows():
    frame = frame_of(x=[np.nan] * 12 + [1.0, 2.0], y=[1.0] * 14)
    err = select_error(frame)
    assert err.params["count"] == 12 and err.params["rows"] == "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, …"


def test_missing_values_in_unchosen_columns_do_not_matter():
    frame = corpus("missing_cells.csv")
    dataset = select(frame, inputs=["temperature"], targets=["oranges"], drop_missing=True)
    assert dataset.dropped_rows == (4,)  # row 2 lacks only rainfall, which is not chosen


def test_drop_missing_records_the_dropped_rows():
    dataset = select(corpus("missing_cells.csv"), drop_missing=True)
    assert dataset.dropped_rows == (2, 4)
    assert dataset.inputs.tolist() == [[73, 67], [87, 134], [69, 96]]
    assert dataset.targets[:, 0].tolist() == [70, 133, 119]


def test_too_few_rows_after_dropping():
    frame = frame_of(x=[1.0, np.nan, 3.0], y=[1.0, 2.0, np.nan])
    err = select_error(frame, drop_missing=True)
    assert err.code == "too_few_rows_after_drop"
    assert err.params == {"found": 1, "dropped": 2}


def test_infinite_values_name_column_and_row():
    frame = corpus("inf_and_nan.csv")
    err = select_error(frame, inputs=["a"], targets=["b"], drop_missing=True)
    assert err.code == "infinite_value"
    assert err.params == {"column": "a", "row": 4, "value": -np.inf, "count": 1}
    err = select_error(frame, inputs=["b"], targets=["a"], drop_missing=True)
    assert err.params["column"] == "b" and err.params["row"] == 2


# --- the samples ----------------------------------------------------------------------------


def test_samples_point_at_the_sample_data_folder():
    assert set(data.SAMPLES) == {"sample5", "sample15"}
    assert all(path.is_file() for path in data.SAMPLES.values())


def test_sample15_is_the_lessons_table():
    frame = load_sample("sample15")
    assert list(frame.columns) == ["temperature", "rainfall", "humidity", "apples", "oranges"]
    extra_inputs = [
        [74, 66, 43],
        [91, 87, 65],
        [88, 134, 59],
        [101, 44, 37],
        [68, 96, 71],
        [73, 66, 44],
        [92, 87, 64],
        [87, 135, 57],
        [103, 43, 36],
        [68, 97, 70],
    ]
    extra_targets = [
        [57, 69],
        [80, 102],
        [118, 132],
        [21, 38],
        [104, 118],
        [57, 69],
        [82, 100],
        [118, 134],
        [20, 38],
        [102, 120],
    ]
    sample = load_sample("sample5").to_numpy().tolist()
    expected = sample + [i + t for i, t in zip(extra_inputs, extra_targets, strict=True)]
    assert frame.shape == (15, 5)
    assert frame.to_numpy().tolist() == expected
    assert all(frame.dtypes == np.float64)


def test_sample5_is_the_seeds_table():
    assert sample5().to_numpy().tolist() == [
        [73, 67, 43, 56, 70],
        [91, 88, 64, 81, 101],
        [87, 134, 58, 119, 133],
        [102, 43, 37, 22, 37],
        [69, 96, 70, 103, 119],
    ]


def test_unknown_sample():
    with pytest.raises(LinregError) as caught:
        load_sample("sample99")
    assert caught.value.code == "unknown_sample" and "sample5" in str(caught.value)


def test_values_beyond_float32_are_refused_naming_the_cell():
    frame = data.read_csv(b"x,y\n1,2\n2,1e150\n3,4\n")
    with pytest.raises(LinregError) as info:
        data.select(frame)
    assert info.value.code == "too_large_value"
    assert "'y'" in str(info.value) and "row 2" in str(info.value) and "1e+150" in str(info.value)


# --- row labels (issue 10) ------------------------------------------------------------------


def test_r_write_csv_row_names_are_the_tables_labels_not_a_column():
    frame = corpus("r_write_csv_row_names.csv")
    assert list(frame.columns) == ["mpg", "cyl", "disp", "hp", "wt"]
    assert frame.index.tolist()[:3] == ["Mazda RX4", "Mazda RX4 Wag", "Datsun 710"]
    assert frame.loc["Valiant"].tolist() == [18.1, 6.0, 225.0, 105.0, 3.46]
    assert default_roles(frame) == (["mpg", "cyl", "disp", "hp"], ["wt"])
    dataset = select(frame, inputs=["disp", "hp"], targets=["mpg"])
    assert dataset.inputs[:, 0].tolist() == [160, 160, 108, 258, 360, 225]


def test_r_write_csv_numbered_rows_are_integer_labels_and_na_is_missing():
    frame = corpus("r_write_csv_numbered_rows.csv")
    assert frame.index.tolist() == [1, 2, 3] and frame.index.dtype == np.int64
    assert list(frame.columns) == ["year", "rainfall", "yield"]
    assert np.isnan(frame["yield"].iloc[0]) and frame["yield"].tolist()[1:] == [101.0, 99.5]


def test_pandas_to_csv_index_round_trips():
    original = pd.DataFrame({"temperature": [73.0, 91.0, 87.5], "rainfall": [67.0, 88.0, 1.0]})
    frame = read_csv(original.to_csv().encode())  # pandas writes its index under an empty header
    pd.testing.assert_frame_equal(frame, original, check_index_type=False)
    assert frame.index.tolist() == [0, 1, 2]
    labelled = original.set_axis(["a", "b", "c"], axis=0)
    pd.testing.assert_frame_equal(read_csv(labelled.to_csv()), labelled, check_index_type=False)


@pytest.mark.parametrize("name", ["pandas_to_csv_index.csv", "pandas_unnamed_0.csv"])
def test_pandas_index_under_an_empty_or_unnamed_header(name):
    frame = corpus(name)
    assert list(frame.columns) == ["temperature", "rainfall"]
    assert frame.index.tolist() == [0, 1, 2]
    assert frame["rainfall"].tolist() == [67.0, 88.0, 134.0]


def test_repeated_row_labels_are_refused_naming_the_label_and_rows():
    err = refused(CORPUS / "repeated_row_labels.csv", "row_labels_repeated")
    assert err.params == {"value": "north", "rows": "1, 3"}
    assert "give the column a name" in str(err).lower()


def test_a_missing_row_label_names_the_row():
    err = refused(b",x,y\na,1,2\n,3,4\nc,5,6\n", "row_label_missing")
    assert err.params == {"row": 2}


def test_an_empty_unnamed_first_column_is_dropped():
    frame = read_csv(b",x,y\n,1,2\n,3,4\n")
    assert frame.to_dict("list") == {"x": [1.0, 3.0], "y": [2.0, 4.0]}


def test_validate_frame_keeps_row_labels_and_drops_blank_rows():
    edited = pd.DataFrame({"x": ["1", None, "3"], "y": [2.0, None, 4.0]}, index=["a", "b", "c"])
    frame = validate_frame(edited)
    assert frame.index.tolist() == ["a", "c"] and frame["x"].tolist() == [1.0, 3.0]
    assert validate_frame(frame).index.tolist() == ["a", "c"]  # clean numbers keep them too


# --- missing values (issue 10) --------------------------------------------------------------


@pytest.mark.parametrize("marker", sorted(data.MISSING - {""}))
def test_every_missing_marker_is_missing_in_a_column_of_numbers(marker):
    frame = read_csv(f"x,y\n1,2\n{marker},3\n4,5\n6,7\n")
    assert frame["x"].dtype == np.float64 and frame["x"].isna().tolist() == [0, 1, 0, 0]


def test_excel_error_values_are_missing_and_named_by_row_or_dropped():
    frame = corpus("excel_error_values.csv")
    assert frame["y"].isna().tolist() == [False, True, False, True, False]
    assert frame["z"].isna().tolist() == [True, False, False, True, False]
    err = select_error(frame)
    assert err.code == "missing_values" and err.params["rows"] == "1, 2, 4"
    dataset = select(frame, drop_missing=True)
    assert dataset.input_names == ("y",)  # x is a row number 1…5: not a default input
    assert dataset.dropped_rows == (1, 2, 4) and dataset.inputs.tolist() == [[4], [6]]


# --- numbers written for people (issue 10) --------------------------------------------------


def test_money_percent_thousands_and_parentheses_are_read_as_numbers():
    table = read_table(CORPUS / "money_percent_thousands.csv")
    frame = table.frame
    assert frame["sales"].tolist() == [250000.0, 1200.5, 98.0, 1000000.0]
    assert frame["margin"].tolist() == [12.0, 7.5, -3.0, 0.0]  # 12% reads as 12 (percent)
    assert frame["growth"].tolist() == [-1234.0, 2000.0, 15.0, -7.0]
    assert numeric_columns(frame) == ["sales", "margin", "growth"]
    notes = {c.column: c.message("en") for c in table.conversions}
    assert notes == {
        "sales": "sales: '$250,000' read as 250000",
        "margin": "margin: '12%' read as 12",
        "growth": "growth: '(1,234)' read as -1234",
    }
    assert table.conversions[0].message("es") == "sales: '$250,000' leído como 250000"
    pd.testing.assert_frame_equal(read_csv(CORPUS / "money_percent_thousands.csv"), frame)


def test_european_export_thousands_points_decimal_commas_and_euros():
    table = read_table(CORPUS / "european_thousands_semicolon.csv")
    frame = table.frame
    assert frame["Ventas"].tolist() == [1234567.5, 2000.0, 3.25]
    assert frame["Precio"].tolist() == [1234.5, 99.0, 7.1]
    assert frame["Superficie"].tolist() == [1234.0, 12.5, 100.0]  # 1.234 beside 12,5: thousands
    assert [(c.column, c.example, c.value) for c in table.conversions] == [
        ("Ventas", "1.234.567,5", 1234567.5),
        ("Precio", "€ 1.234,50", 1234.5),
        ("Superficie", "1.234", 1234.0),
    ]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["1 234 567", "2 000,5"], [1234567.0, 2000.5]),
        (["1\u00a0234,5 €", "12 €"], [1234.5, 12.0]),
        (["USD 1,000", "USD 250"], [1000.0, 250.0]),
        (["-$5", "$-6", "($7.25)", "+$8"], [-5.0, -6.0, -7.25, 8.0]),
        (["1'234.5", "12"], [1234.5, 12.0]),
        (["£3.5k", "£4"], None),  # a suffix that is no unit: text
    ],
)
def test_cells_written_for_people(cells, expected):
    frame = validate_frame(pd.DataFrame({"v": cells + ["x"] * (expected is None), "w": 1.0}))
    if expected is None:
        assert frame["v"].dtype != np.float64
    else:
        assert frame["v"].tolist() == expected


def test_thousands_or_decimal_comma_is_decided_by_the_column_then_the_file():
    comma_file = read_table(b'a,b\n"1,234",1\n"5,678",2\n')
    assert comma_file.frame["a"].tolist() == [1234.0, 5678.0]
    assert comma_file.conversions[0].message() == "a: '1,234' read as 1234"
    semicolon_file = read_table(b"a;b\n1,234;1,5\n5,678;2\n")
    assert semicolon_file.frame["a"].tolist() == [1.234, 5.678]
    assert semicolon_file.conversions == ()
    column_decides = read_csv(b'a,b\n"1,234",1\n"5,5",2\n')  # 5,5 is a decimal comma
    assert column_decides["a"].tolist() == [1.234, 5.5]
    assert read_table(CORPUS / "quoted_decimal_comma_in_comma_file.csv").conversions == ()


def test_a_column_written_two_ways_names_its_stray_cell():
    err = refused(b'p,q\n"$5",1\n"$6",2\n"\xe2\x82\xac7",3\n', "not_a_number")
    assert err.params == {"column": "p", "row": 3, "value": "€7", "count": 1}
    err = refused(b'p,q\n"1,234.5",1\n"1.234,5",2\n7,3\n', "not_a_number")
    assert err.params["row"] == 2 and err.params["value"] == "1.234,5"


def test_a_text_column_with_a_price_in_it_stays_text():
    frame = read_csv(b'name,price\nnorth,1\nsouth,2\n"$5",3\n')
    assert numeric_columns(frame) == ["price"] and frame["name"].tolist()[2] == "$5"


# --- counters (issue 10) --------------------------------------------------------------------


def test_years_stay_default_inputs_on_nist_longley():
    longley = Path(__file__).resolve().parent / "data" / "nist" / "Longley.csv"
    frame = read_csv(longley)
    assert frame["x6"].tolist()[:3] == [1947.0, 1948.0, 1949.0]
    assert default_roles(frame) == (["x1", "x2", "x3", "x4", "x5", "x6"], ["y"])


def test_separator_inside_every_rows_text_is_not_taken_for_the_separator():
    """';' splits every line in two here too; clevercsv's dialect detection sees the table."""
    frame = read_csv(b"name;role,x,y\nSmith; boss,1,2\nDoe; clerk,3,4\nRoe; cook,5,6\n")
    assert list(frame.columns) == ["name;role", "x", "y"]
    assert frame["y"].tolist() == [2.0, 4.0, 6.0]


def test_a_parser_error_without_a_line_is_located_line_by_line(monkeypatch):
    def fails(*args, **kwargs):
        raise pd.errors.ParserError("Error tokenizing data. C error: out of memory")

    monkeypatch.setattr(pd, "read_csv", fails)
    monkeypatch.setattr(data, "_LINE_CHECK_BYTES", 0)  # a big file: lines not checked before
    err = refused(CORPUS / "ragged_too_many_fields.csv", "ragged_row")
    assert err.params["line"] == 3
    err = refused(CORPUS / "crlf_line_endings.csv", "unreadable_csv")
    assert err.params == {"detail": "C error: out of memory"}
