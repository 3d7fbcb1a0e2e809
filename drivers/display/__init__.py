"""The display driver."""
