"""storebox core: the shop's rules and its durable local store.

Pure Python by design: nothing here imports Qt, HTTP, serial or printer libraries, so
every use case runs in a test with no screen, no network and no device.
"""

__version__ = "0.1.0"
