from appconf.reader import ConfigError, load

__all__ = ["ConfigError", "load"]
