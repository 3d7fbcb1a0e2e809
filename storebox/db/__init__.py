"""The local store: SQLite set up for money (WAL, synchronous=FULL, BEGIN IMMEDIATE writers)."""
