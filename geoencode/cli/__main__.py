"""``python -m geoencode.cli …`` runs the ``geoencode`` command."""

import sys

from . import main

sys.exit(main())
