"""Typed errors of the core; the CLI turns them into one clear line and a non-zero exit."""


class LLMError(Exception):
    """Base class of every error the core raises on purpose."""


class ModelNotFoundError(LLMError):
    """A model name or path that the registry does not know."""


class CorruptWeightsError(LLMError):
    """A weights file that is truncated, damaged or fails its checksum."""


class IncompatibleWeightsError(LLMError):
    """Weights that do not fit the configuration (a tensor or field is named)."""


class ContextOverflowError(LLMError):
    """A prompt that does not fit in the model's context window."""


class DownloadError(LLMError):
    """The default model could not be fetched from the package registry."""


class CompileFallbackWarning(RuntimeWarning):
    """`torch.compile` failed and the decode step runs eagerly: slower, same tokens."""
