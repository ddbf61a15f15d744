"""Lazy imports of optional dependencies, with an error that names the extra."""

from __future__ import annotations

import importlib
from types import ModuleType

from cxmetrics.exceptions import MissingDependencyError

_EXTRA_OF = {
    "scipy": "stats",
    "scipy.stats": "stats",
    "scipy.special": "stats",
    "scipy.optimize": "models",
    "pandas": "pandas",
    "polars": "polars",
    "narwhals": "frames",
    "pyarrow": "parquet",
    "dask": "dask",
    "distributed": "dask",
    "pyspark": "spark",
    "tqdm": "progress",
    "matplotlib": "plot",
    "vaderSentiment": "sentiment",
}


def require(module: str, *, feature: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingDependencyError` naming the extra.

    Parameters
    ----------
    module : str
        Dotted module name, e.g. ``"scipy.stats"``.
    feature : str
        What the user asked for, shown in the message (e.g. ``"method='jeffreys'"``).

    Returns
    -------
    module
        The imported module.
    """
    try:
        return importlib.import_module(module)
    except ImportError as err:
        top = module.split(".", maxsplit=1)[0]
        extra = _EXTRA_OF.get(module, _EXTRA_OF.get(top, top))
        msg = (
            f"{feature} needs {top}, which is not installed; "
            f"install it with `pip install 'cxmetrics[{extra}]'`."
        )
        raise MissingDependencyError(msg) from err
