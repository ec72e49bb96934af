"""Rules every domain shares, each defined once: the clock (India's time), money in paise,
the role groups, sending background work by task name, and the JSON log format."""
