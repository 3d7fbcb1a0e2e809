"""Real implementations of the core's device ports, one folder per device kind.

Each device kind has its codec, its transport and a simulator or fake that speaks the same
bytes as the real device. Drivers never import Qt: a device call runs on that device's own
worker thread, and results reach a window through `ui.ops`.
"""
