"""Message catalogs, one JSON file per topic: ``{"name": ["English", "한국어"], …}``.

They are data, not code: a translator edits them without touching Python, and the tests check
that every entry has both languages and that every message the code asks for exists. Texts
are ``str.format`` templates; an error line is ``error: --option: message``.
"""
