"""The TalentMap store: settings, ORM models, engine/session, migrations, importers, reference data.

This package imports nothing else of TalentMap's; every other layer stands on it.
"""
