"""Rendering: figures and tables (package functions), papermill notebooks, HTML/PDF/Excel outputs."""
