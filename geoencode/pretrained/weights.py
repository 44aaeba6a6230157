"""The weights registry: what each pretrained encoder is, where its file comes from, how it is checked.

Nothing is downloaded, ever. A file is looked for at ``path=``, then in the folder named by the
``GEOENCODE_WEIGHTS`` environment variable, then (GeoCLIP only) inside the installed ``geoclip``
wheel — found with :func:`importlib.util.find_spec`, without importing ``geoclip`` (its package init
imports transformers). A missing file or a wrong sha256 raises :class:`~geoencode.GeoEncodeError`
saying where to get the file and where to put it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import torch

from ..errors import CheckpointError, GeoEncodeError, UnknownEncoderError
from .encoder import PretrainedEncoder

ENV_VAR = "GEOENCODE_WEIGHTS"

_GEOCLIP_CITE = ("Vivanco Cepeda, Nayak & Shah, GeoCLIP: Clip-Inspired Alignment between Locations and Images "
                 "for Effective Worldwide Geo-localization, NeurIPS 2023")
_SATCLIP_CITE = ("Klemmer, Rolf, Robinson, Mackey & Rußwurm, SatCLIP: Global, General-Purpose Location "
                 "Embeddings with Satellite Imagery, arXiv:2311.17179 (2023)")


@dataclass(frozen=True)
class PretrainedWeights:
    """One registry entry (in the spirit of torchgeo's ``WeightsEnum``).

    ``sha256`` is ``None`` where the file could not be obtained to record it (SatCLIP: the
    checkpoints are a download away); such files are checked by structure only, and a hash can be
    pinned with ``pretrained(name, sha256=...)``.
    """

    name: str
    architecture: str
    filename: str
    source: str
    licence: str
    sha256: str | None
    input_convention: str
    out_dim: int
    citation: str
    family: str  # "geoclip" or "satclip": the loader
    wheel_path: str | None = None  # inside an installed distribution: "package/sub/file"

    def help(self) -> str:
        """Where to get the file and where to put it (the text of the missing-file error)."""
        where = (f"pass path='/where/it/is/{self.filename}', or put it in a folder named by the {ENV_VAR} "
                 f"environment variable (export {ENV_VAR}=/path/to/weights)")
        return f"get it from {self.source}; then {where}"


def _satclip(backbone: str, L: int) -> PretrainedWeights:
    tag = f"{backbone}-l{L}"
    repo = f"microsoft/SatCLIP-{ {'resnet18': 'ResNet18', 'resnet50': 'ResNet50', 'vit16': 'ViT16'}[backbone]}-L{L}"
    return PretrainedWeights(
        name=f"satclip-{tag}",
        architecture=f"SatCLIP location encoder: spherical harmonics L={L} ({L * L} features, SatCLIP convention) "
                     f"+ SIREN (shapes from the checkpoint); trained against a {backbone} image encoder",
        filename=f"satclip-{tag}.ckpt",
        source=f"https://huggingface.co/{repo} (file satclip-{tag}.ckpt; e.g. "
               f"`huggingface-cli download {repo} satclip-{tag}.ckpt`)",
        licence="MIT",
        sha256=None,
        input_convention="lon/lat degrees, longitude first (as SatCLIP)",
        out_dim=256,
        citation=_SATCLIP_CITE,
        family="satclip",
    )


WEIGHTS: dict[str, PretrainedWeights] = {
    w.name: w
    for w in [
        PretrainedWeights(
            name="geoclip",
            architecture="GeoCLIP location encoder: Equal Earth projection, 3 RFF branches (σ = 1, 16, 256; "
                         "256 directions each), MLP 512→1024→1024→1024 (ReLU) → 512 per branch, summed",
            filename="location_encoder_weights.pth",
            source="the PyPI wheel geoclip==1.3.0 (install it with `pip install --no-deps geoclip==1.3.0`, which "
                   "keeps its torch/transformers requirements out), file geoclip/model/weights/"
                   "location_encoder_weights.pth",
            licence="MIT",
            sha256="94b80ae3af89fca78539e129dd2929d321247f5ceeeb0a31bc2c31041a253394",
            input_convention="GeoCLIP takes (lat, lon) degrees; geoencode takes lon/lat, longitude first, and swaps",
            out_dim=512,
            citation=_GEOCLIP_CITE,
            family="geoclip",
            wheel_path="geoclip/model/weights/location_encoder_weights.pth",
        ),
        *(_satclip(bb, L) for bb in ("resnet18", "resnet50", "vit16") for L in (10, 40)),
    ]
}


def _key(name: str) -> str:
    return name.lower().replace("_", "-").replace(" ", "")


def get_weights(name: str) -> PretrainedWeights:
    """The registry entry called ``name`` (case-insensitive; ``_`` and ``-`` alike).

    Examples
    --------
    >>> get_weights("GeoCLIP").out_dim
    512
    """
    if isinstance(name, str):
        for w in WEIGHTS.values():
            if _key(w.name) == _key(name):
                return w
    raise UnknownEncoderError(f"unknown pretrained encoder {name!r}; choose one of: {', '.join(WEIGHTS)} "
                              "(see geoencode.list_pretrained()).")


def is_pretrained(name: Any) -> bool:
    """Whether ``name`` names a pretrained encoder (``geoencode.pretrained(name)``)."""
    return isinstance(name, str) and any(_key(w.name) == _key(name) for w in WEIGHTS.values())


def wheel_file(relative: str) -> Path | None:
    """A file inside an installed top-level package, located without importing the package."""
    top, _, rest = relative.partition("/")
    spec = importlib.util.find_spec(top)  # a top-level find_spec runs no package code
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        candidate = Path(root) / rest
        if candidate.is_file():
            return candidate
    return None


def locate(weights: PretrainedWeights, path: str | os.PathLike | None = None) -> Path:
    """The file for ``weights``: ``path``, else ``$GEOENCODE_WEIGHTS/<filename>``, else the wheel's copy."""
    if path is not None:
        p = Path(path).expanduser()
        if p.is_dir():
            p = p / weights.filename
        if not p.is_file():
            raise GeoEncodeError(f"{weights.name}: no weights file at {p}; {weights.help()}.")
        return p
    folder = os.environ.get(ENV_VAR)
    if folder:
        p = Path(folder).expanduser() / weights.filename
        if p.is_file():
            return p
    if weights.wheel_path:
        p = wheel_file(weights.wheel_path)
        if p is not None:
            return p
    looked = [f"${ENV_VAR}/{weights.filename}" + (f" ({folder})" if folder else f" (${ENV_VAR} is not set)")]
    if weights.wheel_path:
        looked.append(f"the installed wheel ({weights.wheel_path}: not installed)")
    raise GeoEncodeError(f"{weights.name}: weights file not found (looked in {', '.join(looked)}); "
                         f"{weights.help()}. Nothing is downloaded automatically.")


_HASHES: dict[tuple[str, int, int], str] = {}


def sha256(path: str | os.PathLike) -> str:
    """Hex sha256 of a file (memoised on path, size and modification time)."""
    p = Path(path)
    st = p.stat()
    key = (str(p.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _HASHES:
        h = hashlib.sha256()
        with open(p, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        _HASHES[key] = h.hexdigest()
    return _HASHES[key]


def verify(weights: PretrainedWeights, path: Path, expected: str | None) -> None:
    """Raise :class:`~geoencode.GeoEncodeError` when ``path``'s sha256 is not ``expected`` (if any)."""
    if expected is None:
        return
    got = sha256(path)
    if got != expected.lower():
        raise GeoEncodeError(
            f"{weights.name}: {path} has sha256 {got}, expected {expected}; the file is corrupt, truncated or a "
            f"different release. {weights.help()}.")


def _torch_load(path: Path) -> Any:
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # unpickling refused (code in the file) or corrupt
        raise CheckpointError(f"cannot load {path} safely (weights_only=True): {exc}") from None


def _load_geoclip(obj: Any, dtype: torch.dtype) -> tuple[Any, Any, dict[str, Any]]:
    from .geoclip import build_geoclip

    if not isinstance(obj, dict):
        raise CheckpointError(f"a GeoCLIP weights file holds a state dict, this one holds {type(obj).__name__}.")
    pe, net = build_geoclip(obj, dtype)
    return pe, net, {}


def _load_satclip(obj: Any, dtype: torch.dtype) -> tuple[Any, Any, dict[str, Any]]:
    from .satclip import build_satclip

    if not isinstance(obj, dict):
        raise CheckpointError(f"a SatCLIP checkpoint holds a dict, this one holds {type(obj).__name__}.")
    return build_satclip(obj, dtype)


_LOADERS: dict[str, Callable[[Any, torch.dtype], tuple[Any, Any, dict[str, Any]]]] = {
    "geoclip": _load_geoclip, "satclip": _load_satclip,
}
_DTYPES = (torch.float32, torch.float64, torch.float16, torch.bfloat16)


def pretrained(name: str, path: str | os.PathLike | None = None, device: torch.device | str | None = None,
               *, dtype: torch.dtype = torch.float32, trainable: bool = False, sha256: str | None = None,
               batch_size: int = 4096, progress: bool | None = None) -> PretrainedEncoder:
    """A pretrained location encoder by name, as an ``nn.Module`` taking lon/lat degrees ``(..., 2)``.

    Parameters
    ----------
    name : str
        A name from :func:`list_pretrained` (``"geoclip"``, ``"satclip-resnet50-l40"`` …).
    path : path-like, optional
        The weights file (or a folder holding it). Default: ``$GEOENCODE_WEIGHTS/<filename>``, then,
        for GeoCLIP, the installed ``geoclip`` wheel. Nothing is downloaded.
    device : torch.device or str, optional
        Where to put the module (default CPU).
    dtype : torch.dtype
        The network's dtype: float32 (default), float64, or float16/bfloat16 where the device
        supports them. Positional features are computed in float64 either way.
    trainable : bool
        ``False`` (default): frozen (``requires_grad`` off), the usual use of pretrained embeddings.
        ``True``: parameters require gradients, for fine-tuning.
    sha256 : str, optional
        Expected hash; default the registry's (GeoCLIP's is pinned, SatCLIP's are not).
    batch_size : int
        Rows per batch at inference.
    progress : bool, optional
        tqdm bar over batches (default: from 100,000 rows on).

    Returns
    -------
    PretrainedEncoder
        A :class:`~geoencode.LocationEncoder` in eval mode (``.requires_grad_(True)`` or
        ``trainable=True`` to fine-tune).

    Examples
    --------
    >>> import geoencode
    >>> enc = geoencode.pretrained("geoclip")  # doctest: +SKIP
    >>> enc([[2.35, 48.86]]).shape  # doctest: +SKIP
    torch.Size([1, 512])
    """
    weights = get_weights(name)
    if dtype not in _DTYPES:
        raise GeoEncodeError(f"dtype must be one of {[str(d) for d in _DTYPES]}, got {dtype!r}.")
    if dtype != torch.float32:
        _check_dtype_supported(dtype, torch.device(device) if device is not None else torch.device("cpu"))
    file = locate(weights, path)
    verify(weights, file, sha256 if sha256 is not None else weights.sha256)
    pe, net, extra = _LOADERS[weights.family](_torch_load(file), dtype)
    if dtype == torch.float64 and hasattr(pe, "feature_dtype"):
        pe.feature_dtype = torch.float64
    config = {"encoder": weights.name, "pretrained": weights.name, "file": str(file), **extra}
    model = PretrainedEncoder(pe, net, config, batch_size=batch_size, progress=progress)
    model.requires_grad_(bool(trainable))
    if device is not None:
        model = model.to(device)
    return model.eval()


def _check_dtype_supported(dtype: torch.dtype, device: torch.device) -> None:
    try:
        a = torch.ones((2, 2), dtype=dtype, device=device)
        torch.nn.functional.linear(a, a, a[0]).sin()
    except (RuntimeError, TypeError) as exc:
        raise GeoEncodeError(f"dtype {dtype} is not supported on {device} ({exc}); use dtype=torch.float32.") from None


def list_pretrained() -> pd.DataFrame:
    """The weights registry as a table: architecture, source, licence, sha256, input convention, out_dim, citation.

    Examples
    --------
    >>> table = list_pretrained()
    >>> int(table.loc["geoclip", "out_dim"]), table.loc["geoclip", "licence"]
    (512, 'MIT')
    """
    rows = [{"name": w.name, "architecture": w.architecture, "out_dim": w.out_dim, "input": w.input_convention,
             "filename": w.filename, "source": w.source, "licence": w.licence, "sha256": w.sha256,
             "citation": w.citation} for w in WEIGHTS.values()]
    return pd.DataFrame(rows).set_index("name")
