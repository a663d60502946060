"""Helpers of scripts/e2e: building Zephyr apps, running them in a private
network namespace, talking to their shell, and decoding what crossed the
TAP interface. Standard library only."""
