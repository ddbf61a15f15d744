"""The private core: the metric skeleton every family builds on, knowing no family.

- :mod:`~cxmetrics._core.validation`: argument and array checks shared by every front door,
  re-exported from modules of one idea: :mod:`~cxmetrics._core.checks` (scalar
  options), :mod:`~cxmetrics._core.columns` (1-d columns), :mod:`~cxmetrics._core.groups`
  (group index), :mod:`~cxmetrics._core.parameters`, :mod:`~cxmetrics._core.durations`,
  :mod:`~cxmetrics._core.times` (instants, zones) and :mod:`~cxmetrics._core.money`;
- :mod:`~cxmetrics._core.student_t`, :mod:`~cxmetrics._core.beta` and
  :mod:`~cxmetrics._core.incomplete_gamma`: numpy-only special functions behind the
  normal, t and chi-square tails; :mod:`~cxmetrics._core.sample_size`: rounding of
  planned sample sizes;
- :mod:`~cxmetrics._core.tables`: plain result tables shown by the CLI and the report;
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
