"""The `storebox` command: the composition root that wires settings, store, devices and UI."""
