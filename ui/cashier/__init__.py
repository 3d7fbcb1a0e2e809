"""The cashier's desktop window and its screens."""
