"""The geoencode QGIS plugin: a Processing provider (id ``geoencode``) for the toolbox.

This folder is a complete QGIS plugin (``metadata.txt``, :func:`classFactory`, ``icon.png``).
Install it with ``geoencode qgis install`` or build the plugin-repository zip with
``geoencode qgis package`` (:mod:`geoencode.qgis_plugin.install`, which needs no QGIS).

Nothing here imports QGIS (nor torch) at import time, so the installer works anywhere; the
provider is built on demand:

.. code-block:: python

    from qgis.core import QgsApplication
    from geoencode.qgis_plugin import provider
    QgsApplication.processingRegistry().addProvider(provider())
"""

from __future__ import annotations

from typing import Any

__all__ = ["classFactory", "provider", "PROVIDER_ID", "PLUGIN_NAME"]

#: The Processing provider id: algorithms are ``geoencode:encode`` and so on.
PROVIDER_ID = "geoencode"
#: The plugin's folder name inside a QGIS profile's ``python/plugins``.
PLUGIN_NAME = "geoencode_qgis"


def provider() -> Any:
    """A new :class:`~geoencode.qgis_plugin.provider.GeoEncodeProvider` (needs PyQGIS).

    Register it with ``QgsApplication.processingRegistry().addProvider(provider())`` to use the
    algorithms without the plugin manager (scripts, tests, ``qgis_process`` start-up code).
    """
    from .provider import GeoEncodeProvider

    return GeoEncodeProvider()


def classFactory(iface: Any) -> Any:  # noqa: N802  (the name QGIS looks up)
    """The entry point QGIS calls when it loads the plugin."""
    from .plugin import GeoEncodePlugin

    return GeoEncodePlugin(iface)
