"""Sphinx configuration for the geoencode documentation.

Builds offline (no intersphinx inventories, no remote themes); ``make docs`` runs it with
warnings as errors.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

# Document the checkout being built, not whatever version happens to be installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import geoencode  # noqa: E402

project = "geoencode"
author = "the geoencode developers"
copyright = f"{date.today().year}, {author}"
release = geoencode.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",  # only a <script> URL in the pages: nothing is fetched at build time
    "sphinx.ext.viewcode",
    "numpydoc",
]

root_doc = "index"
source_suffix = {".rst": "restructuredtext"}
exclude_patterns = ["_build", "**.ipynb_checkpoints", "api/generated"]
templates_path: list[str] = []

# -- autodoc / autosummary ------------------------------------------------------------------------
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # numpydoc "Parameters" sections carry the types; signatures stay short
autodoc_class_signature = "mixed"
autodoc_inherit_docstrings = False  # never show torch.nn.Module's docstrings on our classes
autosummary_generate = False  # the API pages are written by hand (docs/api/*.rst)

# -- numpydoc ---------------------------------------------------------------------------------------
numpydoc_show_class_members = False  # members are listed by autodoc's :members: instead
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# -- HTML -------------------------------------------------------------------------------------------
html_theme = "alabaster"
html_title = f"geoencode {release}"
html_static_path = ["_static"] if (Path(__file__).parent / "_static").is_dir() else []
html_theme_options = {
    "description": "Location encoders and geographic-bias auditing in PyTorch",
    "fixed_sidebar": True,
    "page_width": "1100px",
    "sidebar_width": "230px",
}
html_sidebars = {"**": ["about.html", "navigation.html", "relations.html", "searchbox.html"]}
html_show_sourcelink = False
