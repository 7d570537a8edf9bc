"""rules domain."""
