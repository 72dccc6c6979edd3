"""Reports (统计报表): totals by year, jurisdiction, space, kind and status; a space's statement;
CSV and xlsx exports with Chinese headers."""
