"""Training: losses (geo-bias regularisers included), sampling, the trainer, metrics and per-sample result files."""

from .geo_bias_losses import GeoBiasRegulariser, MarkedSSILoss, SSILoss
from .geo_bias_sri import SRILoss
from .losses import presence_absence_loss
from .metrics import binary_summary, classification_per_sample, classification_summary, regression_summary
from .results import classification_frame, regression_frame, write_csv_atomic
from .sampling import balanced_indices, random_background
from .trainer import Trainer

__all__ = [
    "Trainer", "presence_absence_loss", "GeoBiasRegulariser", "SSILoss", "MarkedSSILoss", "SRILoss", "random_background", "balanced_indices",
    "classification_per_sample", "classification_summary", "regression_summary", "binary_summary",
    "classification_frame", "regression_frame", "write_csv_atomic",
]
