"""kimflow's Flask web workspace."""
