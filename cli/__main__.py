"""``python -m cdkg`` runs the command line."""

from cdkg.cli import main

raise SystemExit(main())
