"""Both ends of the shop <-> hub sync protocol (DESIGN.md, "Sync protocol")."""
