"""Reproduce published systems exactly (``torchspatial``)."""
