"""The "tile" encoder: a learned embedding per lon/lat grid cell."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from ..errors import GeoEncodeError
from .base import PositionEncoder


class Tile(PositionEncoder):
    """A learnable embedding looked up by the regular lon/lat grid cell a point falls in.

    ``col = ⌊(lon − x_min)/interval⌋``, ``row = ⌊(lat − y_min)/interval⌋`` (both clipped to the
    grid), ``PE = table[row · num_col + col]``; table initialised ``N(0, 1/embed_dim)``.

    Parameters
    ----------
    interval : float
        Cell size in degrees.
    extent : sequence of 4 floats
        ``(x_min, x_max, y_min, y_max)`` in degrees; points outside fall in the border cells.
    embed_dim : int
        Length of each cell's embedding (``out_dim``).

    Notes
    -----
    The reference never passes the cell size to the lookup table (bug B2), so its "tile" encoder
    has one cell for the whole globe — a location-independent prior. Here ``interval`` is used;
    :mod:`geoencode.compat.torchspatial` rebuilds the one-cell behaviour for released checkpoints.
    The gradient with respect to the coordinates is zero (piecewise-constant code).

    Examples
    --------
    >>> pe = Tile(interval=90.0, embed_dim=3)
    >>> pe.num_cells
    8
    >>> bool((pe([[-170.0, -80.0]]) == pe.embedding.weight[0]).all())
    True
    """

    spherical = False
    periodic = False  # cells are clipped at the extent, not wrapped

    def __init__(
        self,
        interval: float = 5.0,
        extent: Sequence[float] = (-180.0, 180.0, -90.0, 90.0),
        embed_dim: int = 256,
    ) -> None:
        super().__init__()
        if not interval > 0:
            raise GeoEncodeError(f"interval (cell size in degrees) must be > 0, got {interval!r}.")
        if len(extent) != 4 or not (extent[0] < extent[1] and extent[2] < extent[3]):
            raise GeoEncodeError(
                f"extent must be (x_min, x_max, y_min, y_max) with min < max, got {tuple(extent)!r}."
            )
        if embed_dim < 1:
            raise GeoEncodeError(f"embed_dim must be >= 1, got {embed_dim!r}.")
        self.interval, self.extent = float(interval), tuple(float(v) for v in extent)
        self.num_cols = max(1, math.ceil((extent[1] - extent[0]) / interval))
        self.num_rows = max(1, math.ceil((extent[3] - extent[2]) / interval))
        self.num_cells = self.num_cols * self.num_rows
        if self.num_cells > 50_000_000:
            raise GeoEncodeError(
                f"interval={interval} gives {self.num_cells:,} cells; use a larger interval."
            )
        self.embedding = nn.Embedding(self.num_cells, embed_dim)
        nn.init.normal_(self.embedding.weight, mean=0.0, std=1.0 / embed_dim)
        self.out_dim = embed_dim

    def encode(self, lon: torch.Tensor, lat: torch.Tensor) -> torch.Tensor:
        x_min, _, y_min, _ = self.extent
        col = torch.floor((lon - x_min) / self.interval).clamp(0, self.num_cols - 1)
        row = torch.floor((lat - y_min) / self.interval).clamp(0, self.num_rows - 1)
        index = (row * self.num_cols + col).long()
        out = self.embedding(index)
        if torch.is_grad_enabled() and (lon.requires_grad or lat.requires_grad):
            # Keep the graph connected to the coordinates (zero gradient) so autograd users can mix
            # tile with other encoders. (Skipped otherwise: it costs a full pass over the output.)
            out = out + 0.0 * (lon + lat).unsqueeze(-1).to(self.embedding.weight.dtype)
        return out

    def extra_repr(self) -> str:
        return f"interval={self.interval}, cells={self.num_rows}x{self.num_cols}, out_dim={self.out_dim}"
