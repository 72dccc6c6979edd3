"""The rules engine: pure functions from (facts, date, ruleset) to an explained decision.

Nothing here touches HTTP or a database, so every rule is testable on its own.
``ENGINE_VERSION`` changes whenever a decision or its explanations would read differently, so a
receipt says which code wrote it (1.1.0: Chinese sentences name codes in Chinese).
"""

ENGINE_VERSION = "1.1.0"
