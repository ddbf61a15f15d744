"""The private core: the metric skeleton every family builds on, knowing no family.

- :mod:`~cxmetrics._core.validation`: argument and array checks shared by every front door;
- :mod:`~cxmetrics._core.keys`: group keys (factorising, aligning, dtype-preserving JSON);
- :mod:`~cxmetrics._core.arrays`: frozen (read-only) array fields;
- :mod:`~cxmetrics._core.shapes`: ragged input, shapes that must broadcast, and
  errors named after the caller's argument;
- :mod:`~cxmetrics._core.mergeable`: ``+``, ``sum()``, type tags and the guard on every state;
- :mod:`~cxmetrics._core.grouped` and :mod:`~cxmetrics._core.display`: grouped results,
  text tables and HTML;
- :mod:`~cxmetrics._core.table_io`: reading delimited exports;
- :mod:`~cxmetrics._core.optional`: optional dependencies, imported on first use.

Families import from here; nothing here imports a family.
"""
