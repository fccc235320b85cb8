"""Exports researchers can open: codes stay text in pandas, Excel gets its byte-order mark, and
every export comes with its data dictionary."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from conftest import run_pipeline
from stages.export import EXPORT_COLUMNS
from store import open_database


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, built_db: Path) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("exports")
    paths = {"csv": folder / "events.csv", "jsonl": folder / "events.jsonl", "excel": folder / "events-excel.csv"}
    for name, path in paths.items():
        fmt = "jsonl" if name == "jsonl" else "csv"
        result = run_pipeline("export", "events", "--format", fmt, "--output", str(path), "--db", str(built_db),
                              *(["--excel"] if name == "excel" else []))
        assert result.returncode == 0, result.stderr
        assert "data dictionary" in result.stderr
    return paths


def dictionary_of(path: Path) -> dict:
    return json.loads(Path(f"{path}.dictionary.json").read_text(encoding="utf-8"))


def stored_codes(built_db: Path) -> set[str]:
    db = open_database(built_db)
    return {code for (code,) in db.execute("select province_code from events where province_code is not null")}


def test_pandas_keeps_codes_as_text_with_the_shipped_dtypes(exported: dict[str, Path], built_db: Path) -> None:
    frame = pd.read_csv(exported["csv"], dtype=dictionary_of(exported["csv"])["dtype"])
    codes = set(frame["province_code"].dropna())
    assert codes == stored_codes(built_db)
    assert any(code.startswith("0") for code in codes), "the dev set has provinces with a leading zero"
    assert all(len(code) == 2 for code in codes)
    district_codes = frame["district_code"].dropna()
    assert all(len(code) == 3 for code in district_codes)
    # Unknown counts stay unknown (not 0, not NaN floats).
    assert str(frame["participant_total"].dtype) == "Int64"


def test_jsonl_reads_back_with_the_same_dictionary(exported: dict[str, Path], built_db: Path) -> None:
    frame = pd.read_json(exported["jsonl"], lines=True, dtype=dictionary_of(exported["jsonl"])["dtype"])
    assert set(frame["province_code"].dropna()) == stored_codes(built_db)


def test_excel_csv_starts_with_a_byte_order_mark(exported: dict[str, Path]) -> None:
    raw = exported["excel"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and not exported["csv"].read_bytes().startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(exported["excel"], encoding="utf-8-sig", dtype=dictionary_of(exported["excel"])["dtype"])
    assert list(frame.columns) == [column.name for column in EXPORT_COLUMNS]
    assert frame["province"].dropna().str.contains("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]",
                                                   case=False).any()


def test_dictionary_describes_every_column(exported: dict[str, Path]) -> None:
    dictionary = dictionary_of(exported["csv"])
    header = exported["csv"].read_text(encoding="utf-8").splitlines()[0].split(",")
    assert [column["name"] for column in dictionary["columns"]] == header
    assert all(column["description"] and column["type"] for column in dictionary["columns"])
    assert set(dictionary["dtype"]) == set(header)
