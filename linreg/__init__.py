"""linreg: linear regression trained with PyTorch, one epoch at a time.

The engine (this package) never imports streamlit; the dashboard lives in ``app.py``
and ``linreg.ui``.
"""

from linreg.errors import LinregError
from linreg.history import History, Snapshot
from linreg.reference import LeastSquares, least_squares, mse, r2_score
from linreg.trainer import TrainConfig, Trainer, to_original_units

__all__ = [
    "History",
    "LeastSquares",
    "LinregError",
    "Snapshot",
    "TrainConfig",
    "Trainer",
    "least_squares",
    "mse",
    "r2_score",
    "to_original_units",
]
