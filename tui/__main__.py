"""`python -m tui` runs actiontrack."""

import sys

from tui.entry import main

sys.exit(main())
