"""The windows: PySide6 only. Screens call use cases of the core through `ui.ops`; they never
write SQL and never block the UI thread."""
