"""Case file views."""
