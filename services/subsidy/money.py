"""Money as the subsidy service speaks it: integer fen (分) in, integer fen out, yuan in words.

A JSON amount must be a whole number of fen. ``100.5`` (half a fen), ``"100"`` (a string) and
``true`` are refused with a message saying so, never rounded.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

# Ten billion yuan: far above any municipal budget, far below int64.
MAX_FEN = 10**12


def _whole_fen(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float):
            raise ValueError(
                f"amounts are whole fen (分), not yuan or fractions of a fen: {value!r} is "
                "not a whole number; 1,234.56 yuan is 123456"
            )
        raise ValueError("amounts are whole numbers of fen (分), e.g. 123456 for 1,234.56 yuan")
    return value


PositiveFen = Annotated[
    int,
    BeforeValidator(_whole_fen),
    Field(gt=0, le=MAX_FEN, description="Amount in fen (分), a whole number above zero"),
]
SignedFen = Annotated[
    int,
    BeforeValidator(_whole_fen),
    Field(
        ge=-MAX_FEN,
        le=MAX_FEN,
        description="Amount in fen (分): positive to increase, negative to decrease",
    ),
]


def yuan(fen: int) -> str:
    """``123456`` → ``'1,234.56 元'`` (for explanations; amounts themselves stay in fen)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d} 元"
