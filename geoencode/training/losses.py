"""Training losses."""

from __future__ import annotations

import torch

_EPS = 1e-5  # the reference's log offset


def presence_absence_loss(probs: torch.Tensor, labels: torch.Tensor, background_probs: torch.Tensor, *,
                          pos_weight: float | None = None, background_weight: float = 1.0) -> torch.Tensor:
    """Mac Aodha et al.'s full presence–absence loss ("L_full", TorchSpatial's ``full_loss``).

    For a batch of ``B`` observations with sigmoid class probabilities ``p`` (``B × C``) at their
    locations and ``q`` at one random background location each::

        loss_pos[i, c] = −log(1 − p_ic + ε)            for c ≠ y_i
        loss_pos[i, y_i] = λ · (−log(p_iy + ε))        λ = pos_weight (default C)
        loss_bg[i, c] = −log(1 − q_ic + ε)
        loss = mean(loss_pos) + background_weight · mean(loss_bg)

    with ``ε = 1e-5`` and means over all ``B × C`` entries.

    Parameters
    ----------
    probs, background_probs : torch.Tensor
        ``(B, C)`` probabilities at the observations and at the background points.
    labels : torch.Tensor
        ``(B,)`` integer classes.
    pos_weight : float, optional
        ``λ``; default the number of classes.
    background_weight : float
        Weight of the background term (``rand_sample_weight``).

    Examples
    --------
    >>> p = torch.tensor([[0.9, 0.1]]); q = torch.tensor([[0.0, 0.0]])
    >>> round(presence_absence_loss(p, torch.tensor([0]), q).item(), 4)
    0.158
    """
    num_classes = probs.shape[-1]
    lam = float(num_classes if pos_weight is None else pos_weight)
    neg = -torch.log(1.0 - probs + _EPS)
    pos = -torch.log(probs.gather(1, labels.view(-1, 1)) + _EPS) * lam
    loss_pos = neg.scatter(1, labels.view(-1, 1), pos)
    loss_bg = -torch.log(1.0 - background_probs + _EPS)
    return loss_pos.mean() + background_weight * loss_bg.mean()
