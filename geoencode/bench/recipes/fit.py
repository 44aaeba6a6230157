"""Train one model by a :class:`~geoencode.bench.recipes.Recipe`, fast on a CPU.

The position encoders have no trainable weights, so their features are computed once per split and
the network trains on them directly: a few small matrix products per step and no per-step encoding.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from ...errors import GeoEncodeError
from ...registry import build
from . import Recipe

_DTYPES = {"float32": torch.float32, "float64": torch.float64}


class RecipeModel(nn.Module):
    """``head(NN(repeat(PE(x))))``: lon/lat degrees ``(..., 2)`` → logits or values ``(..., C)``.

    ``embed`` returns the network's output (the location embedding; the logits when the recipe has
    no head).
    """

    def __init__(self, encoder: nn.Module, head: nn.Module, repeat: int, dtype: torch.dtype, squeeze: bool) -> None:
        super().__init__()
        self.encoder, self.head, self.repeat, self.dtype, self.squeeze = encoder, head, repeat, dtype, squeeze
        self.out_dim = encoder.out_dim
        self.input_dtype = dtype

    def features(self, lonlat: torch.Tensor) -> torch.Tensor:
        f = self.encoder.position_encoder(torch.as_tensor(lonlat).to(self.dtype))
        return f.repeat_interleave(self.repeat, dim=-1) if self.repeat > 1 else f

    def from_features(self, feats: torch.Tensor) -> torch.Tensor:
        out = self.head(self.encoder.network(feats))
        return out.squeeze(-1) if self.squeeze else out

    def embed(self, lonlat: torch.Tensor) -> torch.Tensor:
        return self.encoder.network(self.features(lonlat))

    def forward(self, lonlat: torch.Tensor) -> torch.Tensor:
        return self.from_features(self.features(lonlat))


def build_recipe_model(recipe: Recipe, num_outputs: int, kind: str) -> RecipeModel:
    """The model a recipe trains (call ``torch.manual_seed`` first for reproducible weights).

    Examples
    --------
    >>> from geoencode.bench.recipes import paper_recipe
    >>> model = build_recipe_model(paper_recipe("landocean", "sphereC+", "siren"), 1, "binary")
    >>> model.features(torch.zeros(2, 2)).shape, model(torch.zeros(2, 2)).shape  # 6 F features, each twice
    (torch.Size([2, 192]), torch.Size([2]))
    """
    params = dict(recipe.params)
    if recipe.head == "none":
        params["out_dim"] = num_outputs
    encoder = build(recipe.encoder, nn=recipe.nn, **params)
    dtype = _DTYPES[recipe.dtype]
    if recipe.repeat_features > 1:
        # Rebuild the first layer for the wider input, under the same seed stream position.
        pe_dim = encoder.position_encoder.out_dim * recipe.repeat_features
        encoder.network = type(encoder.network)(in_dim=pe_dim, **_network_kwargs(encoder, params))
    if recipe.head == "none":
        head: nn.Module = nn.Identity()
    else:
        head = nn.Linear(encoder.out_dim, num_outputs, bias=recipe.head == "linear")
    return RecipeModel(encoder, head, recipe.repeat_features, dtype, squeeze=kind != "multiclass").to(dtype)


def _network_kwargs(encoder: nn.Module, params: dict[str, Any]) -> dict[str, Any]:
    import inspect

    accepted = set(inspect.signature(type(encoder.network).__init__).parameters) - {"self", "in_dim"}
    kwargs = {k: v for k, v in encoder.config.get("nn_params", {}).items() if k in accepted}
    return {**kwargs, **{k: v for k, v in params.items() if k in accepted}}


def _loss(kind: str):
    if kind == "binary":
        return lambda out, y: nn.functional.binary_cross_entropy_with_logits(out, y)
    if kind == "multiclass":
        return lambda out, y: nn.functional.cross_entropy(out, y)
    return lambda out, y: nn.functional.mse_loss(out, y)


def fit_recipe(recipe: Recipe, kind: str, num_outputs: int, train: tuple[np.ndarray, np.ndarray],
               val: tuple[np.ndarray, np.ndarray], *, seed: int = 0, target_scale: tuple[float, float] = (0.0, 1.0),
               device: str | torch.device = "cpu", progress: bool = False,
               on_epoch: Callable[[int, float], None] | None = None) -> tuple[RecipeModel, dict[str, Any]]:
    """Train a model by ``recipe`` on ``train``, early-stopping on ``val``; never sees a test split.

    Parameters
    ----------
    recipe : Recipe
        What to train and how.
    kind : {"binary", "multiclass", "regression"}
        The task's kind (sets the loss and the validation score).
    num_outputs : int
        Logits (classes; 1 for binary) or values.
    train, val : tuple of arrays
        ``(lonlat (N, 2) degrees, targets (N,))``.
    seed : int
        Seeds the weights (``torch.manual_seed``) and the shuffling.
    target_scale : (mean, std)
        Regression targets are trained as ``(y − mean) / std``.
    device : str or torch.device
        Where to train.
    progress : bool
        A tqdm bar over epochs.
    on_epoch : callable, optional
        ``on_epoch(epoch, val_loss)`` after every epoch (a tuner's pruning hook; it may raise to stop).

    Returns
    -------
    model : RecipeModel
        The weights of the best validation epoch, in eval mode.
    info : dict
        ``epochs``, ``best_epoch``, ``val_score`` (accuracy fraction or −RMSE), ``val_loss``,
        ``train_seconds`` (wall), ``cpu_seconds`` (this process's CPU time, all threads; on a busy
        machine the fairer speed measure) and ``steps_per_second``.

    Examples
    --------
    >>> from geoencode.bench.recipes import default_recipe
    >>> rng = np.random.default_rng(0)
    >>> x = np.c_[rng.uniform(-180, 180, 400), rng.uniform(-80, 80, 400)]
    >>> y = (x[:, 1] > 0).astype(np.int64)
    >>> r = default_recipe("landocean", "wrap").with_overrides(monitor="val_loss", max_epochs=30, lr=0.01)
    >>> model, info = fit_recipe(r, "binary", 1, (x[:200], y[:200]), (x[200:], y[200:]))
    >>> info["val_score"] > 0.9
    True
    """
    device = torch.device(device)
    dtype = _DTYPES[recipe.dtype]
    torch.manual_seed(seed)
    model = build_recipe_model(recipe, num_outputs, kind).to(device)
    mean, std = target_scale
    y_dtype = torch.long if kind == "multiclass" else dtype

    def prepare(split: tuple[np.ndarray, np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
        with torch.no_grad():
            feats = model.features(torch.as_tensor(split[0], dtype=dtype, device=device))
        y = torch.as_tensor((split[1] - mean) / std if kind == "regression" else split[1], device=device)
        return feats.detach(), y.to(y_dtype)

    (f_tr, y_tr), (f_val, y_val) = prepare(train), prepare(val)
    loss_fn = _loss(kind)
    trainable = [p for m in (model.encoder.network, model.head) for p in m.parameters()]
    opt = torch.optim.Adam(trainable, lr=recipe.lr, weight_decay=recipe.weight_decay)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=recipe.lr_decay)
    gen = torch.Generator().manual_seed(seed)
    n = f_tr.shape[0]
    best, best_epoch, best_state, bad, steps = -np.inf, -1, None, 0, 0
    history: list[dict[str, float]] = []
    t0, c0 = time.perf_counter(), time.process_time()
    for epoch in tqdm(range(recipe.max_epochs), disable=not progress, desc="epochs", leave=False):
        model.train()
        for rows in torch.randperm(n, generator=gen).to(device).split(recipe.batch_size):
            loss = loss_fn(model.from_features(f_tr[rows]), y_tr[rows])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            steps += 1
        sched.step()
        model.eval()
        with torch.no_grad():
            out = model.from_features(f_val)
            val_loss = float(loss_fn(out, y_val))
            score = _score(kind, out, y_val, std)
        if not np.isfinite(val_loss):
            raise GeoEncodeError(f"validation loss became {val_loss} at epoch {epoch}; lower the learning rate "
                                 f"(lr={recipe.lr}).")
        history.append({"epoch": epoch, "val_loss": val_loss, "val_score": score})
        if on_epoch is not None:
            on_epoch(epoch, val_loss)
        watched = -val_loss if recipe.monitor == "val_loss" else score
        if watched > best:
            best, best_epoch, bad = watched, epoch, 0
            best_state = copy.deepcopy(model.state_dict())
        else:
            bad += 1
            if bad >= recipe.patience:
                break
    seconds, cpu_seconds = time.perf_counter() - t0, time.process_time() - c0
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    best_row = history[best_epoch]
    return model, {"epochs": len(history), "best_epoch": best_epoch, "val_score": best_row["val_score"],
                   "val_loss": best_row["val_loss"], "train_seconds": seconds, "cpu_seconds": cpu_seconds,
                   "steps_per_second": steps / seconds if seconds > 0 else float("nan")}


def _score(kind: str, out: torch.Tensor, y: torch.Tensor, std: float) -> float:
    if kind == "regression":
        return -float(torch.sqrt(((out - y) ** 2).mean())) * std
    pred = (out > 0).long() if kind == "binary" else out.argmax(-1)
    return float((pred == y.long()).double().mean())
