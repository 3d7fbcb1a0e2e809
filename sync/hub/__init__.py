"""The cloud hub: devices, the outbox sink and the pull streams (FastAPI on SQLAlchemy)."""
