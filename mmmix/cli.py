"""Settings shared by mmmix's command-line tools (``tools/*.py``)."""
import warnings

#: setuptools' notice on importing ``pkg_resources``. It is raised outside mmmix: by
#: openmim 0.3.9 when ``mim`` starts, and by mmengine 0.10.7's package checks, which
#: reload ``pkg_resources`` (and so warn again) for every ``mmdet::`` / ``mmpretrain::``
#: base a config names.
PKG_RESOURCES_DEPRECATION = r'pkg_resources is deprecated as an API'


def silence_pkg_resources_deprecation() -> None:
    """Ignore exactly that notice (by its message, ``UserWarning`` only) in this process;
    every other warning is shown as before. Called by the tools' ``main()``."""
    warnings.filterwarnings('ignore', message=PKG_RESOURCES_DEPRECATION, category=UserWarning)
