"""Awards (奖补决定): proposed, decided within the budget, approved by a second person."""
