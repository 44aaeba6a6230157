"""Small real datasets that ship inside installed packages (nothing is downloaded)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from .errors import GeoEncodeError


def naturalearth_path() -> Path:
    """Path of the Natural Earth 1:110m countries shapefile that pyogrio ships as a test fixture."""
    import pyogrio

    path = Path(pyogrio.__file__).parent / "tests" / "fixtures" / "naturalearth_lowres" / "naturalearth_lowres.shp"
    if not path.exists():
        raise GeoEncodeError(
            f"Natural Earth fixture not found at {path}; reinstall pyogrio from a wheel that ships its tests."
        )
    return path


def naturalearth_countries() -> gpd.GeoDataFrame:
    """Natural Earth 1:110m country polygons (177 rows, EPSG:4326) with name, continent, population.

    Examples
    --------
    >>> countries = naturalearth_countries()
    >>> len(countries), countries.crs.to_epsg()
    (177, 4326)
    """
    return gpd.read_file(naturalearth_path())
