import sys

from wc.cli import main

sys.exit(main())
