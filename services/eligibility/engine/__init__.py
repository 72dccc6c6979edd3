"""The rules engine: pure functions from (facts, date, ruleset) to an explained decision.

Nothing here touches HTTP or a database, so every rule is testable on its own.
"""

ENGINE_VERSION = "1.0.0"
