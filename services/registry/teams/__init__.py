"""Incubated enterprises and teams (入孵企业/创业团队), and how each one leaves."""
