"""IMO ship identification numbers: seven digits, the last a check digit.

The check digit is the last digit of the sum of the first six digits weighted 7, 6, 5, 4, 3, 2
(IMO Resolution A.1117(30), IMO Ship Identification Number Scheme). 9074729: 9*7 + 0*6 + 7*5 + 4*4 +
7*3 + 2*2 = 139, check digit 9.
"""

import numpy as np

_WEIGHTS = np.array([7, 6, 5, 4, 3, 2], dtype=np.int64)
_POWERS = 10 ** np.arange(6, 0, -1, dtype=np.int64)  # digit d_k of a 7-digit n is n // 10**(7-k) % 10


def imo_valid_mask(imo: np.ndarray) -> np.ndarray:
    """Vectorised: True where the value is a seven-digit IMO number whose check digit is right."""
    values = np.asarray(imo, dtype=np.int64)
    seven_digits = (values >= 1_000_000) & (values <= 9_999_999)
    digits = (values[:, None] // _POWERS[None, :]) % 10
    check = (digits @ _WEIGHTS) % 10
    return seven_digits & (check == values % 10)


def imo_check_digit_fails_mask(imo: np.ndarray) -> np.ndarray:
    """Vectorised: True where the value is a claimed IMO number (seven digits, 1000000-9999999) whose
    check digit is wrong. Shorter or longer values (0, 569, a 9-digit MMSI) are no IMO claim at all."""
    values = np.asarray(imo, dtype=np.int64)
    seven_digits = (values >= 1_000_000) & (values <= 9_999_999)
    return seven_digits & ~imo_valid_mask(values)


def imo_is_valid(n: int | str | None) -> bool:
    """True when `n` (an int or a string of digits, optionally prefixed "IMO") is a valid IMO number."""
    if n is None or isinstance(n, bool):
        return False
    if isinstance(n, str):
        text = n.strip().upper().removeprefix("IMO").strip()
        if not text.isdigit():
            return False
        n = int(text)
    return bool(imo_valid_mask(np.array([n], dtype=np.int64))[0])
