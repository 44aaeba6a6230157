"""``geoencode qgis install|package`` without QGIS: what lands in the profile and in the zip."""

from __future__ import annotations

import configparser
import contextlib
import filecmp
import io
import zipfile

import pytest

from geoencode.cli import main
from geoencode.errors import GeoEncodeError
from geoencode.qgis_plugin import PLUGIN_NAME
from geoencode.qgis_plugin.install import PLUGIN_DIR, enable_plugin, install, package, plugin_version

#: What plugins.qgis.org requires in metadata.txt.
REQUIRED_METADATA = ("name", "qgisMinimumVersion", "description", "about", "version", "author", "email",
                     "repository")


def _plugin_files() -> set[str]:
    return {p.relative_to(PLUGIN_DIR).as_posix() for p in PLUGIN_DIR.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.name not in ("install.py", "cli.py")}


def test_metadata_is_what_the_repository_and_qgis_need():
    meta = configparser.ConfigParser(interpolation=None)
    meta.read(PLUGIN_DIR / "metadata.txt", encoding="utf-8")
    general = meta["general"]
    assert all(general.get(k, "").strip() for k in REQUIRED_METADATA)
    assert general["qgisMinimumVersion"] == "3.22"
    assert general["hasProcessingProvider"] == "yes"  # qgis_process loads only such plugins
    assert (PLUGIN_DIR / general["icon"]).read_bytes().startswith(b"\x89PNG")


def test_install_copies_the_plugin_and_enables_it(tmp_path):
    profile = tmp_path / "profile"
    ini = profile / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text("[General]\nlocale=fr\n\n[PythonPlugins]\nprocessing=true\ngeoencode_qgis=false\n\n[Qgis]\nx=1\n")
    dest = install(profile)
    assert dest == profile / "python" / "plugins" / PLUGIN_NAME and not dest.is_symlink()
    copied = {p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()}
    assert copied == _plugin_files()  # the installer itself and caches stay behind
    assert all(filecmp.cmp(PLUGIN_DIR / f, dest / f, shallow=False) for f in copied)
    assert sorted(p.name for p in dest.parent.iterdir()) == [PLUGIN_NAME]  # no staging folder left

    settings = configparser.ConfigParser(interpolation=None)
    settings.optionxform = str
    settings.read(ini)
    assert dict(settings["PythonPlugins"]) == {"processing": "true", PLUGIN_NAME: "true"}
    assert settings["General"]["locale"] == "fr" and settings["Qgis"]["x"] == "1"
    before = ini.read_text()
    enable_plugin(profile)
    assert ini.read_text() == before  # idempotent


def test_install_refuses_to_clobber_and_replaces_with_overwrite(tmp_path):
    dest = install(tmp_path, link=True)
    assert dest.is_symlink() and dest.resolve() == PLUGIN_DIR
    with pytest.raises(GeoEncodeError, match="overwrite"):
        install(tmp_path)
    assert dest.is_symlink()  # untouched by the refused call
    dest = install(tmp_path, overwrite=True)
    assert dest.is_dir() and not dest.is_symlink()
    marker = dest / "stale.txt"
    marker.write_text("from an older copy")
    install(tmp_path, overwrite=True)
    assert not marker.exists()
    assert PLUGIN_DIR.is_dir() and (PLUGIN_DIR / "metadata.txt").exists()  # the link target survives


def test_package_is_one_folder_with_licence_and_no_clobber(tmp_path):
    z = package(tmp_path)
    assert z.name == f"{PLUGIN_NAME}-{plugin_version()}.zip"
    with zipfile.ZipFile(z) as f:
        names = set(f.namelist())
        assert f.testzip() is None
    assert names == {f"{PLUGIN_NAME}/{n}" for n in _plugin_files() | {"LICENSE"}}
    with pytest.raises(GeoEncodeError, match="overwrite"):
        package(z)
    assert package(z, overwrite=True) == z
    assert sorted(p.name for p in tmp_path.iterdir()) == [z.name]  # no temporary file left


def test_cli_qgis_commands(tmp_path):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["qgis", "package", "--out", str(tmp_path / "p.zip")]) == 0
        assert main(["qgis", "install", "--profile", str(tmp_path / "prof"), "--no-enable"]) == 0
    assert (tmp_path / "p.zip").is_file() and str(tmp_path / "p.zip") in out.getvalue()
    assert (tmp_path / "prof" / "python" / "plugins" / PLUGIN_NAME / "metadata.txt").is_file()
    assert not (tmp_path / "prof" / "QGIS" / "QGIS3.ini").exists()
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["qgis", "package", "--out", str(tmp_path / "p.zip")]) == 1
    assert "pass --overwrite to replace it" in err.getvalue() and "overwrite=True" not in err.getvalue()


def test_version_note_when_plugin_and_library_differ(monkeypatch):
    import geoencode
    from geoencode.qgis_plugin.deps import version_note

    assert plugin_version() == geoencode.__version__ and version_note() == ""
    monkeypatch.setattr(geoencode, "__version__", "9.9.9")
    note = version_note()
    assert f"version {plugin_version()}" in note and "is 9.9.9" in note and "--overwrite" in note


def test_link_failure_is_a_clear_error(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError(1314, "A required privilege is not held by the client")

    monkeypatch.setattr("geoencode.qgis_plugin.install.os.symlink", refuse)
    with pytest.raises(GeoEncodeError, match="developer mode"):
        install(tmp_path, link=True)
    plugins = tmp_path / "python" / "plugins"
    assert list(plugins.iterdir()) == []  # nothing half-installed
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["qgis", "install", "--profile", str(tmp_path), "--link"]) == 1
    assert "no --link" in err.getvalue() and "link=False" not in err.getvalue()
