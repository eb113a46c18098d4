"""linreg: linear regression trained with PyTorch, one epoch at a time.

This package is the engine: reading data, the trainer and its history, the closed-form
reference, the generated script and exports, the command line (``python -m linreg``). It never
imports the dashboard (``linreg.dashboard``, ``linreg.page``) or Streamlit.
"""

from linreg.data import Dataset, default_roles, load_sample, read_csv, select
from linreg.errors import LinregError
from linreg.export import history_csv, weights_csv, weights_json
from linreg.formatting import equation, number
from linreg.history import History, Snapshot
from linreg.questions import Question, question_from
from linreg.reference import LeastSquares, least_squares, mse, r2_score
from linreg.script import build_script
from linreg.texts import LANGUAGES, Catalog, Phrase
from linreg.trainer import (
    ENGINES,
    INITS,
    OPTIMIZERS,
    TrainConfig,
    Trainer,
    to_original_units,
)

__all__ = [
    "ENGINES",
    "INITS",
    "LANGUAGES",
    "OPTIMIZERS",
    "Catalog",
    "Dataset",
    "History",
    "LeastSquares",
    "LinregError",
    "Phrase",
    "Question",
    "Snapshot",
    "TrainConfig",
    "Trainer",
    "build_script",
    "default_roles",
    "equation",
    "history_csv",
    "least_squares",
    "load_sample",
    "mse",
    "number",
    "question_from",
    "r2_score",
    "read_csv",
    "select",
    "to_original_units",
    "weights_csv",
    "weights_json",
]
