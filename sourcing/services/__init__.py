"""Every multi-step write and every gateway call lives here, as <noun>_<verb>(*, ...) functions."""
