"""The one exception type for problems with the data or the settings a user gave."""


class DataError(ValueError):
    """A problem with input data or settings, worded for the person who supplied them.

    The message names what is wrong and where (file, column, rows) and what to do.
    Pages show it as a message; the command line prints it after ``error:``.
    """
