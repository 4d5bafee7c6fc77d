"""Open the desktop app: ``python main.py [PROJECT] [--db PATH] [--screenshot PNG]``."""

import sys

from labelstudio_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main(["gui", *sys.argv[1:]]))
