"""The kernel every openness service is built on (settings, storage, feed, auth, calendar...).

No service imports another service; they all import this package.
"""
