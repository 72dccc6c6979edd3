"""Valid and deliberately broken 统一社会信用代码 for registry tests."""

from __future__ import annotations

import random
import uuid

from stdnum.cn import uscc as stdnum_uscc

from services.registry.operators.uscc import ALPHABET


def make_uscc(authority: str = "9", category: str = "1", region: str = "620102") -> str:
    """A fresh valid code: random organisation part, correct check character."""
    rng = random.Random(uuid.uuid4().int)
    body = authority + category + region + "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + stdnum_uscc.calc_check_digit(body)


def with_wrong_check(code: str) -> str:
    wrong = next(c for c in "0123456789" if c != code[17])
    return code[:17] + wrong
