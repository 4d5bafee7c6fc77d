"""Moved to :mod:`labelstudio_desktop.core.validate` (core's top level, so the store checks its values with it below
the formats); this name stays only for ``ml/config.py`` and ``ml/train.py`` until they import it from there."""

from ..validate import *  # noqa: F403
