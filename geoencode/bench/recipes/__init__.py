"""Training recipes for the offline benchmark: per encoder × network, with their provenance.

A :class:`Recipe` says how one (task, encoder, network) pair is trained: the encoder and network
hyper-parameters, the optimiser, the epochs and early stopping, and where those numbers come from.

* ``"default"`` — the benchmark's one shared setting (Adam lr 1e-3 decayed by 0.98 per epoch,
  batch 2000, at most 200 epochs, early stopping on validation accuracy with patience 20, paper
  defaults of the encoder, a linear head on a 256-wide embedding).
* ``"paper"`` — for the pairs of Rußwurm et al. (ICLR 2024), their tuned hyper-parameters
  (:mod:`geoencode.bench.recipes.paper`) on their protocol: Adam with L2 weight decay and no
  learning-rate decay, batch 2000, at most 500 epochs, early stopping on the validation loss with
  patience 30, the network's last layer giving the logits. They train in float64; the recipes in
  float32, which gives the same accuracy at half the cost (``dtype="float64"`` for theirs). Pairs the authors did not tune
  fall back to ``"default"`` and say so (:attr:`Recipe.source`).
* a path — a recipe file written by :func:`save_recipe` (e.g. by ``geoencode bench tune``).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

from ..._io import atomic_write
from ...errors import GeoEncodeError
from ...registry import get_spec
from . import paper

FORMAT = "geoencode.recipe/1"
PAPER_URL = f"https://github.com/{paper.REPOSITORY}/blob/{paper.COMMIT}/{paper.FILE}"

Head = Literal["linear", "none", "linear_nobias"]
Monitor = Literal["val_score", "val_loss"]

# Our encoder name -> the authors' positional-encoding key; our network -> theirs.
AUTHORS_PE = {"spherical_harmonics": "sphericalharmonics", "Sphere2Vec-sphereC": "spherec",
              "Sphere2Vec-sphereC+": "spherecplus", "Sphere2Vec-sphereM": "spherem",
              "Sphere2Vec-sphereM+": "spheremplus", "Space2Vec-grid": "grid", "Space2Vec-theory": "theory",
              "wrap": "wrap", "xyz": "cartesian3d"}
AUTHORS_NN = {"linear": "linear", "siren": "siren", "fcnet": "fcnet", "ffn": "mlp"}
# The authors' sphere* embeddings hold every feature twice (grid_and_sphere.py: np.repeat(..., 2, axis=4)
# before the sines, then all of that axis concatenated), which halves the first layer's initial
# weights per feature and doubles their effective learning rate. Repeating our features does the same.
_REPEATED = {"spherec", "spherecplus", "spherem", "spheremplus"}
_SPHERE2VEC = _REPEATED
_PAPER_TABLES = {"landocean": (paper.LANDOCEAN, paper.LANDOCEAN_DATASET),
                 "checkerboard": (paper.CHECKERBOARD, paper.CHECKERBOARD_DATASET)}


@dataclass(frozen=True)
class Recipe:
    """How one (task, encoder, network) pair is trained, and where the numbers come from.

    Attributes
    ----------
    task, encoder, nn : str
        The pair (``encoder`` canonical, e.g. ``"Sphere2Vec-sphereC+"``).
    params : dict
        Keyword arguments of :func:`geoencode.build` (position-encoder and network hyper-parameters).
    lr, weight_decay, lr_decay : float
        Adam learning rate, L2 weight decay, per-epoch multiplicative decay (1 = none).
    max_epochs, patience, batch_size : int
        Epoch budget, early-stopping patience (epochs), rows per step.
    monitor : {"val_score", "val_loss"}
        What early stopping watches (accuracy / −RMSE, or the training loss on the validation split);
        the best epoch's weights are evaluated.
    head : {"linear", "none", "linear_nobias"}
        ``"linear"``: a linear layer on the embedding (:class:`~geoencode.models.LocationClassifier`);
        ``"none"``: the network's output are the logits (``out_dim`` = classes); ``"linear_nobias"``:
        a bias-free linear layer (the authors' FCNet ``class_emb``).
    repeat_features : int
        Each position feature fed this many times (see ``_REPEATED``).
    dtype : {"float32", "float64"}
        Training precision.
    name : str
        ``"default"``, ``"paper"``, ``"tuned"`` or a user's label.
    source : str
        Provenance: the file, commit and line the numbers were taken from, or the setting used.
    notes : str
        Known differences from the source.
    """

    task: str
    encoder: str
    nn: str
    params: dict[str, Any] = field(default_factory=dict)
    lr: float = 1e-3
    weight_decay: float = 0.0
    lr_decay: float = 0.98
    max_epochs: int = 200
    patience: int = 20
    batch_size: int = 2000
    monitor: Monitor = "val_score"
    head: Head = "linear"
    repeat_features: int = 1
    dtype: Literal["float32", "float64"] = "float32"
    name: str = "default"
    source: str = "geoencode's shared offline setting"
    notes: str = ""

    def __post_init__(self) -> None:
        if not (self.lr > 0 and self.weight_decay >= 0 and 0 < self.lr_decay <= 1):
            raise GeoEncodeError(f"recipe needs lr > 0, weight_decay >= 0, 0 < lr_decay <= 1; got lr={self.lr!r}, "
                                 f"weight_decay={self.weight_decay!r}, lr_decay={self.lr_decay!r}.")
        for k in ("max_epochs", "patience", "batch_size", "repeat_features"):
            if not isinstance(getattr(self, k), int) or getattr(self, k) < 1:
                raise GeoEncodeError(f"recipe field {k} must be an integer >= 1, got {getattr(self, k)!r}.")
        for k, allowed in (("monitor", ("val_score", "val_loss")), ("head", ("linear", "none", "linear_nobias")),
                           ("dtype", ("float32", "float64"))):
            if getattr(self, k) not in allowed:
                raise GeoEncodeError(f"recipe field {k} must be one of {allowed}, got {getattr(self, k)!r}.")

    @property
    def generic(self) -> bool:
        """True when the generic :class:`~geoencode.training.Trainer` runs it exactly (float32, accuracy
        monitored, a linear head, features once): the shared setting and its variants."""
        return (self.dtype, self.monitor, self.head, self.repeat_features) == ("float32", "val_score", "linear", 1)

    def with_overrides(self, **changes: Any) -> "Recipe":
        """A copy with the given fields changed (``None`` values are ignored); ``params`` are merged.

        Examples
        --------
        >>> r = paper_recipe("landocean", "sphereC+", "siren")
        >>> r.with_overrides(lr=0.01, params={"num_layers": 2}).params["num_layers"], r.params["num_layers"]
        (2, 3)
        """
        changes = {k: v for k, v in changes.items() if v is not None}
        unknown = sorted(set(changes) - {f.name for f in fields(self)})
        if unknown:
            raise GeoEncodeError(f"unknown recipe field(s) {unknown}; fields are {[f.name for f in fields(self)]}.")
        if "params" in changes:
            changes["params"] = {**self.params, **changes["params"]}
        return replace(self, **changes)


def _pair(encoder: str, nn: str | None) -> tuple[str, str]:
    spec = get_spec(encoder)
    return spec.name, nn or spec.nn


def default_recipe(task: str, encoder: str, nn: str | None = None) -> Recipe:
    """Today's shared setting for any pair: what ``--recipe default`` runs.

    Examples
    --------
    >>> r = default_recipe("landocean", "sh")
    >>> (r.encoder, r.nn, r.lr, r.lr_decay, r.max_epochs, r.patience, r.batch_size, r.monitor)
    ('spherical_harmonics', 'siren', 0.001, 0.98, 200, 20, 2000, 'val_score')
    """
    enc, nn_name = _pair(encoder, nn)
    return Recipe(task, enc, nn_name)


def paper_recipe(task: str, encoder: str, nn: str | None = None) -> Recipe | None:
    """The authors' tuned recipe for a pair of their grid, or ``None`` if they published none.

    Examples
    --------
    >>> r = paper_recipe("landocean", "sphereC+", "siren")
    >>> r.lr, r.params["frequency_num"], r.params["hidden_dim"], r.params["num_layers"], r.max_epochs
    (0.0001647981369387, 16, 96, 3, 500)
    >>> "685892ee1f9945d368b2dbfbb153dc1f9813f8bd/hparams.yaml#L193" in r.source
    True
    >>> paper_recipe("landocean", "dfs", "siren") is None
    True
    """
    enc, nn_name = _pair(encoder, nn)
    if task not in _PAPER_TABLES or enc not in AUTHORS_PE or nn_name not in AUTHORS_NN:
        return None
    table, dataset = _PAPER_TABLES[task]
    pe, their_nn = AUTHORS_PE[enc], AUTHORS_NN[nn_name]
    hp = table.get((pe, their_nn))
    if hp is None:
        return None
    params, notes = _translate(pe, nn_name, hp)
    return Recipe(
        task, enc, nn_name, params, lr=float(hp["lr"]), weight_decay=float(hp["wd"]), lr_decay=1.0,
        max_epochs=int(dataset["max_epochs"]), patience=int(dataset["patience"]),
        batch_size=int(dataset["batch_size"]), monitor="val_loss",
        head={"linear": "none", "siren": "none", "fcnet": "linear_nobias", "ffn": "linear"}[nn_name],
        repeat_features=2 if pe in _REPEATED else 1, name="paper",
        source=f"{PAPER_URL}#L{hp['line']} ({task} section, entry {pe}-{their_nn})", notes=notes)


def _translate(pe: str, nn_name: str, hp: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The authors' fields as :func:`geoencode.build` parameters, and what still differs."""
    params: dict[str, Any] = {}
    notes = []
    if pe == "sphericalharmonics":
        # Their analytic Y_lm (θ = lat + 90°, ϕ = lon + 180°) are the formulas SatCLIP ships.
        params.update(legendre_poly_num=int(hp["legendre_polys"]), convention="satclip")
    elif pe in _SPHERE2VEC:
        # They scale angles in degrees (deg / r); ours in radians (rad / r'), so r' = r · π/180.
        params.update(frequency_num=int(hp["frequency_num"]), min_radius=math.radians(hp["min_radius"]),
                      max_radius=math.radians(hp.get("max_radius", 360)))
        if pe in ("spherem", "spheremplus"):
            notes.append("the authors' sphereM/M+ take sin/cos of the unscaled angle in degrees read as radians; "
                         "ours in radians")
    elif pe in ("grid", "theory"):
        params.update(frequency_num=int(hp["frequency_num"]), min_radius=float(hp["min_radius"]),
                      max_radius=float(hp.get("max_radius", 360)))
    elif pe == "wrap":
        notes.append("the authors' wrap uses sin/cos(lat·π/180); ours sin/cos(lat·π/90), as Mac Aodha et al.")
    if nn_name == "siren":
        params.update(hidden_dim=int(hp["dim_hidden"]), num_layers=int(hp["num_layers"]), w0=1.0, w0_initial=30.0)
    elif nn_name == "fcnet":
        params.update(out_dim=int(hp["dim_hidden"]), num_layers=4, dropout=0.5)
    elif nn_name == "ffn":
        params.update(hidden_dim=int(hp["dim_hidden"]), num_layers=int(hp["num_layers"]), out_dim=int(hp["dim_hidden"]),
                      dropout=0.0)
        notes.append("the authors' 'mlp' entry; their code has no mlp network, ours is TorchSpatial's ffn "
                     "(LayerNorm, skip connections) with dropout off")
    return params, "; ".join(notes)


def get_recipe(task: str, encoder: str, nn: str | None = None,
               recipe: str | os.PathLike | Recipe = "paper") -> Recipe:
    """The recipe to train one pair with: ``"paper"`` (falling back to ``"default"``), ``"default"`` or a file.

    Examples
    --------
    >>> get_recipe("landocean", "sh", "linear").name, get_recipe("landocean", "dfs", "siren").name
    ('paper', 'default')
    >>> "no published recipe" in get_recipe("landocean", "dfs", "siren").source
    True
    """
    if isinstance(recipe, Recipe):
        return recipe
    if recipe == "default":
        return default_recipe(task, encoder, nn)
    if recipe == "paper":
        found = paper_recipe(task, encoder, nn)
        if found is not None:
            return found
        fallback = default_recipe(task, encoder, nn)
        return replace(fallback, source=f"no published recipe for {fallback.encoder} + {fallback.nn} on {task} "
                                        f"in {paper.REPOSITORY}; {fallback.source}")
    path = Path(recipe)
    if not path.exists():
        raise GeoEncodeError(f"recipe {str(recipe)!r} is neither 'paper', 'default' nor an existing file; "
                             "pass --recipe paper, --recipe default or the path of a recipe file.")
    found = load_recipe(path)
    enc, nn_name = _pair(encoder, nn)
    if (found.task, found.encoder, found.nn) != (task, enc, nn_name):
        raise GeoEncodeError(f"{path} is a recipe for {found.task} / {found.encoder} + {found.nn}, not "
                             f"{task} / {enc} + {nn_name}; pick the matching file or drop --recipe.")
    return found


def recipe_to_dict(recipe: Recipe) -> dict[str, Any]:
    """A JSON-ready dict of ``recipe`` with the format tag.

    Examples
    --------
    >>> recipe_to_dict(default_recipe("landocean", "wrap"))["format"]
    'geoencode.recipe/1'
    """
    return {"format": FORMAT, **asdict(recipe)}


def save_recipe(recipe: Recipe, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Write ``recipe`` as JSON atomically; an existing file needs ``overwrite=True``.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "r.json"
    >>> load_recipe(save_recipe(default_recipe("landocean", "wrap"), path)) == default_recipe("landocean", "wrap")
    True
    """
    text = json.dumps(recipe_to_dict(recipe), indent=2) + "\n"
    return atomic_write(path, lambda tmp: Path(tmp).write_text(text), overwrite=overwrite)


def load_recipe(path: str | os.PathLike) -> Recipe:
    """Read a recipe file written by :func:`save_recipe` (JSON; unknown fields are an error).

    Examples
    --------
    >>> import tempfile
    >>> bad = Path(tempfile.mkdtemp()) / "bad.json"
    >>> _ = bad.write_text('{"lr": 1}')
    >>> load_recipe(bad)
    Traceback (most recent call last):
    ...
    geoencode.errors.GeoEncodeError: ... is not a geoencode recipe (no 'format': 'geoencode.recipe/1').
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise GeoEncodeError(f"cannot read recipe {path}: {exc}") from None
    if not isinstance(data, dict) or data.pop("format", None) != FORMAT:
        raise GeoEncodeError(f"{path} is not a geoencode recipe (no 'format': '{FORMAT}').")
    known = {f.name for f in fields(Recipe)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise GeoEncodeError(f"{path}: unknown recipe field(s) {unknown}; fields are {sorted(known)}.")
    try:
        return Recipe(**data)
    except TypeError as exc:
        raise GeoEncodeError(f"{path}: {exc}") from None


def paper_pairs(task: str = "landocean") -> list[tuple[str, str]]:
    """Every (encoder, network) pair of ours that has a published recipe on ``task``.

    Examples
    --------
    >>> ("Sphere2Vec-sphereC+", "siren") in paper_pairs()
    True
    """
    table, _ = _PAPER_TABLES[task]
    out = []
    for enc, pe in AUTHORS_PE.items():
        for nn_name, their in AUTHORS_NN.items():
            if (pe, their) in table:
                out.append((enc, nn_name))
    return out


__all__ = ["Recipe", "default_recipe", "paper_recipe", "get_recipe", "save_recipe", "load_recipe", "paper_pairs",
           "recipe_to_dict", "PAPER_URL"]
