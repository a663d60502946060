"""pppd as the PPP peer (placeholder, filled in below)."""
import os
import shutil


def pppd_available():
    return os.path.exists("/dev/ppp") and shutil.which("pppd") is not None
