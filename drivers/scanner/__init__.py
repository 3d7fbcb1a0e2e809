"""The scanner driver."""
