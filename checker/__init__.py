"""warmcheck: prove that the Lambdas Amazon Connect flows call are kept warm."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("warmcheck")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
