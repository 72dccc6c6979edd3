"""The working-day calendar (工作日): holidays and make-up working days per year."""
