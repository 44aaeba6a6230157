"""Search a pair's recipe with Optuna on the validation split of an offline task (never the test set).

The search space is the one Rußwurm et al. tuned their grid in (``tune.py`` of
MarcCoru/locationencoder at commit 685892e): learning rate 1e-4…1e-1 and weight decay 1e-8…1e-1
(log scale); hidden width 32…128 (step 32) and 1…3 layers for Siren and our ffn, the width for
FCNet; ``min_radius`` 1…82° (step 9; they wrote 1…90) and 16…64 frequencies (step 16) for the multi-scale encoders;
``L`` 10…30 (step 5) for spherical harmonics. The objective is the validation loss of the best
epoch (their objective too); trials that fall behind the median are pruned.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from .._io import atomic_write
from ..errors import GeoEncodeError
from ..registry import get_spec
from .offline import load_task
from .recipes import AUTHORS_PE, Recipe, _translate, get_recipe, save_recipe
from .recipes.fit import fit_recipe

_MULTISCALE = {"theory", "grid", "spherec", "spherecplus", "spherem", "spheremplus"}


def _suggest(trial: Any, pe: str | None, nn_name: str) -> dict[str, Any]:
    """One point of the authors' search space, in their units."""
    hp: dict[str, Any] = {}
    if pe in _MULTISCALE:
        hp["min_radius"] = trial.suggest_int("min_radius", 1, 82, step=9)  # theirs: 1…90 step 9, i.e. 1…82
        hp["max_radius"] = 360
        hp["frequency_num"] = trial.suggest_int("frequency_num", 16, 64, step=16)
    elif pe == "sphericalharmonics":
        hp["legendre_polys"] = trial.suggest_int("legendre_polys", 10, 30, step=5)
    if nn_name in ("siren", "ffn", "fcnet"):
        hp["dim_hidden"] = trial.suggest_int("dim_hidden", 32, 128, step=32)
    if nn_name in ("siren", "ffn"):
        hp["num_layers"] = trial.suggest_int("num_layers", 1, 3)
    hp["lr"] = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
    hp["wd"] = trial.suggest_float("wd", 1e-8, 1e-1, log=True)
    return hp


def _candidate(base: Recipe, pe: str | None, hp: dict[str, Any]) -> Recipe:
    # An encoder the authors did not have keeps its own defaults; only the network is searched.
    params, _ = _translate(pe or "", base.nn, hp)
    return replace(base, params={**base.params, **params}, lr=float(hp["lr"]), weight_decay=float(hp["wd"]))


def tune(task: str, encoder: str, nn: str | None = None, trials: int = 20, *, max_epochs: int | None = None,
         seed: int = 0, timeout: float | None = None, device: str = "cpu", progress: bool = False,
         out: str | os.PathLike | None = None, overwrite: bool = False) -> tuple[Recipe, Any]:
    """Tune one pair's recipe on ``task``'s validation split and (optionally) write it to ``out``.

    Parameters
    ----------
    task : str
        An offline task (``landocean``, ``checkerboard``, ``country``, ``elevation``).
    encoder, nn : str
        The pair (``nn`` default: the encoder's paper network).
    trials : int
        Optuna trials (TPE sampler seeded with ``seed``, median pruner).
    max_epochs : int, optional
        Epoch budget per trial (default the starting recipe's; the authors tuned with 100).
    seed : int
        Seeds the sampler, the weights and the shuffling of every trial.
    timeout : float, optional
        Stop starting trials after this many seconds.
    device : str
        Where to train.
    progress : bool
        Optuna's progress bar and per-trial log.
    out : path-like, optional
        Where to write the best recipe (JSON, loadable with ``--recipe PATH``; it keeps the starting
        recipe's epoch budget and patience, not ``max_epochs``) and, beside it, ``<name>.trials.csv``
        with every trial.
    overwrite : bool
        Replace existing files.

    Returns
    -------
    recipe : Recipe
        The best recipe (``name="tuned"``, its provenance in ``source``).
    study : optuna.Study
        The study, for inspection.

    Examples
    --------
    >>> recipe, study = tune("landocean", "wrap", "linear", trials=2, max_epochs=2)  # doctest: +SKIP
    >>> recipe.name, len(study.trials)  # doctest: +SKIP
    ('tuned', 2)
    """
    try:
        import optuna
    except ImportError:
        raise GeoEncodeError("geoencode bench tune needs Optuna: pip install optuna "
                             "(or pip install geoencode[dev]).") from None
    if not isinstance(trials, int) or trials < 1:
        raise GeoEncodeError(f"trials must be an integer >= 1, got {trials!r}.")
    out_path = Path(out) if out is not None else None
    trials_csv = out_path.with_suffix(".trials.csv") if out_path is not None else None
    for path in (out_path, trials_csv):
        if path is not None and path.exists() and not overwrite:
            raise GeoEncodeError(f"{path} exists; pass overwrite=True (--overwrite) to replace it.")
    data = load_task(task)
    spec = get_spec(encoder)
    nn_name = nn or spec.nn
    base = get_recipe(data.name, spec.name, nn_name, "paper")
    if base.monitor != "val_loss":  # no published recipe: the authors' protocol around our defaults
        base = replace(base, monitor="val_loss", lr_decay=1.0, max_epochs=500, patience=30, name="paper-protocol",
                       source=f"the authors' protocol around geoencode's defaults ({base.source})")
    final = base  # the written recipe keeps this epoch budget; trials may use a shorter one
    if max_epochs is not None:
        base = base.with_overrides(max_epochs=max_epochs, patience=min(base.patience, max_epochs))
    pe = AUTHORS_PE.get(spec.name)
    train, val = data.train, data.val  # the only splits a trial reads
    y_tr = train[1]
    scale = (float(y_tr.mean()), float(y_tr.std())) if data.kind == "regression" else (0.0, 1.0)

    def objective(trial: Any) -> float:
        candidate = _candidate(base, pe, _suggest(trial, pe, nn_name))

        def report(epoch: int, val_loss: float) -> None:
            trial.report(val_loss, epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()

        _, info = fit_recipe(candidate, data.kind, data.num_outputs, train, val, seed=seed, target_scale=scale,
                             device=device, on_epoch=report)
        trial.set_user_attr("val_score", info["val_score"])
        trial.set_user_attr("epochs", info["epochs"])
        return info["val_loss"]

    if not progress:
        optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed),
                                pruner=optuna.pruners.MedianPruner())
    study.optimize(objective, n_trials=trials, timeout=timeout, show_progress_bar=progress)
    best = study.best_trial
    recipe = replace(
        _candidate(final, pe, {**best.params, **({"max_radius": 360} if pe in _MULTISCALE else {})}),
        name="tuned",
        source=(f"geoencode bench tune: {len(study.trials)} Optuna trials (TPE, seed {seed}) on the {data.name} "
                f"validation split, {base.max_epochs} epochs each; best validation loss {best.value:.5f} "
                f"(accuracy/score {best.user_attrs.get('val_score', float('nan')):.4f}); started from: {base.source}"))
    if out_path is not None:
        save_recipe(recipe, out_path, overwrite=overwrite)
        frame = study.trials_dataframe()
        atomic_write(trials_csv, lambda tmp: frame.to_csv(tmp, index=False), overwrite=overwrite)
    return recipe, study
