"""The district calendar of non-school days."""
