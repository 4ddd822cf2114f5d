"""Task page views."""
