"""The reading role: invented documents and questions that train the grounded-reader
adapter to answer from the sources it is shown, and to say so when they do not answer."""

DEFAULT_READER = "grounded-reader"  # the shipped adapter `kigi ask`/`chat` read sources with
