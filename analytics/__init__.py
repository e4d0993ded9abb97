"""Pure computations over the store: funnels, pipelines, skill gaps, fairness, reports."""
