"""Practica: a community-of-practice site generator, PWA and push service."""

__version__ = "0.1.0"
