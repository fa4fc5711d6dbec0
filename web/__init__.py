"""The web view for advisers and coordinators, served by `advisorybot run` (docs/web.md)."""
