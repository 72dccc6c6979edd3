"""Annual assessment (年度考核): yearly scoring schemes as data, explained scores, stored receipts.

``ENGINE_VERSION`` changes whenever the scoring arithmetic or its explanations change, so a
receipt says which code produced it as well as which scheme.
"""

ENGINE_VERSION = "1.1.0"  # 1.1.0: missing facts named by their Chinese labels
