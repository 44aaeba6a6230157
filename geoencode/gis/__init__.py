"""GIS integration: encode GeoPandas data in any CRS, polygons and lines, GIS files, Dask.

Importing this package registers the ``geo`` accessor on GeoSeries / GeoDataFrames / DataFrames
(and on Dask frames once Dask is imported)::

    >>> import geopandas as gpd, shapely, geoencode.gis
    >>> gdf = gpd.GeoDataFrame(geometry=[shapely.Point(452000, 5411000)], crs="EPSG:32631")
    >>> gdf.geo.encode("sphereC", frequency_num=4).shape
    (1, 12)
"""

from . import accessor as _accessor  # noqa: F401  (registers the accessor)
from .accessor import GeoAccessor, register_accessor
from .crs import WGS84, is_wgs84, to_wgs84, transform_lonlat
from .dask import DaskGeoAccessor, _install_hooks, register_dask
from .encode import EmbeddingModel, encode, resolve_encoder, to_lonlat
from .files import encode_file, list_layers, read_chunks, read_table
from .geometry import _deprecated_radius
from .geometry import (
    MEAN_EARTH_RADIUS_KM, fix_antimeridian, geodesic_centroid, representative_points, sample_points, spherical_area,
)

_install_hooks()

__all__ = [
    "encode", "to_lonlat", "resolve_encoder", "EmbeddingModel", "GeoAccessor", "DaskGeoAccessor", "register_accessor", "register_dask",
    "to_wgs84", "transform_lonlat", "is_wgs84", "WGS84",
    "geodesic_centroid", "representative_points", "sample_points", "spherical_area", "fix_antimeridian",
    "MEAN_EARTH_RADIUS_KM", "encode_file", "read_chunks", "read_table", "list_layers",
]


def __getattr__(name: str) -> float:
    if name == "EARTH_RADIUS_KM":  # deprecated, see geoencode.gis.geometry
        return _deprecated_radius()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
