"""The terminal driver."""
