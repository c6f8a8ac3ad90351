"""``python -m geoleads`` runs the command line."""

import sys

from geoleads.cli import main

sys.exit(main())
