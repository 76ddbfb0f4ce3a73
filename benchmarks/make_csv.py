"""Write a synthetic binary-classification CSV shaped like the template's sample.

Numeric columns with a few gaps, one text column, and a `target` of yes/no that
depends on the numbers, so every model has something to learn.

Usage, with an environment that has numpy and pyarrow:
    python make_csv.py OUT ROWS COLUMNS
COLUMNS counts every column: COLUMNS - 2 numeric ones, `region` and `target`.
"""

import sys

import numpy as np
import pyarrow as pa
import pyarrow.csv


def table(rows: int, columns: int, seed: int = 0) -> pa.Table:
    rng = np.random.default_rng(seed)
    numeric = rng.normal(size=(rows, columns - 2))
    logits = numeric @ rng.normal(size=columns - 2) * 0.5 + rng.normal(size=rows)
    numeric[rng.random(numeric.shape) < 0.01] = np.nan  # gaps for the imputers
    fields = {f"x{i}": pa.array(numeric[:, i].round(5), from_pandas=True) for i in range(columns - 2)}
    fields["region"] = pa.array(rng.choice(["north", "south", "east", "west"], size=rows))
    fields["target"] = pa.array(np.where(logits > 0, "yes", "no"))
    return pa.table(fields)


if __name__ == "__main__":
    out, rows, columns = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    pyarrow.csv.write_csv(table(rows, columns), out)
