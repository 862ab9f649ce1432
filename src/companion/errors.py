"""The exceptions the package raises for problems a reader can fix.

Each message says what went wrong and what to do about it. They subclass the
matching built-in exception too, so ``except OSError`` or ``except ValueError`` still
works. Each takes one argument, the message.
"""


class CompanionError(Exception):
    """Base class of the package's own errors."""


class DownloadError(CompanionError, OSError):
    """A file could not be downloaded (no network, a dead URL ...)."""


class WeightsUnavailableError(DownloadError):
    """Pretrained weights are not on this machine and cannot be fetched or converted here."""


class ChecksumError(CompanionError, ValueError):
    """A file's sha256 differs from the published one."""


class DataFormatError(CompanionError, ValueError):
    """A data file is truncated, corrupt or not in the expected format."""


class ConfigError(CompanionError, ValueError):
    """A setting (an environment variable such as ``COMPANION_MIRROR``) cannot be used as it is."""
