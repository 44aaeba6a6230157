"""``geoencode qgis install|package``: the QGIS plugin into a profile, or as a repository zip."""

from __future__ import annotations

import argparse

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``geoencode qgis`` with its two actions."""
    p = sub.add_parser("qgis", help="install the QGIS Processing plugin, or zip it",
                       description="The geoencode QGIS plugin (Processing provider 'geoencode').")
    actions = p.add_subparsers(dest="qgis_action", metavar="ACTION", required=True)
    i = actions.add_parser("install", help="copy (or link) the plugin into a QGIS profile and enable it",
                           description="Copy the plugin into PROFILE/python/plugins/geoencode_qgis and enable "
                                       "it in PROFILE/QGIS/QGIS3.ini. Close QGIS first.")
    i.add_argument("--profile", metavar="DIR", help="QGIS profile folder (default: this platform's 'default' "
                                                   "profile)")
    i.add_argument("--link", action="store_true", help="symlink to the installed package instead of copying")
    i.add_argument("--overwrite", action="store_true", help="replace an installed copy")
    i.add_argument("--no-enable", action="store_true", help="do not tick the plugin in the profile's settings")
    i.set_defaults(_run=run)
    z = actions.add_parser("package", help="build the zip the QGIS plugin repository accepts",
                           description="Zip the plugin as one top folder geoencode_qgis/.")
    z.add_argument("--out", metavar="PATH", help="zip file or folder (default: ./geoencode_qgis-VERSION.zip)")
    z.add_argument("--overwrite", action="store_true", help="replace an existing zip")
    z.set_defaults(_run=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Do the chosen action and print where the result is."""
    from ..errors import GeoEncodeError
    from .install import install, package

    try:
        if args.qgis_action == "install":
            dest = install(args.profile, link=args.link, overwrite=args.overwrite, enable=not args.no_enable)
            print(f"installed {'link' if args.link else 'copy'}: {dest}")
            print("start QGIS; the algorithms are under 'geoencode' in the Processing toolbox")
        else:
            print(package(args.out, overwrite=args.overwrite))
    except GeoEncodeError as exc:  # the fix in this interface's words
        raise GeoEncodeError(str(exc).replace("overwrite=True", "--overwrite")
                             .replace("install a copy instead (link=False)", "install a copy instead (no --link)")) from None
    return 0
