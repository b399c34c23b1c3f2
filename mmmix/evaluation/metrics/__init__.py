from .ece import ExpectedCalibrationError, calibration_bins, expected_calibration_error
from .mix_accuracy import mixup_top2_accuracy

__all__ = [
    'ExpectedCalibrationError', 'calibration_bins', 'expected_calibration_error',
    'mixup_top2_accuracy'
]
