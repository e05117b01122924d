"""`python -m mockserver`: the same command line as the `mockserver` script."""

from mockserver.cli import main

raise SystemExit(main())
