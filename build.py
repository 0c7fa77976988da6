#!/usr/bin/env python3
"""Build the timeline site: `python build.py` (into _site/), or `python build.py check`."""

import sys

from timeline.cli import main

if __name__ == "__main__":
    sys.exit(main())
