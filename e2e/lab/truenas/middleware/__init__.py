"""A test double of TrueNAS SCALE's middleware interface API (see ../README.md)."""
