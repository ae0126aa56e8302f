"""The one error type of `dn.io`: a model file that cannot be trusted or used, with what to do about it."""


class ModelFileError(ValueError):
    """A model file is missing, not a deltanet file, truncated, corrupt, tampered with, or does not fit the
    model it is loaded into. The message says what is wrong, in which file, and what to do."""


class ModelFileNotFoundError(ModelFileError, FileNotFoundError):
    """The model file does not exist (both a `ModelFileError` and a `FileNotFoundError`)."""
