"""Skills: one module per skill; behaviour only (sentences live in nlu_data and reply templates)."""
