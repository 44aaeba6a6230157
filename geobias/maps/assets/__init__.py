"""Vendored data files of :mod:`geobias.maps` (a package only so that they are installed)."""
