"""A space's levels (级别): municipal from recognition, provincial and national filing recorded."""
