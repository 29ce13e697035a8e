"""`from ballet.util.log import logger` in feature code gets a quiet standard logger."""

import logging

logger = logging.getLogger("ballet")
logger.addHandler(logging.NullHandler())

TRACE = 5
