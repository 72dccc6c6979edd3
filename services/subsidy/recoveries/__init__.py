"""Recovery (追回): finding, determined amount, demand with due date, repayments or offset, end."""
