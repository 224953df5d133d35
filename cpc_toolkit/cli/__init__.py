"""Command-line interface (``cpc``): a thin French adapter over the package functions."""
