"""Operators (运营主体): the legal entities that run maker spaces, one per credit code."""
