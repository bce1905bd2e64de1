"""stemgui: a browser GUI and a bundled API server for BrainSTEM sessions and actions."""

__version__ = "0.1.0"
