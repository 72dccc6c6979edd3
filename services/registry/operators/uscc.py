"""The 统一社会信用代码 (Unified Social Credit Code, GB 32100-2015): normalising and checking it.

python-stdnum computes the check character. Its own ``validate`` is not used because it is
stricter than the standard: it wants positions 1-8 all digits, so it refuses the legal
registering authorities A, N and Y (e.g. N for 农业 bodies such as farmers' cooperatives).
The format rules are therefore ours, each reported by name so a refusal says which one failed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from stdnum.cn import uscc as stdnum_uscc

USCC_LENGTH = 18
# The 31 characters of the code: 0-9 and A-Z without I, O, S, V, Z (easily misread).
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
FORBIDDEN_LETTERS = "IOSVZ"
# 登记管理部门代码: 1-9 for the registering departments, A 中央军委改革和编制办公室, N 农业, Y 其他.
REGISTERING_AUTHORITIES = "123456789ANY"


class UsccRule(StrEnum):
    """The rule a code breaks; the order is the order they are checked in."""

    LENGTH = "length"
    CHARACTER_SET = "character_set"
    REGISTERING_AUTHORITY = "registering_authority"
    REGION_CODE = "region_code"
    CHECK_CHARACTER = "check_character"


@dataclass(frozen=True)
class UsccProblem:
    rule: UsccRule
    message: str
    expected_check_character: str | None = None


@dataclass(frozen=True)
class UsccCheck:
    """A normalised code and, if it is not a valid code, the first rule it breaks."""

    code: str
    problem: UsccProblem | None = None

    @property
    def valid(self) -> bool:
        return self.problem is None

    @property
    def only_check_character_wrong(self) -> bool:
        """Well-formed but with a wrong check character: the one fault the bureau may accept."""
        return self.problem is not None and self.problem.rule is UsccRule.CHECK_CHARACTER


def normalise(raw: str) -> str:
    """The code as stored: no whitespace, upper-case, full-width characters made ASCII.

    Codes are copied from licences and Chinese documents, where spaces between groups and
    full-width characters (９１１１…) are common; they are the same code.
    """
    return "".join(unicodedata.normalize("NFKC", raw).split()).upper()


def check_uscc(raw: str) -> UsccCheck:
    code = normalise(raw)
    problem = _format_problem(code)
    if problem is None:
        expected = stdnum_uscc.calc_check_digit(code[:17])
        if code[17] != expected:
            problem = UsccProblem(
                UsccRule.CHECK_CHARACTER,
                f"check character (position 18) is {code[17]!r} but for the first 17 "
                f"characters it must be {expected!r}; check the code was copied correctly",
                expected_check_character=expected,
            )
    return UsccCheck(code, problem)


def _format_problem(code: str) -> UsccProblem | None:
    if len(code) != USCC_LENGTH:
        return UsccProblem(
            UsccRule.LENGTH,
            f"has {len(code)} characters; a unified social credit code has exactly {USCC_LENGTH}",
        )
    bad = [(position, char) for position, char in enumerate(code, 1) if char not in ALPHABET]
    if bad:
        listed = ", ".join(f"{char!r} at position {position}" for position, char in bad)
        return UsccProblem(
            UsccRule.CHARACTER_SET,
            f"contains {listed}; only 0-9 and A-Z without {', '.join(FORBIDDEN_LETTERS)} are used",
        )
    if code[0] not in REGISTERING_AUTHORITIES:
        return UsccProblem(
            UsccRule.REGISTERING_AUTHORITY,
            f"registering authority (position 1) is {code[0]!r}; it must be one of 1-9, A, N, Y",
        )
    if not code[2:8].isdigit():
        return UsccProblem(
            UsccRule.REGION_CODE,
            f"region code (positions 3-8) is {code[2:8]!r}; it must be six digits "
            "(an administrative division code such as 620102)",
        )
    return None
