"""stemgui: a browser GUI and a bundled API server for BrainSTEM sessions and actions."""

__version__ = "0.1.0"

# Today's records (procedures, stocks, ..., subject logs) add themselves to stemgui.models'
# CREATE_MODELS / PUBLIC_MODELS when they load. Loading them here, with the package, keeps both
# registries complete whichever module is imported first, without models.py importing the
# modules that import it (no import cycle: tests/test_import_cycles.py).
from stemgui import models_current, models_subjectlog  # noqa: E402, F401
