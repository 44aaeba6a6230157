"""A plain PyTorch trainer: Adam, exponential LR decay, early stopping, checkpoints, resume."""

from __future__ import annotations

import copy
import math
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn
from tqdm.auto import tqdm

from ..errors import CheckpointError, GeoEncodeError
from ..serialization import atomic_torch_save

FORMAT = "geoencode.trainer/1"

LossFn = Callable[[nn.Module, Sequence[torch.Tensor], torch.Generator], torch.Tensor]
Validate = Callable[[nn.Module], float]
EpochIndices = Callable[[torch.Generator], torch.Tensor]


class Trainer:
    """Train ``model`` on in-memory tensors with Adam and the reference's exponential LR decay.

    The loss is a callable ``loss_fn(model, batch, generator) -> scalar`` so one trainer serves the
    presence–absence prior (which draws background points from ``generator``), classifiers and
    regressors. After each epoch ``validate(model)`` (higher is better) drives early stopping and the
    best weights are restored at the end.

    Parameters
    ----------
    model : torch.nn.Module
        Trained in place.
    loss_fn : callable
        ``loss_fn(model, batch, generator)``; ``batch`` is the tuple of tensors at the batch's rows.
    lr : float
        Adam learning rate.
    lr_decay : float
        Per-epoch multiplicative decay (TorchSpatial: 0.98).
    weight_decay : float
        Adam weight decay.
    max_epochs : int
        Upper bound on epochs.
    batch_size : int
        Rows per step.
    patience : int, optional
        Stop after this many epochs without a better validation score (needs ``validate``).
    seed : int
        Seeds shuffling and random draws (e.g. background points); the model's weights are not
        re-initialised (seed them with ``torch.manual_seed`` before building the model).
    device : torch.device or str, optional
        Where to train (default: the model's device).
    progress : bool
        Show a tqdm bar over epochs.
    checkpoint : path-like, optional
        Saved atomically after every epoch (our format, loadable with ``weights_only=True``); if it
        exists when :meth:`fit` starts, training resumes from it.
    regularisers : sequence of GeoBiasRegulariser, optional
        Geo-bias losses (:class:`~geoencode.training.SSILoss`, ``MarkedSSILoss``, ``SRILoss``) added
        to every step's loss from epoch ``regularise_from``; :meth:`fit` binds them to the training
        coordinates (``data[0]``) and labels (``data[1]``).
    regularise_from : int, default 0
        First regularised epoch: 0 trains jointly from the start; ``N`` is GeoBS's schedule of ``N``
        plain epochs, then regularised ones.

    Attributes
    ----------
    history_ : list of dict
        Per epoch: ``epoch``, ``loss``, ``score`` (if validating), ``lr``, ``seconds``; with
        regularisers also ``regulariser`` (mean weighted penalty per step) and ``skipped_steps``
        (steps whose regularisers had no valid anchor and contributed 0).
    best_score_ : float
        Best validation score (``nan`` without validation).
    best_epoch_ : int
        Epoch of the best score (the last epoch without validation).
    train_seconds_ : float
        Wall time spent in :meth:`fit`.

    Examples
    --------
    >>> model = nn.Linear(2, 1)
    >>> x, y = torch.randn(64, 2), torch.randn(64, 1)
    >>> loss = lambda m, batch, g: ((m(batch[0]) - batch[1]) ** 2).mean()
    >>> trainer = Trainer(model, loss, lr=0.1, max_epochs=20, batch_size=16, progress=False).fit((x, y))
    >>> len(trainer.history_)
    20
    """

    def __init__(self, model: nn.Module, loss_fn: LossFn, *, lr: float = 1e-3, lr_decay: float = 0.98,
                 weight_decay: float = 0.0, max_epochs: int = 30, batch_size: int = 1024,
                 patience: int | None = None, seed: int = 0, device: torch.device | str | None = None,
                 progress: bool = True, checkpoint: str | os.PathLike | None = None,
                 regularisers: Sequence[nn.Module] = (), regularise_from: int = 0) -> None:
        if not lr > 0:
            raise GeoEncodeError(f"lr must be > 0, got {lr!r}.")
        if not 0 < lr_decay <= 1:
            raise GeoEncodeError(f"lr_decay must be in (0, 1], got {lr_decay!r}.")
        if max_epochs < 1 or batch_size < 1:
            raise GeoEncodeError(f"max_epochs and batch_size must be >= 1, got {max_epochs!r} and {batch_size!r}.")
        if patience is not None and patience < 1:
            raise GeoEncodeError(f"patience must be >= 1 or None, got {patience!r}.")
        if regularise_from < 0:
            raise GeoEncodeError(f"regularise_from must be >= 0, got {regularise_from!r}.")
        self.model, self.loss_fn = model, loss_fn
        self.regularisers, self.regularise_from = list(regularisers), int(regularise_from)
        self.lr, self.lr_decay, self.weight_decay = lr, lr_decay, weight_decay
        self.max_epochs, self.batch_size, self.patience = max_epochs, batch_size, patience
        self.seed, self.progress = seed, progress
        self.device = torch.device(device) if device is not None else _model_device(model)
        self.checkpoint = Path(checkpoint) if checkpoint is not None else None
        self.history_: list[dict[str, float]] = []
        self.best_score_, self.best_epoch_, self.train_seconds_ = math.nan, -1, 0.0

    def fit(self, data: Sequence[torch.Tensor], validate: Validate | None = None,
            epoch_indices: EpochIndices | None = None) -> "Trainer":
        """Train on the row-aligned tensors ``data``.

        Parameters
        ----------
        data : sequence of torch.Tensor
            Tensors with the same first dimension (e.g. ``(lonlat, labels)``); moved to ``device``.
        validate : callable, optional
            ``validate(model) -> float``, higher is better; called in eval mode without gradients.
        epoch_indices : callable, optional
            ``epoch_indices(generator) -> LongTensor`` of rows for one epoch (e.g.
            :func:`~geoencode.training.sampling.balanced_indices`); default a shuffle of all rows.

        Returns
        -------
        Trainer
            ``self``, with ``history_``, ``best_score_``, ``best_epoch_`` set.
        """
        data = tuple(torch.as_tensor(t).to(self.device) for t in data)
        n = data[0].shape[0]
        if n == 0 or any(t.shape[0] != n for t in data):
            raise GeoEncodeError(f"training tensors must be non-empty and row-aligned, got {[tuple(t.shape) for t in data]}.")
        self.model.to(self.device)
        # Frozen parts (a pretrained encoder with requires_grad off) stay out of the optimiser, so
        # weight decay never touches them.
        params = [p for p in self.model.parameters() if p.requires_grad]
        if not params:
            raise GeoEncodeError("the model has no trainable parameters (all have requires_grad=False); "
                                 "unfreeze some, e.g. geoencode.pretrained(name, trainable=True).")
        opt = torch.optim.Adam(params, lr=self.lr, weight_decay=self.weight_decay)
        sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=self.lr_decay)
        gen = torch.Generator().manual_seed(self.seed)
        for reg in self.regularisers:
            if len(data) < 2:
                raise GeoEncodeError("regularisers need (lonlat, labels) training tensors.")
            reg.bind(data[0], data[1], seed=self.seed)
        start, bad_epochs, best_state = 0, 0, None
        if self.checkpoint is not None and self.checkpoint.exists():
            start, bad_epochs, best_state = self._resume(opt, sched, gen)
        t0 = time.perf_counter() - self.train_seconds_
        bar = tqdm(range(start, self.max_epochs), disable=not self.progress, desc="epochs", leave=False)
        for epoch in bar:
            t_epoch = time.perf_counter()
            self.model.train()
            rows = epoch_indices(gen) if epoch_indices is not None else torch.randperm(n, generator=gen)
            total, steps, penalty, skipped = 0.0, 0, 0.0, 0
            regularise = epoch >= self.regularise_from and self.regularisers
            for batch_rows in rows.split(self.batch_size):
                batch_rows = batch_rows.to(self.device)
                loss = self.loss_fn(self.model, tuple(t[batch_rows] for t in data), gen)
                if regularise:
                    before = sum(r.skipped_steps for r in self.regularisers)
                    extra = sum(r(self.model, gen) for r in self.regularisers)
                    skipped += sum(r.skipped_steps for r in self.regularisers) - before
                    penalty += float(extra.detach()) if torch.is_tensor(extra) else float(extra)
                    loss = loss + extra
                if not torch.isfinite(loss):
                    raise GeoEncodeError(
                        f"loss became {loss.item()} at epoch {epoch}; lower the learning rate (lr={self.lr})."
                    )
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                total, steps = total + loss.item(), steps + 1
            record = {"epoch": epoch, "loss": total / max(steps, 1), "lr": opt.param_groups[0]["lr"]}
            if regularise:
                record.update(regulariser=penalty / max(steps, 1), skipped_steps=skipped)
            sched.step()
            if validate is not None:
                self.model.eval()
                with torch.no_grad():
                    score = float(validate(self.model))
                record["score"] = score
                if not score <= self.best_score_:  # also true for the first (nan) comparison
                    self.best_score_, self.best_epoch_, bad_epochs = score, epoch, 0
                    best_state = copy.deepcopy(self.model.state_dict())
                else:
                    bad_epochs += 1
            else:
                self.best_epoch_ = epoch
            record["seconds"] = time.perf_counter() - t_epoch
            self.history_.append(record)
            bar.set_postfix(loss=f"{record['loss']:.4f}", **({"score": f"{record['score']:.4f}"} if "score" in record else {}))
            self.train_seconds_ = time.perf_counter() - t0
            stop = self.patience is not None and validate is not None and bad_epochs >= self.patience
            if self.checkpoint is not None:
                self._save(epoch, opt, sched, gen, bad_epochs, best_state, finished=stop)
            if stop:
                break
        if best_state is not None:
            self.model.load_state_dict(best_state)
        self.model.eval()
        return self

    def _save(self, epoch: int, opt, sched, gen: torch.Generator, bad_epochs: int,
              best_state: dict[str, Any] | None, finished: bool) -> None:
        atomic_torch_save({
            "format": FORMAT, "epoch": epoch, "finished": finished, "model": self.model.state_dict(),
            "optimizer": opt.state_dict(), "scheduler": sched.state_dict(), "generator": gen.get_state(),
            "history": self.history_, "best_score": self.best_score_, "best_epoch": self.best_epoch_,
            "best_model": best_state, "bad_epochs": bad_epochs, "train_seconds": self.train_seconds_,
        }, self.checkpoint, overwrite=True)

    def _resume(self, opt, sched, gen: torch.Generator) -> tuple[int, int, dict[str, Any] | None]:
        try:
            state = torch.load(self.checkpoint, map_location=self.device, weights_only=True)
        except Exception as exc:
            raise CheckpointError(f"cannot resume from {self.checkpoint}: {exc}") from None
        if not isinstance(state, dict) or state.get("format") != FORMAT:
            raise CheckpointError(f"{self.checkpoint} is not a geoencode trainer checkpoint; delete it or pick another path.")
        self.model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        gen.set_state(state["generator"].cpu())
        self.history_ = list(state["history"])
        self.best_score_, self.best_epoch_ = float(state["best_score"]), int(state["best_epoch"])
        self.train_seconds_ = float(state["train_seconds"])
        start = self.max_epochs if state.get("finished") else int(state["epoch"]) + 1
        return start, int(state["bad_epochs"]), state["best_model"]


def _model_device(model: nn.Module) -> torch.device:
    for p in model.parameters():
        return p.device
    return torch.device("cpu")
