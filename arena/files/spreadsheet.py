"""The one rule for text in any CSV the arena writes: a cell a spreadsheet would run as a formula
(`=HYPERLINK(...)`, `+1`, `@SUM`, a leading tab or carriage return) gets a leading apostrophe,
and so does one that already starts with an apostrophe, so that the battle import can undo it
exactly (arena.files.read restores it)."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

FORMULA_PATTERN = r"^[=+\-@\t\r']"


def neutralise_formulas(table: pa.Table) -> pa.Table:
    """Every text column of `table` with its formula-like cells marked by an apostrophe."""
    for k, field in enumerate(table.schema):
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            column = table.column(k)
            risky = pc.match_substring_regex(column, FORMULA_PATTERN)
            if pc.any(risky).as_py():
                table = table.set_column(k, field, pc.if_else(
                    risky, pc.binary_join_element_wise("'", column, ""), column))
    return table


def safe_csv(frame: pd.DataFrame, **to_csv) -> str:
    """`frame.to_csv(index=False, **to_csv)` with the text columns made safe by the same rule."""
    frame = frame.copy()
    for name in frame.columns:
        values = frame[name]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            text = pa.array(values.astype("string").astype(object), type=pa.string())
            safe = neutralise_formulas(pa.table({"c": text})).column(0).to_pylist()
            frame[name] = pd.Series(safe, index=frame.index, dtype=object)
    return frame.to_csv(index=False, **to_csv)
