"""Annual assessment results (年度考核结果) as the bureau records them; corrections supersede."""
