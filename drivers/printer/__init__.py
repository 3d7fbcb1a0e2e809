"""The printer driver."""
