"""kimflow's generic BPM engine around SpiffWorkflow."""
