"""What every app's API shares: the viewset mixin, the one write permission, non-domain fields."""
