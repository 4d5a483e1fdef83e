"""Message catalogs, one module per topic: ``TEXT = {name: (english, korean)}``."""
