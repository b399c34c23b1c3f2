"""Visualisation helpers (registry location for VISUALIZERS/VISBACKENDS)."""
