"""Training: the presence–absence loss, samplers, the trainer (early stopping, resume), metrics."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

import geoencode
from geoencode import GeoEncodeError
from geoencode.models import ImageLocationRegressor, LocationPrior, geo_aware_scores
from geoencode.training import (
    Trainer, balanced_indices, binary_summary, classification_frame, classification_per_sample,
    presence_absence_loss, random_background, regression_frame, regression_summary, write_csv_atomic,
)


def test_presence_absence_loss_by_hand():
    p = torch.tensor([[0.7, 0.2, 0.1], [0.3, 0.3, 0.4]])
    q = torch.tensor([[0.1, 0.0, 0.5], [0.2, 0.2, 0.2]])
    y = torch.tensor([0, 2])
    eps = 1e-5
    pos = [[3 * -math.log(0.7 + eps), -math.log(0.8 + eps), -math.log(0.9 + eps)],
           [-math.log(0.7 + eps), -math.log(0.7 + eps), 3 * -math.log(0.4 + eps)]]
    bg = [[-math.log(1 - v + eps) for v in row] for row in q.tolist()]
    expected = np.mean(pos) + 0.5 * np.mean(bg)
    assert presence_absence_loss(p, y, q, background_weight=0.5).item() == pytest.approx(expected, rel=1e-6)
    assert presence_absence_loss(p, y, q, pos_weight=1.0).item() < presence_absence_loss(p, y, q).item()


def test_background_uniform_by_area_and_reference_quadrant():
    g = torch.Generator().manual_seed(0)
    pts = random_background(200_000, generator=g, dtype=torch.float64)
    # Area-uniform: P(|lat| < 30°) = sin 30° = 0.5 (a degree-uniform sampler gives 1/3).
    assert (pts[:, 1].abs() < 30).double().mean().item() == pytest.approx(0.5, abs=0.01)
    assert (pts[:, 0] < 0).double().mean().item() == pytest.approx(0.5, abs=0.01)
    ref = random_background(10_000, "torchspatial", generator=g)
    assert ref[:, 0].min() >= 0 and ref[:, 0].max() < 180 and ref[:, 1].min() >= 0 and ref[:, 1].max() < 90
    with pytest.raises(GeoEncodeError, match="background"):
        random_background(3, "gaussian")


def test_balanced_indices_caps_classes_and_varies_by_epoch():
    labels = torch.tensor([0] * 500 + [1] * 20 + [2] * 150)
    g = torch.Generator().manual_seed(1)
    a, b = balanced_indices(labels, 100, generator=g), balanced_indices(labels, 100, generator=g)
    assert torch.bincount(labels[a]).tolist() == [100, 20, 100]
    assert len(set(a.tolist())) == len(a)  # without replacement
    assert set(a.tolist()) != set(b.tolist())


def _prior_loss(model, batch, gen):
    x, y = batch
    bg = random_background(len(x), generator=gen, device=x.device)
    return presence_absence_loss(model(x), y, model(bg))


def test_location_prior_learns_where_classes_live():
    """Two species on opposite hemispheres: the trained prior puts each where it was observed."""
    g = torch.Generator().manual_seed(0)
    n = 400
    lon = torch.rand(n, generator=g) * 40 - 20
    lat = torch.rand(n, generator=g) * 20 + 30
    x = torch.cat([torch.stack([lon, lat], -1), torch.stack([lon + 120, -lat], -1)])
    y = torch.cat([torch.zeros(n, dtype=torch.long), torch.ones(n, dtype=torch.long)])
    torch.manual_seed(0)
    prior = LocationPrior(geoencode.build("sphereC", frequency_num=4, min_radius=0.1, out_dim=32,
                                          hidden_dim=64, dropout=0.0), num_classes=2)
    Trainer(prior, _prior_loss, lr=1e-2, max_epochs=60, batch_size=200, progress=False).fit((x, y))
    with torch.no_grad():
        p = prior(torch.tensor([[0.0, 40.0], [120.0, -40.0], [-100.0, -60.0]]))
    assert p[0, 0] > 0.8 and p[0, 1] < 0.2 and p[1, 1] > 0.8 and p[1, 0] < 0.2
    assert p[2].max() < 0.3  # absent where nothing was seen


def _regression_setup(seed=0):
    torch.manual_seed(seed)
    x = torch.randn(256, 2) * 30
    y = (x[:, 0:1] * 0.02).sin()
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1))
    loss = lambda m, b, g: ((m(b[0]) - b[1]) ** 2).mean()  # noqa: E731
    val = lambda m: -float(((m(x) - y) ** 2).mean())  # noqa: E731
    return model, loss, val, (x, y)


def test_early_stopping_restores_best_weights():
    model, loss, val, data = _regression_setup()
    calls = []
    scores = iter([0.1, 0.5, 0.2, 0.3, 0.1, 0.0, 0.0, 0.0])

    def scripted(m):
        calls.append(m.state_dict()["0.weight"].clone())
        return next(scores)

    trainer = Trainer(model, loss, lr=1e-2, max_epochs=8, batch_size=64, patience=3, progress=False)
    trainer.fit(data, validate=scripted)
    assert len(trainer.history_) == 5 and trainer.best_epoch_ == 1 and trainer.best_score_ == 0.5
    torch.testing.assert_close(model.state_dict()["0.weight"], calls[1])


def test_resume_after_interruption_matches_uninterrupted_run(tmp_path):
    model_a, loss, val, data = _regression_setup()
    full = Trainer(model_a, loss, lr=1e-2, max_epochs=6, batch_size=64, seed=3, progress=False).fit(data, validate=val)

    model_b, *_ = _regression_setup()
    ckpt = tmp_path / "run.pt"
    Trainer(model_b, loss, lr=1e-2, max_epochs=3, batch_size=64, seed=3, progress=False, checkpoint=ckpt).fit(data, validate=val)
    model_c, *_ = _regression_setup(seed=99)  # a fresh process would start from other weights
    resumed = Trainer(model_c, loss, lr=1e-2, max_epochs=6, batch_size=64, seed=3, progress=False,
                      checkpoint=ckpt).fit(data, validate=val)
    assert [h["loss"] for h in resumed.history_] == pytest.approx([h["loss"] for h in full.history_], rel=1e-6)
    torch.testing.assert_close(model_c.state_dict(), model_a.state_dict())
    state = torch.load(ckpt, weights_only=True)  # our checkpoints are safe to load
    assert state["format"] == "geoencode.trainer/1" and state["epoch"] == 5


def test_resume_refuses_foreign_file(tmp_path):
    model, loss, val, data = _regression_setup()
    torch.save({"x": 1}, tmp_path / "other.pt")
    with pytest.raises(geoencode.CheckpointError, match="not a geoencode trainer checkpoint"):
        Trainer(model, loss, max_epochs=2, progress=False, checkpoint=tmp_path / "other.pt").fit(data)


def test_trainer_rejects_bad_settings_and_diverging_loss():
    model, loss, val, data = _regression_setup()
    with pytest.raises(GeoEncodeError, match="lr"):
        Trainer(model, loss, lr=0)
    with pytest.raises(GeoEncodeError, match="row-aligned"):
        Trainer(model, loss, progress=False).fit((data[0], data[1][:5]))
    nan_loss = lambda m, b, g: m(b[0]).sum() * float("nan")  # noqa: E731
    with pytest.raises(GeoEncodeError, match="loss became nan"):
        Trainer(model, nan_loss, progress=False, max_epochs=1).fit(data)


def test_classification_metrics_known_values():
    scores = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.2, 0.6], [0.4, 0.4, 0.2]])
    frame = classification_per_sample(scores, np.array([2, 0, 0, 1]))
    assert frame["reciprocal_rank"].tolist() == pytest.approx([0.5, 1.0, 1 / 3, 0.5])  # tie → pessimistic
    assert frame["hit@1"].tolist() == [0, 1, 0, 0] and frame["hit@3"].tolist() == [1, 1, 1, 1]
    with pytest.raises(GeoEncodeError, match="labels must lie"):
        classification_per_sample(scores, np.array([0, 1, 2, 3]))


def test_regression_and_binary_metrics():
    m = regression_summary(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 2.0, 3.0, 5.0]))
    assert m["mae"] == 0.25 and m["rmse"] == 0.5 and m["r2"] == pytest.approx(1 - 1 / 8.75)
    assert binary_summary(np.array([1, 0, 1, 0]), np.array([1, 1, 0, 0])) == {"accuracy": 50.0, "iou": pytest.approx(100 / 3)}


def test_result_frames_match_torchspatial_format(tmp_path):
    cls = classification_frame(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.9, 0.1], [0.2, 0.8]]), np.array([0, 0]))
    assert cls.columns.tolist() == ["lon", "lat", "true_class_prob", "reciprocal_rank", "hit@1", "hit@3"]
    reg = regression_frame(np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]), np.array([466.1661, 5.0, 1.0]),
                           np.array([138.784028785187, 0.0, 2.0]))
    # the first row is a real row of TorchSpatial's MOSAIKS elevation file
    assert reg["relative_error"][0] == pytest.approx(2.3589319407616225, rel=1e-6)
    assert math.isnan(reg["relative_error"][1]) and reg["relative_error"][2] == -0.5
    path = write_csv_atomic(cls, tmp_path / "out.csv", index=True)
    pd.testing.assert_frame_equal(pd.read_csv(path, index_col=0), cls, check_dtype=False)
    with pytest.raises(GeoEncodeError, match="overwrite"):
        write_csv_atomic(cls, path)


def test_geo_aware_scores_and_image_regressor():
    img = torch.tensor([[0.5, 0.5], [0.9, 0.1]])
    prior = torch.tensor([[0.9, 0.1], [float("nan"), float("nan")]])
    torch.testing.assert_close(geo_aware_scores(img, prior), torch.tensor([[0.45, 0.05], [0.9, 0.1]]))
    model = ImageLocationRegressor(geoencode.build("xyz", out_dim=8), image_dim=6, embed_dim=4, hidden_dim=8)
    assert model(torch.randn(5, 6), torch.zeros(5, 2)).shape == (5,)


def test_frozen_encoder_stays_out_of_the_optimiser():
    torch.manual_seed(0)
    enc = geoencode.build("sphereC", frequency_num=4, out_dim=8)
    enc.requires_grad_(False)
    prior = LocationPrior(enc, num_classes=2)
    frozen = {k: v.clone() for k, v in enc.state_dict().items()}
    x = torch.tensor([[0.0, 10.0], [90.0, -20.0], [-60.0, 45.0], [120.0, 5.0]])
    y = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    loss = lambda m, b, g: nn.functional.binary_cross_entropy(m(b[0]), b[1])  # noqa: E731
    before = prior.class_emb.weight.detach().clone()
    Trainer(prior, loss, lr=0.05, weight_decay=0.1, max_epochs=5, batch_size=2, progress=False).fit((x, y))
    assert all(torch.equal(v, enc.state_dict()[k]) for k, v in frozen.items())
    assert not torch.equal(before, prior.class_emb.weight)
    prior.requires_grad_(False)
    with pytest.raises(GeoEncodeError, match="no trainable parameters"):
        Trainer(prior, loss, progress=False, max_epochs=1).fit((x, y))
